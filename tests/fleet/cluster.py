"""The fleet under test, as local processes: a fresh PostgreSQL database, a Redis server of its own,
keygate instances A and B with the same secrets, and Debian's nginx in front with deploy/nginx.conf.

The topology of deploy/compose.yaml on loopback. nginx reaches the instances from 127.0.0.1, the one
trusted proxy (`KEYGATE_TRUSTED_PROXIES`); the test's own "direct" clients connect from other
loopback addresses (127.0.0.0/8 is all local on Linux), so the instances can tell them apart.
"""

import base64
import os
import secrets
import signal
import socket
import string
import subprocess
import time
import urllib.parse
from pathlib import Path

PROXY_ADDRESS = "127.0.0.1"
USERNAME = "fleet"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, ready, process=None, timeout=30.0):
    """Polls `ready()` until true; fails early when `process` exited, or after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} while starting")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} was not ready within {timeout:.0f} s")


def http_ok(port, path="/health"):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    finally:
        conn.close()


class Service:
    """A child process with its output in `log`, stopped by `stop()` (SIGTERM, then SIGKILL)."""

    def __init__(self, name, argv, env, log, cwd):
        self.name, self.log = name, log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self, lines=30):
        text = Path(self.log).read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


class Postgres:
    """A database of its own on the server `TEST_DATABASE_URL` names, dropped at the end. The
    `kgt_` prefix lets scripts/test.sh sweep it up if a run is killed first."""

    def __init__(self, server_url):
        self.server_url = server_url
        self.name = f"kgt_fleet_{secrets.token_hex(6)}"
        parts = urllib.parse.urlsplit(server_url)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))

    def create(self):
        self._psql(self.server_url, f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self):
        self._psql(self.server_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', check=False)

    def query(self, sql):
        """Rows of `sql` on the fleet's database, as lists of strings."""
        out = self._psql(self.url, sql)
        return [line.split("|") for line in out.splitlines() if line]

    @staticmethod
    def _psql(url, sql, check=True):
        done = subprocess.run(
            ["psql", url, "-XAtqc", sql], capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout


class Fleet:
    """Starts and stops every process of the fleet; `work` is a private temporary directory."""

    def __init__(self, keygate_bin, repo, work, server_url):
        self.bin, self.repo, self.work = keygate_bin, Path(repo), Path(work)
        self.db = Postgres(server_url)
        self.services = []
        self.redis_port = free_port()
        self.ports = {"a": free_port(), "b": free_port(), "nginx": free_port()}
        self.metrics_ports = {"a": free_port(), "b": free_port()}
        self.password = secrets.token_urlsafe(18)
        # The same three secrets on every instance, as deploy/README.md asks.
        self.secrets = {
            "API_KEY_PEPPER": secrets.token_hex(32),
            "KEYGATE_FERNET_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "KEYGATE_SESSION_SECRET": secrets.token_hex(32),
        }

    # --- settings -------------------------------------------------------------------------

    def settings(self, name):
        """Instance `name`'s whole environment: nothing from the caller's (`env -i`)."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.work),
            "KEYGATE_ENV": "production",
            "KEYGATE_COOKIE_SECURE": "false",
            "DATABASE_URL": self.db.url,
            "KEYGATE_DATA_DIR": str(self.work / name),
            "KEYGATE_STATIC_DIR": str(self.work / "no-spa"),
            "KEYGATE_BIND": f"127.0.0.1:{self.ports.get(name, 0)}",
            "KEYGATE_WS_BIND": "off",
            "KEYGATE_TRUSTED_PROXIES": PROXY_ADDRESS,
            "KEYGATE_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}",
            "KEYGATE_REDIS_PREFIX": f"fleet-{self.db.name}",
            # The shipped 50 ms is a production budget; a loaded CI machine can stall a process
            # longer than that, and each stall sends the instance to its local limit (by design),
            # which lets the shared-limit check's key through at twice the rate. Redis stopped
            # outright (the fallback check) fails at once, whatever this says.
            "KEYGATE_REDIS_TIMEOUT_MS": "500",
            "KEYGATE_METRICS_BIND": f"127.0.0.1:{self.metrics_ports.get(name, 0)}",
            # The load checks send thousands of data calls a second with one key from one
            # address: only the order limit (10/s, checked by the limit check) stays as shipped.
            "KEYGATE_RATE_DATA": "1000000/s",
            "KEYGATE_RATE_API_PER_IP": "off",
            "KEYGATE_RATE_DEFAULT": "off",
            # A revoked key under load is refused thousands of times; that must not ban loopback.
            "KEYGATE_BAN_THRESHOLD": "0",
            "RUST_LOG": "warn",
            **self.secrets,
        }

    # --- start and stop -------------------------------------------------------------------

    def start(self):
        (self.work / "no-spa").mkdir()
        self.db.create()
        self._start_redis()
        # The CLI applies the migrations once, before either instance starts.
        self.cli(["user", "create", "--username", USERNAME, "--admin"], stdin=self.password + "\n")
        for name in ("a", "b"):
            (self.work / name).mkdir()
            service = self._spawn(name, [self.bin, "serve"], self.settings(name))
            wait_until(f"keygate {name}", lambda: http_ok(self.ports[name]), service.process)
        self._start_nginx()
        return self

    def stop(self):
        for service in reversed(self.services):
            service.stop()
        self.db.drop()

    def cli(self, args, stdin=None):
        done = subprocess.run(
            [self.bin, *args], env=self.settings("cli"), cwd=self.work, input=stdin,
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"keygate {args[0]} {args[1]} failed: {done.stderr.strip()}")
        return done.stdout

    def _spawn(self, name, argv, env):
        service = Service(name, [str(a) for a in argv], env, self.work / f"{name}.log", self.work)
        self.services.append(service)
        return service

    def _start_redis(self):
        argv = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.redis = self._spawn("redis", argv, {"PATH": os.environ.get("PATH", "")})

        def pong():
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        wait_until("redis-server", pong, self.redis.process)

    def stop_redis(self):
        """Stops the fleet's Redis (never the machine's own): what the fallback check needs."""
        self.redis.stop()

    def _start_nginx(self):
        home = self.work / "nginx"
        home.mkdir()
        site = string.Template((self.repo / "deploy" / "nginx.conf").read_text()).safe_substitute(
            NGINX_LISTEN=f"127.0.0.1:{self.ports['nginx']}",
            KEYGATE_A=f"127.0.0.1:{self.ports['a']}",
            KEYGATE_B=f"127.0.0.1:{self.ports['b']}",
            NGINX_ACCESS_LOG=str(home / "access.log"),
        )
        (home / "keygate.conf").write_text(site)
        temp = "\n".join(
            f"    {kind}_temp_path {home}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # Run as root (CI), the workers stay root so they can enter the private directory.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (home / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {home}/nginx.pid;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n{temp}\n    include {home}/keygate.conf;\n}}\n"
        )
        nginx = os.environ.get("NGINX", "nginx")
        argv = [nginx, "-p", home, "-c", home / "nginx.conf", "-e", home / "error.log", "-g", "daemon off;"]
        self.nginx = self._spawn("nginx", argv, {"PATH": os.environ.get("PATH", "") + ":/usr/sbin"})
        wait_until("nginx", lambda: http_ok(self.ports["nginx"]), self.nginx.process)

    def access_log(self):
        """nginx's access log lines as dicts: status, upstream, request_id (deploy/nginx.conf)."""
        lines = (self.work / "nginx" / "access.log").read_text().splitlines()
        rows = []
        for line in lines:
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            rows.append(fields)
        return rows

    def upstream_name(self, address):
        """`a` or `b` for an nginx `$upstream_addr`."""
        for name in ("a", "b"):
            if address == f"127.0.0.1:{self.ports[name]}":
                return name
        return address
