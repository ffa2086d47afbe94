"""14. Polls, as Mastodon.py posts, votes on and reads them."""

from mastodon import MastodonAPIError
import pytest

from herd_helpers import marker


def test_poll_post_vote_and_read(alice, bob, accounts):
    tag = marker("pl")
    poll = alice.make_poll(["Coffee", "Tea", "Water"], expires_in=3600, multiple=True)
    post = alice.status_post(f"Morning drink? {tag}", poll=poll)
    assert post.poll.multiple is True and post.poll.expired is False
    assert [o.title for o in post.poll.options] == ["Coffee", "Tea", "Water"]
    assert post.poll.voted is True, "the author sees the results, not the choices"

    voted = bob.poll_vote(post.poll.id, [0, 2])
    assert voted.own_votes == [0, 2] and voted.voted is True
    assert [o.votes_count for o in voted.options] == [1, 0, 1]
    assert voted.voters_count == 1 and voted.votes_count == 2

    with pytest.raises(MastodonAPIError):
        bob.poll_vote(post.poll.id, [1])
    with pytest.raises(MastodonAPIError):
        alice.poll_vote(post.poll.id, [0])

    again = alice.poll(post.poll.id)
    assert again.voters_count == 1 and again.own_votes == []
    seen = bob.status(post.id)
    assert seen.poll.own_votes == [0, 2]


def test_poll_with_hidden_tallies(alice, bob):
    poll = alice.make_poll(["Yes", "No"], expires_in=600, hide_totals=True)
    post = alice.status_post(f"Secret ballot {marker('hp')}", poll=poll)
    voted = bob.poll_vote(post.poll.id, [1])
    assert [o.votes_count for o in voted.options] == [None, None]
    assert voted.votes_count == 1
