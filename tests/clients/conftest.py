"""Start one Herd server with two tenants and drive it with the real Mastodon.py client.

Environment:
  HERD_BIN            path of the herd binary (default: <repo>/target/debug/herd)
  HERD_DATABASE_URL   passed through unchanged to every herd invocation (if set)
  HERD_TEST_PG_URL    e.g. postgres://postgres@127.0.0.1:5432 -> a fresh database
                      herd_py_<hex> is created for the session (via psql) and dropped afterwards
"""

import os
import shlex
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from herd_helpers import PASSWORD, USERS, make_client

# ---------------------------------------------------------------------------
# Name resolution: *.test -> 127.0.0.1 (port kept). Installed at import time so
# every client (Mastodon.py, requests) sends the tenant's Host header naturally.
# ---------------------------------------------------------------------------
_original_getaddrinfo = socket.getaddrinfo


def _herd_getaddrinfo(host, port, *args, **kwargs):
    name = host.decode("ascii", "ignore") if isinstance(host, (bytes, bytearray)) else host
    if isinstance(name, str) and name.rstrip(".").lower().endswith(".test"):
        host = "127.0.0.1"
    return _original_getaddrinfo(host, port, *args, **kwargs)


if getattr(socket.getaddrinfo, "__name__", "") != "_herd_getaddrinfo":
    socket.getaddrinfo = _herd_getaddrinfo

# Never send test traffic through an HTTP proxy configured in the environment.
for _var in ("NO_PROXY", "no_proxy"):
    _cur = os.environ.get(_var, "")
    os.environ[_var] = ",".join(x for x in (_cur, ".test", "127.0.0.1", "localhost") if x)

REPO = Path(__file__).resolve().parents[2]
TOKEN_SCOPES = "read write follow push"

_SERVER_LOG = None  # path of the running server's log, for failure reports


def _herd_bin():
    raw = os.environ.get("HERD_BIN")
    if not raw:
        return REPO / "target" / "debug" / "herd"
    p = Path(raw)
    if p.is_absolute():
        return p
    for base in (Path.cwd(), REPO):
        if (base / p).exists():
            return (base / p).resolve()
    return (Path.cwd() / p).resolve()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=200):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"<could not read {path}: {e}>"
    return "\n".join(text.splitlines()[-lines:])


def _pg_db_url(base_url, dbname):
    base, _, query = base_url.partition("?")
    url = f"{base.rstrip('/')}/{dbname}"
    return f"{url}?{query}" if query else url


def _psql(base_url, sql):
    cmd = ["psql", _pg_db_url(base_url, "postgres"), "-v", "ON_ERROR_STOP=1", "-c", sql]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


class HerdServer:
    def __init__(self, binary, data_dir, env, port):
        self.bin = binary
        self.data_dir = data_dir
        self.env = env
        self.port = port
        self.domain_a = f"org-a.test:{port}"
        self.domain_b = f"org-b.test:{port}"
        self.base_a = f"http://{self.domain_a}"
        self.base_b = f"http://{self.domain_b}"
        self.log_path = data_dir / "herd-serve.log"
        self.proc = None
        self.tokens = {}

    def domain(self, tenant):
        return self.domain_a if tenant == "a" else self.domain_b

    def base(self, tenant):
        return self.base_a if tenant == "a" else self.base_b

    def cli(self, *args, timeout=180):
        cmd = [str(self.bin), *args]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(
                f"`{shlex.join(cmd)}` failed with exit code {p.returncode}\n"
                f"--- stdout ---\n{p.stdout}\n--- stderr ---\n{p.stderr}"
            )
        return p.stdout

    def start(self):
        global _SERVER_LOG
        logf = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [str(self.bin), "serve", "--listen", f"127.0.0.1:{self.port}",
                 "--data-dir", str(self.data_dir)],
                env=self.env, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        finally:
            logf.close()
        _SERVER_LOG = self.log_path
        url = f"http://127.0.0.1:{self.port}/api/v1/instance"
        deadline = time.monotonic() + 30
        last = "no attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"herd serve exited early with code {self.proc.returncode}\n"
                    f"--- server log ({self.log_path}) ---\n{_tail(self.log_path)}"
                )
            try:
                r = requests.get(url, headers={"Host": self.domain_a}, timeout=2)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}: {r.text[:300]}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.2)
        raise RuntimeError(
            f"herd serve not ready after 30s (GET {url} with Host: {self.domain_a}; last: {last})\n"
            f"--- server log ({self.log_path}) ---\n{_tail(self.log_path)}"
        )

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


@pytest.fixture(scope="session")
def herd(tmp_path_factory):
    binary = _herd_bin()
    if not binary.exists():
        pytest.fail(
            f"herd binary not found at {binary}. Build it first or set HERD_BIN.", pytrace=False
        )
    data_dir = tmp_path_factory.mktemp("herd-data")
    port = _free_port()

    env = dict(os.environ)
    env["HERD_PUBLIC_SCHEME"] = "http"
    env["HERD_DATA_DIR"] = str(data_dir)
    # The clients all come from 127.0.0.1 and send far more than Mastodon's limits allow.
    env["HERD_RATE_LIMIT_EXEMPT"] = "127.0.0.1"
    env.setdefault("RUST_BACKTRACE", "1")

    pg_url = os.environ.get("HERD_TEST_PG_URL")
    dbname = None
    if pg_url:
        dbname = f"herd_py_{uuid.uuid4().hex[:12]}"
        try:
            p = _psql(pg_url, f'CREATE DATABASE "{dbname}"')
        except FileNotFoundError:
            pytest.fail("HERD_TEST_PG_URL is set but `psql` is not installed", pytrace=False)
        if p.returncode != 0:
            pytest.fail(f"could not create database {dbname}:\n{p.stdout}\n{p.stderr}", pytrace=False)
        env["HERD_DATABASE_URL"] = _pg_db_url(pg_url, dbname)
    # else: SQLite (default) or whatever HERD_DATABASE_URL the environment carries, unchanged.

    server = HerdServer(binary, data_dir, env, port)
    try:
        server.cli("migrate", "--data-dir", str(data_dir))
        server.cli("tenant", "create", server.domain_a, "--name", "Org A", "--registrations", "open")
        server.cli("tenant", "create", server.domain_b, "--name", "Org B", "--registrations", "open")
        for username, (tenant, email) in USERS.items():
            server.cli("account", "create", "--tenant", server.domain(tenant), username,
                       "--email", email, "--password", PASSWORD)
        for username, (tenant, _email) in USERS.items():
            out = server.cli("token", "create", "--tenant", server.domain(tenant), username,
                             "--scopes", TOKEN_SCOPES)
            token = out.strip()
            assert token and not any(c.isspace() for c in token), (
                f"`herd token create` must print only the token on stdout, got {out!r}"
            )
            server.tokens[username] = token
        server.start()
        yield server
    finally:
        server.stop()
        if dbname:
            p = _psql(pg_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            if p.returncode != 0:  # PostgreSQL < 13 has no WITH (FORCE)
                _psql(pg_url, f'DROP DATABASE IF EXISTS "{dbname}"')


@pytest.fixture(scope="session")
def client_for(herd):
    """client_for(username) -> Mastodon client on the user's own tenant."""
    cache = {}

    def get(username):
        if username not in cache:
            tenant = USERS[username][0]
            cache[username] = make_client(herd.base(tenant), herd.tokens[username])
        return cache[username]

    return get


@pytest.fixture(scope="session")
def alice(client_for):
    return client_for("alice")


@pytest.fixture(scope="session")
def bob(client_for):
    return client_for("bob")


@pytest.fixture(scope="session")
def carol(client_for):
    return client_for("carol")


@pytest.fixture(scope="session")
def dave(client_for):
    return client_for("dave")


@pytest.fixture(scope="session")
def accounts(client_for):
    """username -> Account (as returned by verify_credentials at session start)."""
    result = {}
    for username in USERS:
        acct = client_for(username).account_verify_credentials()
        assert acct.username == username, f"token for {username} authenticates as {acct.username!r}"
        result[username] = acct
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _SERVER_LOG is not None:
        report.sections.append(
            (f"herd server log, last 150 lines ({_SERVER_LOG})", _tail(_SERVER_LOG, 150))
        )
