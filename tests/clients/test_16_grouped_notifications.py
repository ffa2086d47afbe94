"""16. Grouped notifications, as Mastodon.py reads them."""

from herd_helpers import marker


def test_grouped_notifications(alice, bob, carol, accounts):
    post = alice.status_post(f"Group these {marker('gn')}")
    bob.status_favourite(post.id)
    carol.status_favourite(post.id)
    grouped = alice.grouped_notifications(types=["favourite"])
    group = grouped.notification_groups[0]
    assert group.type == "favourite" and group.notifications_count == 2
    assert str(group.status_id) == str(post.id)
    assert {str(a) for a in group.sample_account_ids} == {str(accounts["bob"].id), str(accounts["carol"].id)}
    assert str(post.id) in [str(s.id) for s in grouped.statuses]
    one = alice.grouped_notification(group.group_key)
    assert one.notification_groups[0].notifications_count == 2
    assert len(alice.grouped_notification_accounts(group.group_key)) == 2
    assert alice.unread_grouped_notifications_count() >= 1
    alice.dismiss_grouped_notification(group.group_key)
    assert all(g.group_key != group.group_key for g in alice.grouped_notifications().notification_groups)
