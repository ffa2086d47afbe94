"""7. Follows: unlocked account, locked account with follow requests, home timeline delivery."""

import pytest
from mastodon.errors import MastodonNotFoundError

from herd_helpers import ids, marker, wait_for, wait_notification


def _rel(client, account_id):
    rels = client.account_relationships(account_id)
    assert len(rels) == 1, f"expected one relationship for id {account_id}, got {rels!r}"
    assert str(rels[0].id) == str(account_id)
    return rels[0]


def test_follow_unlocked(alice, carol, accounts):
    carol_id = accounts["carol"].id
    rel = alice.account_follow(carol_id)
    assert rel.following is True, f"following an unlocked account is immediate: {dict(rel)!r}"
    assert rel.requested is False

    rel = _rel(alice, carol_id)
    assert rel.following is True and rel.requested is False
    assert _rel(carol, accounts["alice"].id).followed_by is True

    n = wait_notification(carol, "follow", account_id=accounts["alice"].id, who="carol")
    assert n.account.username == "alice"

    # carol's new posts reach alice's home timeline
    st = carol.status_post(f"carol to her followers {marker('hc')}")
    wait_for(lambda: str(st.id) in ids(alice.timeline_home()),
             "carol's post in alice's home timeline")

    assert str(accounts["alice"].id) in ids(carol.account_followers(carol_id))
    assert str(carol_id) in ids(alice.account_following(accounts["alice"].id))


def test_relationships_multiple_ids(alice, accounts):
    # A list is sent as id[]=..&id[]=..; a single id as id=..
    wanted = [str(accounts["carol"].id), str(accounts["bob"].id)]
    rels = alice.account_relationships(wanted)
    assert sorted(ids(rels)) == sorted(wanted), f"relationships for {wanted}: {ids(rels)}"


def test_follow_locked_account(alice, bob, carol, accounts):
    alice_id, bob_id = accounts["alice"].id, accounts["bob"].id

    updated = bob.account_update_credentials(locked=True)
    assert updated.locked is True, "locked=1 must lock the account"
    assert bob.account_verify_credentials().locked is True
    assert alice.account(bob_id).locked is True

    rel = alice.account_follow(bob_id)
    assert rel.following is False and rel.requested is True, (
        f"following a locked account creates a request: {dict(rel)!r}"
    )
    rel = _rel(alice, bob_id)
    assert rel.requested is True and rel.following is False

    requests_ = wait_for(lambda: bob.follow_requests(), "bob's follow request list to be non-empty")
    assert str(alice_id) in ids(requests_), f"bob's follow requests: {ids(requests_)}"

    wait_notification(bob, "follow_request", account_id=alice_id, who="bob")

    auth = bob.follow_request_authorize(alice_id)
    assert str(auth.id) == str(alice_id), "authorize returns bob's relationship to alice"
    assert auth.followed_by is True

    rel = _rel(alice, bob_id)
    assert rel.following is True and rel.requested is False, f"after authorize: {dict(rel)!r}"
    assert str(alice_id) not in ids(bob.follow_requests())

    private = bob.status_post(f"for my followers only {marker('lk')}", visibility="private")
    assert private.visibility == "private"
    home = wait_for(
        lambda: (lambda tl: tl if str(private.id) in ids(tl) else None)(alice.timeline_home()),
        "bob's private post in alice's home timeline",
    )
    assert next(s for s in home if str(s.id) == str(private.id)).visibility == "private"
    assert str(alice.status(private.id).id) == str(private.id), "a follower can open the private post"
    with pytest.raises(MastodonNotFoundError):
        carol.status(private.id)  # carol does not follow bob


def test_unfollow(alice, carol, accounts):
    carol_id = accounts["carol"].id
    if not _rel(alice, carol_id).following:
        alice.account_follow(carol_id)
    rel = alice.account_unfollow(carol_id)
    assert rel.following is False
    assert _rel(alice, carol_id).following is False
    # follow again so later tests see the same state regardless of order
    alice.account_follow(carol_id)
