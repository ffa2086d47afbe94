"""6. Editing (history, source) and deleting statuses."""

import pytest
from mastodon.errors import MastodonNotFoundError

from herd_helpers import ids, marker


def test_edit_status(alice, bob):
    tag = marker("ed")
    original = alice.status_post(f"original text {tag}")
    assert original.edited_at is None, "a fresh status has edited_at = null"

    edited = alice.status_update(original.id, status=f"edited text {tag}")
    assert str(edited.id) == str(original.id), "editing keeps the status id"
    assert edited.edited_at is not None, "edited_at must be set after an edit"
    assert "edited text" in edited.content and "original text" not in edited.content

    assert "edited text" in bob.status(original.id).content, "others see the edited version"

    history = alice.status_history(original.id)
    assert len(history) == 2, f"history of a once-edited status has 2 entries, got {len(history)}"
    assert "original text" in history[0].content, f"history[0] must be the original: {history[0]!r}"
    assert "edited text" in history[-1].content, f"history[-1] must be the edit: {history[-1]!r}"
    assert history[0].account.username == "alice"

    source = alice.status_source(original.id)
    assert source.text == f"edited text {tag}", f"source.text must be the plain text, got {source.text!r}"
    assert str(source.id) == str(original.id)
    assert source.spoiler_text == ""


def test_delete_status(alice, bob, accounts):
    text = f"delete me {marker('del')}"
    st = alice.status_post(text)
    deleted = alice.status_delete(st.id)
    assert str(deleted.id) == str(st.id)
    assert deleted.get("text") == text, (
        f"DELETE returns the status with its source `text` (delete & redraft), got {deleted.get('text')!r}"
    )
    with pytest.raises(MastodonNotFoundError):
        alice.status(st.id)
    with pytest.raises(MastodonNotFoundError):
        bob.status(st.id)
    assert str(st.id) not in ids(alice.account_statuses(accounts["alice"].id))
