"""3. Profile updates: display name, bio, profile fields, avatar upload."""

from herd_helpers import http_get, make_png, marker


def test_update_profile_text_and_fields(alice):
    tag = marker("bio")
    note = f"Hello from pytest {tag}"
    updated = alice.account_update_credentials(
        display_name="Alice Liddell",
        note=note,
        fields=[("Website", "https://example.org")],
    )
    assert updated.display_name == "Alice Liddell"
    assert tag in updated.note, f"note (HTML) should contain the bio text, got {updated.note!r}"

    me = alice.account_verify_credentials()
    assert me.display_name == "Alice Liddell"
    assert tag in me.note
    assert me.source is not None, "verify_credentials must include `source`"
    assert me.source.note == note, f"source.note must be the plain text bio, got {me.source.note!r}"

    assert len(me.fields) == 1, f"expected exactly one profile field, got {me.fields!r}"
    field = me.fields[0]
    assert field.name == "Website"
    assert "https://example.org" in field.value, (
        f"field value (HTML) should link https://example.org, got {field.value!r}"
    )
    src_fields = me.source.get("fields") or []
    assert [(f.name, f.value) for f in src_fields] == [("Website", "https://example.org")], (
        f"source.fields must hold the raw field values, got {src_fields!r}"
    )


def test_update_avatar(alice):
    before = alice.account_verify_credentials().avatar
    png = make_png(64, 64, (30, 144, 255))
    updated = alice.account_update_credentials(avatar=png, avatar_mime_type="image/png")
    assert updated.avatar, "avatar URL must be non-empty after upload"
    assert updated.avatar != before, (
        f"avatar URL must change after an upload (clients cache by URL); still {before!r}"
    )
    assert alice.account_verify_credentials().avatar == updated.avatar

    resp = http_get(updated.avatar)
    assert resp.status_code == 200, f"GET {updated.avatar} -> {resp.status_code}"
    assert resp.headers.get("Content-Type", "").startswith("image/"), (
        f"avatar served as {resp.headers.get('Content-Type')!r}"
    )
    assert len(resp.content) > 0
    if updated.get("avatar_static"):
        assert http_get(updated.avatar_static).status_code == 200


def test_profile_visible_to_others(alice, bob, accounts):
    alice.account_update_credentials(display_name="Alice Liddell")
    seen = bob.account(accounts["alice"].id)
    assert seen.display_name == "Alice Liddell"
    looked_up = bob.account_lookup("alice")
    assert str(looked_up.id) == str(accounts["alice"].id)
