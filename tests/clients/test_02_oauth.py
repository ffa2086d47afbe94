"""2. OAuth app registration + password grant, exactly as a Mastodon.py user would do it."""

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError, MastodonUnauthorizedError

from herd_helpers import PASSWORD, make_client

SCOPES = ["read", "write", "follow"]


@pytest.fixture(scope="module")
def app_a(herd):
    client_id, client_secret = Mastodon.create_app(
        "pytest", api_base_url=herd.base_a, scopes=SCOPES, website="https://example.org"
    )
    assert client_id and client_secret, "POST /api/v1/apps must return client_id and client_secret"
    return client_id, client_secret


def _status_of(exc):
    """HTTP status inside a Mastodon.py error (log_in wraps the API error in
    MastodonIllegalArgumentError; the original is the exception context)."""
    for e in (exc, exc.__cause__, exc.__context__):
        if isinstance(e, MastodonAPIError) and len(e.args) > 1 and isinstance(e.args[1], int):
            return e.args[1]
    return None


def test_password_grant_login(herd, app_a):
    client_id, client_secret = app_a
    m = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=herd.base_a,
                 version_check_mode="none")
    # allow_http: the server advertises http:// OAuth endpoints in local tests;
    # Mastodon.py refuses non-https OAuth URLs without this flag.
    token = m.log_in("alice@example.org", PASSWORD, scopes=SCOPES, allow_http=True)
    assert isinstance(token, str) and token, "log_in must return the access token"

    me = m.account_verify_credentials()
    assert me.username == "alice"
    assert me.acct == "alice", f"local accounts have a bare acct, got {me.acct!r}"

    fresh = make_client(herd.base_a, token)
    assert fresh.account_verify_credentials().username == "alice"

    app = Mastodon(client_id=client_id, client_secret=client_secret, access_token=token,
                   api_base_url=herd.base_a, version_check_mode="none").app_verify_credentials()
    assert app.name == "pytest"


def test_wrong_password_is_rejected_cleanly(herd, app_a):
    client_id, client_secret = app_a
    m = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=herd.base_a,
                 version_check_mode="none")
    with pytest.raises((MastodonIllegalArgumentError, MastodonAPIError)) as excinfo:
        m.log_in("alice@example.org", "definitely-wrong", scopes=SCOPES, allow_http=True)
    status = _status_of(excinfo.value)
    assert status in (400, 401), (
        f"wrong password must give 400/401 (invalid_grant), got {status}: {excinfo.value!r}"
    )
    assert m.access_token is None


def test_unknown_user_is_rejected_cleanly(herd, app_a):
    client_id, client_secret = app_a
    m = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=herd.base_a,
                 version_check_mode="none")
    with pytest.raises((MastodonIllegalArgumentError, MastodonAPIError)) as excinfo:
        m.log_in("nobody@example.org", PASSWORD, scopes=SCOPES, allow_http=True)
    status = _status_of(excinfo.value)
    assert status in (400, 401), f"unknown user must give 400/401, got {status}: {excinfo.value!r}"


def test_bad_token_is_401(herd):
    with pytest.raises(MastodonUnauthorizedError):
        make_client(herd.base_a, "not-a-real-token").account_verify_credentials()
