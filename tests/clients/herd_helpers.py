"""Small helpers shared by the Mastodon.py client tests (no server knowledge here)."""

import struct
import time
import uuid
import zlib

import requests
from mastodon import Mastodon

PASSWORD = "Herd-pytest-Passw0rd"
USERS = {
    # username: (tenant key, email)
    "alice": ("a", "alice@example.org"),
    "bob": ("a", "bob@example.org"),
    "carol": ("a", "carol@example.org"),
    "dave": ("b", "dave@example.net"),
}


def make_client(base_url, token=None, **kwargs):
    """A Mastodon.py client the way an app would build one (no version checks,
    fail fast on rate limiting instead of sleeping)."""
    return Mastodon(
        access_token=token,
        api_base_url=base_url,
        version_check_mode="none",
        ratelimit_method="throw",
        request_timeout=30,
        **kwargs,
    )


def make_png(width=64, height=64, rgb=(200, 40, 90)):
    """Return the bytes of a valid, solid-colour, 8-bit RGB PNG (pure Python)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width  # filter byte 0 (None) + pixels
    raw = row * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def marker(prefix="m"):
    """A short unique alphanumeric token to find our own statuses again."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def wait_for(fn, desc, timeout=20.0, interval=0.3):
    """Call fn() until it returns something truthy; return that value.

    Raises AssertionError naming `desc` on timeout. Exceptions from fn propagate.
    Used for anything the server may do asynchronously (fan-out, notifications,
    media processing)."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {desc}")
        time.sleep(interval)


def ids(items):
    """String ids of a list of entities (Mastodon.py ids are str subclasses)."""
    return [str(x.id) for x in items]


def id_key(status_id):
    """Sort key for ids: numeric if the id is numeric (Mastodon snowflakes), else the string."""
    s = str(status_id)
    return (0, int(s), "") if s.isdigit() else (1, 0, s)


def find_notification(client, ntype, account_id=None, status_id=None):
    """Return the first notification of the given type (and account/status) or None."""
    for n in client.notifications():
        if n.type != ntype:
            continue
        if account_id is not None and str(n.account.id) != str(account_id):
            continue
        if status_id is not None:
            if n.get("status") is None or str(n.status.id) != str(status_id):
                continue
        return n
    return None


def wait_notification(client, ntype, account_id=None, status_id=None, who="user", timeout=20.0):
    return wait_for(
        lambda: find_notification(client, ntype, account_id, status_id),
        f"a '{ntype}' notification for {who}"
        + (f" from account {account_id}" if account_id else "")
        + (f" about status {status_id}" if status_id else ""),
        timeout=timeout,
    )


def http_get(url, **kw):
    """Plain GET (used for media/avatar URLs). The .test resolver hook in conftest applies."""
    kw.setdefault("timeout", 15)
    return requests.get(url, **kw)
