"""4. Posting: CW, visibility, language, replies, mentions, hashtags, links, media."""

import re

import pytest
from mastodon.errors import MastodonNotFoundError

from herd_helpers import http_get, ids, make_png, marker, wait_for, wait_notification


def test_spoiler_visibility_language(alice):
    tag = marker("cw")
    st = alice.status_post(f"behind a warning {tag}", spoiler_text="CW: testing",
                           visibility="unlisted", language="en")
    assert st.spoiler_text == "CW: testing"
    assert st.visibility == "unlisted"
    assert st.language == "en"
    assert st.sensitive is True, "Mastodon marks statuses with a spoiler_text as sensitive"
    assert tag in st.content
    assert st.account.username == "alice"
    assert st.created_at is not None, "created_at must be an ISO 8601 timestamp"

    again = alice.status(st.id)
    assert str(again.id) == str(st.id)
    assert again.spoiler_text == "CW: testing" and again.visibility == "unlisted"


def test_private_post_hidden_from_non_followers(alice, carol):
    tag = marker("priv")
    st = alice.status_post(f"followers only {tag}", visibility="private")
    assert st.visibility == "private"
    assert str(alice.status(st.id).id) == str(st.id), "author must see her own private post"
    with pytest.raises(MastodonNotFoundError):
        carol.status(st.id)  # carol does not follow alice


def test_mention_hashtag_link(herd, alice, bob, accounts):
    tag = marker("mh")
    link = f"https://example.org/herd-link-{tag}"
    st = alice.status_post(f"Hey @bob look at {link} #herdtest {tag}", visibility="public")

    # mention
    assert [m.username for m in st.mentions] == ["bob"], f"mentions: {st.mentions!r}"
    mention = st.mentions[0]
    assert str(mention.id) == str(accounts["bob"].id)
    assert mention.acct == "bob"
    assert mention.url, "mention.url must be set"
    assert f'href="{mention.url}"' in st.content, (
        f"content must link the mention to {mention.url}: {st.content!r}"
    )
    assert "mention" in st.content, "mention links carry class \"u-url mention\""

    # link
    assert re.search(r'<a\b[^>]*href="' + re.escape(link) + '"', st.content), (
        f"URL in the text must become a link in content: {st.content!r}"
    )

    # hashtag
    assert "herdtest" in [t.name.lower() for t in st.tags], f"tags: {st.tags!r}"
    assert re.search(r'<a\b[^>]*href="[^"]*/tags/herdtest"', st.content, re.I), (
        f"hashtag must be linked in content: {st.content!r}"
    )
    tagged = wait_for(
        lambda: str(st.id) in ids(alice.timeline_hashtag("herdtest")),
        "the status to appear in timeline_hashtag('herdtest')",
    )
    assert tagged

    # bob is notified
    n = wait_notification(bob, "mention", account_id=accounts["alice"].id, status_id=st.id, who="bob")
    assert n.status.account.username == "alice"


def test_reply(alice, bob, accounts):
    tag = marker("rp")
    parent = alice.status_post(f"Question for @bob {tag}")
    reply = bob.status_post(f"@alice here is my answer {tag}", in_reply_to_id=parent.id)
    assert str(reply.in_reply_to_id) == str(parent.id)
    assert str(reply.in_reply_to_account_id) == str(accounts["alice"].id)

    # status_reply: Mastodon.py builds the mention list from the parent (needs
    # account.acct, mentions[] and verify_credentials).
    reply2 = bob.status_reply(parent, f"second answer {tag}")
    assert str(reply2.in_reply_to_id) == str(parent.id)
    assert "alice" in [m.username for m in reply2.mentions]

    ctx = alice.status_context(parent.id)
    assert {str(reply.id), str(reply2.id)} <= set(ids(ctx.descendants)), (
        f"context.descendants should contain both replies: {ids(ctx.descendants)}"
    )
    assert ids(bob.status_context(reply.id).ancestors) == [str(parent.id)]


def test_media_upload_and_attach(alice):
    png = make_png(64, 64, (46, 139, 87))
    media = alice.media_post(png, mime_type="image/png", description="A green square")
    assert media.id, "media_post must return an id"
    assert media.type == "image", f"media type should be 'image', got {media.type!r}"

    def processed():
        m = alice.media(media.id)
        return m if m.get("url") else None

    media = wait_for(processed, "the media attachment url to be set", timeout=20)
    assert media.description == "A green square"

    st = alice.status_post(f"with media {marker('md')}", media_ids=[media])
    assert len(st.media_attachments) == 1, f"media_attachments: {st.media_attachments!r}"
    att = st.media_attachments[0]
    assert str(att.id) == str(media.id)
    assert att.type == "image"
    assert att.description == "A green square"
    assert isinstance(att.blurhash, str) and len(att.blurhash) >= 6, f"blurhash: {att.blurhash!r}"
    assert att.url and att.preview_url, f"url/preview_url must be set: {dict(att)!r}"
    original = (att.meta or {}).get("original") or {}
    assert (original.get("width"), original.get("height")) == (64, 64), (
        f"meta.original should give the 64x64 size, got meta={att.meta!r}"
    )
    resp = http_get(att.url)
    assert resp.status_code == 200, f"GET {att.url} -> {resp.status_code}"
    assert resp.headers.get("Content-Type", "").startswith("image/")
    assert http_get(att.preview_url).status_code == 200
