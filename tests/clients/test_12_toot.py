"""12. toot, a real Mastodon CLI client (JSON bodies, password login), run as its own process."""

import os
import subprocess
import sys
import textwrap

from herd_helpers import PASSWORD, marker, wait_for

# toot resolves org-a.test itself: a sitecustomize hook maps *.test to loopback in its process.
HOOK = textwrap.dedent(
    """
    import socket
    _orig = socket.getaddrinfo
    def _gai(host, *a, **k):
        if isinstance(host, str) and host.endswith(".test"):
            host = "127.0.0.1"
        return _orig(host, *a, **k)
    socket.getaddrinfo = _gai
    """
)


def test_toot_logs_in_posts_and_reads(herd, tmp_path, alice):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    env = dict(os.environ, PYTHONPATH=str(hook), XDG_CONFIG_HOME=str(tmp_path / "cfg"), NO_PROXY="*", no_proxy="*")

    def toot(*args, stdin=None):
        p = subprocess.run([sys.executable, "-m", "toot", *args], input=stdin, env=env, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, f"toot {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}"
        return p.stdout

    out = toot("login_cli", "-i", herd.base("a"), "-e", "alice@example.org", stdin=PASSWORD + "\n")
    assert "Successfully logged in" in out, out
    assert "alice" in toot("whoami")

    tag = marker("toot")
    out = toot("post", f"Posted with toot {tag}")
    assert "/@alice/" in out, out
    # The post is really there, for other clients too.
    wait_for(lambda: any(tag in s.content for s in alice.timeline_home()), "toot's post in alice's home timeline")
    assert tag in toot("timeline")
