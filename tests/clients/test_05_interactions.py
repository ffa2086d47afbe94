"""5. Favourite, reblog, bookmark, pin (and undo) plus the lists and notifications they feed."""

from herd_helpers import ids, marker, wait_notification


def test_favourite(alice, bob, accounts):
    post = bob.status_post(f"bob says hi {marker('fav')}")

    fav = alice.status_favourite(post.id)
    assert str(fav.id) == str(post.id)
    assert fav.favourited is True
    assert fav.favourites_count == 1, f"favourites_count after one favourite: {fav.favourites_count}"

    by = alice.status_favourited_by(post.id)
    assert ids(by) == [str(accounts["alice"].id)], f"favourited_by: {ids(by)}"
    assert str(post.id) in ids(alice.favourites())

    n = wait_notification(bob, "favourite", account_id=accounts["alice"].id, status_id=post.id, who="bob")
    assert n.account.username == "alice"

    unfav = alice.status_unfavourite(post.id)
    assert unfav.favourited is False
    assert alice.status(post.id).favourited is False
    assert alice.status(post.id).favourites_count == 0
    assert alice.status_favourited_by(post.id) == []
    assert str(post.id) not in ids(alice.favourites())


def test_reblog(alice, bob, carol, accounts):
    post = bob.status_post(f"boost me {marker('rb')}")

    rb = alice.status_reblog(post.id)
    assert rb.reblog is not None, "POST /reblog returns the new wrapper status with `reblog` set"
    assert str(rb.reblog.id) == str(post.id)
    assert rb.reblog.reblogged is True
    assert rb.account.username == "alice"

    assert ids(alice.status_reblogged_by(post.id)) == [str(accounts["alice"].id)]
    assert alice.status(post.id).reblogs_count == 1
    assert alice.status(post.id).reblogged is True
    assert carol.status(post.id).reblogged is False, "reblogged is per viewer"

    n = wait_notification(bob, "reblog", account_id=accounts["alice"].id, status_id=post.id, who="bob")
    assert n.account.username == "alice"

    unrb = alice.status_unreblog(post.id)
    assert str(unrb.id) == str(post.id), "POST /unreblog returns the original status"
    assert alice.status(post.id).reblogged is False
    assert alice.status(post.id).reblogs_count == 0
    assert alice.status_reblogged_by(post.id) == []


def test_bookmark(alice, bob):
    post = bob.status_post(f"bookmark me {marker('bm')}")
    bm = alice.status_bookmark(post.id)
    assert bm.bookmarked is True
    assert str(post.id) in ids(alice.bookmarks())
    assert str(post.id) not in ids(bob.bookmarks()), "bookmarks are private to the user"

    unbm = alice.status_unbookmark(post.id)
    assert unbm.bookmarked is False
    assert str(post.id) not in ids(alice.bookmarks())


def test_pin(alice, bob, accounts):
    post = alice.status_post(f"pin me {marker('pin')}")
    pinned = alice.status_pin(post.id)
    assert pinned.pinned is True
    assert str(post.id) in ids(alice.account_statuses(accounts["alice"].id, pinned=True))
    assert str(post.id) in ids(bob.account_statuses(accounts["alice"].id, pinned=True)), (
        "pinned statuses are visible to other users"
    )

    unpinned = alice.status_unpin(post.id)
    assert unpinned.pinned is False
    assert str(post.id) not in ids(alice.account_statuses(accounts["alice"].id, pinned=True))
