"""11. Idempotency-Key header on POST /api/v1/statuses."""

import uuid

from herd_helpers import ids, marker


def test_idempotency_key(alice, accounts):
    key = f"pytest-{uuid.uuid4()}"
    text = f"posted once {marker('idem')}"
    first = alice.status_post(text, idempotency_key=key)
    second = alice.status_post(text, idempotency_key=key)
    assert str(first.id) == str(second.id), (
        f"same Idempotency-Key must return the same status, got {first.id} and {second.id}"
    )
    timeline = ids(alice.account_statuses(accounts["alice"].id, limit=10))
    assert timeline.count(str(first.id)) == 1

    third = alice.status_post(text, idempotency_key=f"pytest-{uuid.uuid4()}")
    assert str(third.id) != str(first.id), "a different key must create a new status"


def test_idempotency_key_is_per_user(alice, bob):
    key = f"pytest-shared-{uuid.uuid4()}"
    a = alice.status_post(f"alice {marker('ik')}", idempotency_key=key)
    b = bob.status_post(f"bob {marker('ik')}", idempotency_key=key)
    assert str(a.id) != str(b.id), "idempotency keys are scoped to the posting account"
    assert b.account.username == "bob"
