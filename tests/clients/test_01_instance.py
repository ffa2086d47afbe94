"""1. Instance information (v1, v2, rules) as Mastodon.py reads it."""

import warnings

from herd_helpers import make_client


def test_instance_v2(herd, alice):
    inst = alice.instance()  # picks v2 only if /api/v1/instance/ reports a version >= 4.0.0
    assert "configuration" in inst, (
        f"Mastodon.py's instance() returned the v1 shape; the version string from "
        f"GET /api/v1/instance/ was not parsed as >= 4.0.0: {dict(inst)!r}"
    )
    assert inst.domain == herd.domain_a, f"v2 domain should be the tenant domain, got {inst.domain!r}"
    assert inst.title == "Org A"
    assert inst.configuration.statuses.max_characters == 500
    assert inst.version.startswith("4."), f"unexpected version string {inst.version!r}"


def test_instance_v2_explicit_and_other_tenant(herd):
    anon_b = make_client(herd.base_b)
    inst = anon_b.instance_v2()
    assert inst.domain == herd.domain_b
    assert inst.title == "Org B"


def test_instance_v1(herd, alice):
    inst = alice.instance_v1()  # GET /api/v1/instance/ (note the trailing slash)
    assert inst.uri == herd.domain_a, f"v1 uri should be the bare tenant domain, got {inst.uri!r}"
    assert inst.title == "Org A"
    assert inst.version.startswith("4.")


def test_version_detection(herd):
    client = make_client(herd.base_a)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        version = client.retrieve_mastodon_version()
    assert version == "4.5.0", f"Mastodon.py parsed the server version as {version!r}"
    assert client.verify_minimum_version("4.0.0", cached=True)
    api_warnings = [str(w.message) for w in caught if "API version" in str(w.message)]
    assert not api_warnings, (
        "v2 instance lacks api_versions.mastodon, Mastodon.py warns: " + "; ".join(api_warnings)
    )


def test_instance_rules(alice):
    rules = alice.instance_rules()
    assert isinstance(rules, list), f"rules must be a JSON array, got {rules!r}"
    for rule in rules:
        assert rule.id and isinstance(rule.text, str), f"malformed rule {dict(rule)!r}"


def test_instance_anonymous(herd):
    inst = make_client(herd.base_a).instance_v1()
    assert inst.title == "Org A", "instance info must not require authentication"
