"""13. Lists, filters v2, markers and streaming, as Mastodon.py drives them."""

import threading

from mastodon import StreamListener

from herd_helpers import ids, marker, wait_for


def test_lists(alice, bob, accounts):
    alice.account_follow(accounts["bob"].id)
    tag = marker("ls")
    lst = alice.list_create(f"Friends {tag}", replies_policy="followed", exclusive=False)
    assert lst.title == f"Friends {tag}" and lst.replies_policy == "followed" and lst.exclusive is False
    alice.list_accounts_add(lst.id, [accounts["bob"].id])
    assert [str(a.id) for a in alice.list_accounts(lst.id)] == [str(accounts["bob"].id)]
    assert str(lst.id) in ids(alice.account_lists(accounts["bob"].id))
    post = bob.status_post(f"for the list {tag}")
    wait_for(lambda: str(post.id) in ids(alice.timeline_list(lst.id)), "bob's post in the list timeline")
    lst = alice.list_update(lst.id, f"Close friends {tag}", replies_policy="list", exclusive=True)
    assert lst.exclusive is True and lst.replies_policy == "list"
    assert str(post.id) not in ids(alice.timeline_home()), "an exclusive list's members leave the home feed"
    alice.list_accounts_delete(lst.id, [accounts["bob"].id])
    assert alice.list_accounts(lst.id) == []
    alice.list_delete(lst.id)
    assert str(lst.id) not in ids(alice.lists())


def test_filters_v2(alice, bob, accounts):
    alice.account_follow(accounts["bob"].id)
    tag = marker("fl")
    f = alice.create_filter_v2(
        f"Spoilers {tag}", ["home", "public"], "warn",
        keywords_attributes=[{"keyword": tag, "whole_word": True}],
    )
    assert f.filter_action == "warn" and f.keywords[0].keyword == tag
    post = bob.status_post(f"the ending {tag}")

    def filtered():
        for s in alice.timeline_home():
            if str(s.id) == str(post.id):
                return s.filtered or None
        return None

    results = wait_for(filtered, "the post marked as filtered")
    assert str(results[0].filter.id) == str(f.id)
    assert tag in results[0].keyword_matches
    alice.update_filter_v2(f.id, filter_action="hide")
    assert str(post.id) not in ids(alice.timeline_home()), "a hide filter leaves the post out"
    alice.delete_filter_v2(f.id)
    assert str(f.id) not in ids(alice.filters_v2())


def test_markers(alice, bob):
    post = bob.status_post(f"read up to here {marker('mk')}")
    got = alice.markers_set(["home"], [post.id])
    assert str(got["home"]["last_read_id"]) == str(post.id)
    assert str(alice.markers_get(["home"])["home"]["last_read_id"]) == str(post.id)


class Collect(StreamListener):
    def __init__(self):
        self.updates = []
        self.notifications = []
        self.event = threading.Event()

    def on_update(self, status):
        self.updates.append(status)
        self.event.set()

    def on_notification(self, notification):
        self.notifications.append(notification)
        self.event.set()


def test_streaming_user_and_hashtag(alice, bob, accounts):
    alice.account_follow(accounts["bob"].id)
    assert alice.stream_healthy()
    tag = marker("st")
    user, hashtag = Collect(), Collect()
    h1 = alice.stream_user(user, run_async=True, timeout=30)
    h2 = alice.stream_hashtag(tag, hashtag, run_async=True, timeout=30)
    try:
        wait_for(lambda: h1.is_receiving() and h2.is_receiving() or None, "both streams connected")
        post = bob.status_post(f"streamed #{tag}")
        bob.status_post(f"@alice streamed mention {tag}")
        wait_for(lambda: any(str(s.id) == str(post.id) for s in user.updates) or None, "the post on the user stream")
        wait_for(lambda: any(str(s.id) == str(post.id) for s in hashtag.updates) or None, "the post on the hashtag stream")
        wait_for(lambda: any(n.type == "mention" for n in user.notifications) or None, "the mention as a notification")
    finally:
        h1.close()
        h2.close()
