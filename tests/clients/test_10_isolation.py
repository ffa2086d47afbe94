"""10. Tenant isolation: org-a and org-b share one server but nothing else."""

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError, MastodonNotFoundError, \
    MastodonUnauthorizedError

from herd_helpers import PASSWORD, ids, make_client, marker


def test_token_of_other_tenant_is_rejected(herd):
    dave_on_a = make_client(herd.base_a, herd.tokens["dave"])
    with pytest.raises(MastodonUnauthorizedError):
        dave_on_a.account_verify_credentials()
    alice_on_b = make_client(herd.base_b, herd.tokens["alice"])
    with pytest.raises(MastodonUnauthorizedError):
        alice_on_b.account_verify_credentials()
    with pytest.raises(MastodonUnauthorizedError):
        alice_on_b.status_post("should never be created")


def test_status_of_other_tenant_is_404(alice, dave):
    st = alice.status_post(f"org-a only {marker('iso')}", visibility="public")
    with pytest.raises(MastodonNotFoundError):
        dave.status(st.id)
    with pytest.raises(MastodonNotFoundError):
        make_client(dave.api_base_url).status(st.id)  # anonymous on org-b


def test_account_lookup_other_tenant_is_404(herd, alice, dave, accounts):
    with pytest.raises(MastodonNotFoundError):
        dave.account_lookup("alice")
    with pytest.raises(MastodonNotFoundError):
        dave.account(accounts["alice"].id)
    assert dave.account_lookup("dave").username == "dave"
    with pytest.raises(MastodonNotFoundError):
        alice.account_lookup("dave")


def test_timelines_do_not_leak(alice, dave):
    tag_a, tag_b = marker("ta"), marker("tb")
    a = alice.status_post(f"public on a {tag_a}")
    b = dave.status_post(f"public on b {tag_b}")
    b_local = dave.timeline_local(limit=40)
    b_public = dave.timeline_public(limit=40)
    a_public = alice.timeline_public(limit=40)
    assert not any(tag_a in s.content for s in b_local + b_public), "org-a post leaked into org-b"
    assert any(tag_b in s.content for s in b_local), "dave's post missing from org-b local timeline"
    assert not any(tag_b in s.content for s in a_public), "org-b post leaked into org-a"
    assert any(tag_a in s.content for s in a_public)
    assert str(a.id) in ids(a_public)
    assert str(b.id) in ids(b_local)


def test_oauth_app_of_other_tenant_is_rejected(herd):
    client_id, client_secret = Mastodon.create_app(
        "pytest-iso", api_base_url=herd.base_a, scopes=["read"]
    )
    m = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=herd.base_b,
                 version_check_mode="none")
    with pytest.raises((MastodonIllegalArgumentError, MastodonAPIError)):
        m.log_in("dave@example.net", PASSWORD, scopes=["read"], allow_http=True)
