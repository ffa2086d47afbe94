"""17. Full-text search of posts, as Mastodon.py asks for it."""

from herd_helpers import marker, wait_for


def test_search_finds_own_and_opted_in_posts(alice, bob):
    word = marker("fts").replace("-", "")
    mine = alice.status_post(f"Quarterly figures {word}")
    bob.account_update_credentials(indexable=True)
    theirs = bob.status_post(f"Shared openly {word}")
    found = wait_for(lambda: alice.search_v2(word, result_type="statuses").statuses or None, "posts by their words")
    ids = {str(s.id) for s in found}
    assert str(mine.id) in ids and str(theirs.id) in ids
    only_bob = alice.search_v2(f"{word} from:bob", result_type="statuses").statuses
    assert [str(s.id) for s in only_bob] == [str(theirs.id)]
    assert alice.search_v2(f'"figures {word}"', result_type="statuses").statuses[0].id == mine.id
