"""19. Moderation through Mastodon.py's admin_* methods: a moderator of org-a works the
report queue, acts on an account and blocks a server; org-b sees none of it."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonUnauthorizedError

from herd_helpers import PASSWORD, make_client, marker

ADMIN_SCOPES = "read write follow push admin:read admin:write"


@pytest.fixture(scope="module")
def moderator(herd):
    name = f"mod{marker('')[:6]}"
    herd.cli("account", "create", "--tenant", herd.domain("a"), name, "--email", f"{name}@example.org",
             "--password", PASSWORD, "--role", "moderator")
    token = herd.cli("token", "create", "--tenant", herd.domain("a"), name, "--scopes", ADMIN_SCOPES).strip()
    return make_client(herd.base("a"), token)


@pytest.fixture(scope="module")
def admin(herd):
    name = f"adm{marker('')[:6]}"
    herd.cli("account", "create", "--tenant", herd.domain("a"), name, "--email", f"{name}@example.org",
             "--password", PASSWORD, "--role", "admin")
    token = herd.cli("token", "create", "--tenant", herd.domain("a"), name, "--scopes", ADMIN_SCOPES).strip()
    return make_client(herd.base("a"), token)


def test_report_queue_and_account_action(moderator, alice, carol, accounts):
    post = carol.status_post(f"reported {marker('rep')}", visibility="public")
    report = alice.report(accounts["carol"].id, status_ids=[post.id], comment="not nice", category="other")

    queue = moderator.admin_reports()
    mine = [r for r in queue if r.id == report.id]
    assert mine, "the report is in the open queue"
    r = mine[0]
    assert r.target_account.username == "carol"
    assert r.target_account.account.acct == "carol"
    assert r.statuses[0].id == post.id
    assert r.action_taken is False

    assigned = moderator.admin_report_assign(report.id)
    assert assigned.assigned_account is not None

    moderator.admin_account_moderate(accounts["carol"].id, action="silence", report_id=report.id,
                                     text="Please be nice.")
    account = moderator.admin_account(accounts["carol"].id)
    assert account.silenced is True
    assert account.email == "carol@example.org"
    assert moderator.admin_report(report.id).action_taken is True

    listed = moderator.admin_accounts_v2(status="silenced")
    assert any(a.id == accounts["carol"].id for a in listed)
    assert moderator.admin_account_unsilence(accounts["carol"].id).silenced is False

    warnings = carol.notifications(types=["moderation_warning"])
    assert warnings and warnings[0].moderation_warning.action == "silence"
    assert warnings[0].moderation_warning.text == "Please be nice."


def test_domain_blocks(admin, moderator):
    domain = f"{marker('spam')}.example"
    block = admin.admin_create_domain_block(domain, severity="suspend", reject_media=True,
                                            public_comment="spam", obfuscate=False)
    assert block.domain == domain and block.severity == "suspend"
    changed = admin.admin_update_domain_block(block.id, severity="silence")
    assert changed.severity == "silence" and changed.reject_media is True
    assert any(b.id == block.id for b in admin.admin_domain_blocks())
    # Moderators may not change federation (Mastodon gives that to admins).
    with pytest.raises(MastodonAPIError):
        moderator.admin_create_domain_block(f"{marker('x')}.example", severity="suspend")
    admin.admin_delete_domain_block(block.id)
    assert not any(b.id == block.id for b in admin.admin_domain_blocks())


def test_members_and_other_instances_are_refused(herd, alice, moderator):
    with pytest.raises(MastodonAPIError):
        alice.admin_reports()
    stranger = make_client(herd.base("b"), moderator.access_token)
    with pytest.raises(MastodonUnauthorizedError):
        stranger.admin_reports()


def test_email_and_ip_blocks(admin):
    domain = f"{marker('mail')}.example"
    block = admin.admin_create_email_domain_block(domain)
    assert block.domain == domain and len(block.history) == 7
    assert admin.admin_email_domain_block(block.id).domain == domain
    assert any(b.id == block.id for b in admin.admin_email_domain_blocks())
    admin.admin_delete_email_domain_block(block.id)

    canonical = admin.admin_create_canonical_email_block(email=f"{marker('jo')}.doe@example.com")
    assert len(canonical.canonical_email_hash) == 64
    assert admin.admin_canonical_email_block(canonical.id).id == canonical.id
    admin.admin_delete_canonical_email_block(canonical.id)

    ip = admin.admin_create_ip_block("192.0.2.0/24", "sign_up_block", comment="test net", expires_in=3600)
    assert ip.ip == "192.0.2.0/24" and ip.severity == "sign_up_block"
    changed = admin.admin_update_ip_block(ip.id, severity="sign_up_requires_approval")
    assert changed.severity == "sign_up_requires_approval" and changed.comment == "test net"
    assert any(b.id == ip.id for b in admin.admin_ip_blocks())
    admin.admin_delete_ip_block(ip.id)


def test_measures(admin):
    import datetime
    end = datetime.datetime.now(datetime.timezone.utc)
    start = end - datetime.timedelta(days=6)
    measures = admin.admin_measures(start, end, new_users=True, active_users=True, opened_reports=True)
    keys = {m.key for m in measures}
    assert keys == {"new_users", "active_users", "opened_reports"}
    new_users = next(m for m in measures if m.key == "new_users")
    assert int(new_users.total) >= 4
    assert len(new_users.data) == 7
