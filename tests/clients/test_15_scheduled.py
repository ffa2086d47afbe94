"""15. Scheduled posts, as Mastodon.py writes, lists, moves and cancels them."""

import datetime

from mastodon import MastodonAPIError
import pytest

from herd_helpers import marker


def test_scheduled_posts(alice):
    tag = marker("sc")
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
    sched = alice.status_post(f"Later {tag}", scheduled_at=when, visibility="unlisted")
    assert sched.params.text == f"Later {tag}" and sched.params.visibility == "unlisted"
    assert abs((sched.scheduled_at - when).total_seconds()) < 1
    assert str(sched.id) in [str(s.id) for s in alice.scheduled_statuses()]

    later = when + datetime.timedelta(days=1)
    moved = alice.scheduled_status_update(sched.id, later)
    assert abs((moved.scheduled_at - later).total_seconds()) < 1
    assert str(alice.scheduled_status(sched.id).id) == str(sched.id)

    with pytest.raises(MastodonAPIError):
        alice.status_post("Too soon", scheduled_at=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1))

    alice.scheduled_status_delete(sched.id)
    assert str(sched.id) not in [str(s.id) for s in alice.scheduled_statuses()]
