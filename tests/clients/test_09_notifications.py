"""9. Notifications: list, get one, filter by type, dismiss, clear."""

import pytest
from mastodon.errors import MastodonNotFoundError

from herd_helpers import ids, marker, wait_for


def test_notifications_lifecycle(alice, carol, accounts):
    tag = marker("nt")
    s1 = alice.status_post(f"@carol first ping {tag}")
    s2 = alice.status_post(f"@carol second ping {tag}")
    wanted = {str(s1.id), str(s2.id)}

    def mention_notifs():
        found = [n for n in carol.notifications()
                 if n.type == "mention" and n.get("status") is not None and str(n.status.id) in wanted]
        return found if len(found) == 2 else None

    notifs = wait_for(mention_notifs, "two mention notifications for carol")
    for n in notifs:
        assert str(n.account.id) == str(accounts["alice"].id)
        assert n.created_at is not None
    all_ids = ids(carol.notifications())
    if all(i.isdigit() for i in all_ids):
        assert [int(i) for i in all_ids] == sorted((int(i) for i in all_ids), reverse=True), (
            f"notifications must be listed newest first: {all_ids}"
        )

    one = carol.notifications(id=notifs[0].id)
    assert str(one.id) == str(notifs[0].id)
    assert one.type == "mention" and str(one.status.id) == str(notifs[0].status.id)

    only_mentions = carol.notifications(types=["mention"])
    assert only_mentions and all(n.type == "mention" for n in only_mentions), (
        f"types[]=mention must filter: {[n.type for n in only_mentions]}"
    )
    no_mentions = carol.notifications(exclude_types=["mention"])
    assert all(n.type != "mention" for n in no_mentions), "exclude_types[]=mention must filter"

    # notifications are private to their owner
    with pytest.raises(MastodonNotFoundError):
        alice.notifications(id=notifs[0].id)

    carol.notifications_dismiss(notifs[0].id)
    assert str(notifs[0].id) not in ids(carol.notifications()), "dismissed notification still listed"
    with pytest.raises(MastodonNotFoundError):
        carol.notifications(id=notifs[0].id)
    assert str(notifs[1].id) in ids(carol.notifications()), "dismiss must remove only one notification"

    carol.notifications_clear()
    assert carol.notifications() == [], "notifications_clear must remove all notifications"
