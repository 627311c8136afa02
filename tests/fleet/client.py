"""HTTP for the fleet test: keep-alive JSON calls from a chosen source address, and a load runner.

Python's standard library only, so the test needs nothing installed. A `Client` is one keep-alive
connection (not shared between threads); `Load` runs callers on threads and records every answer.
"""

import http.client
import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Answer:
    """One response: status, headers (lower-case names) and the decoded JSON body (or None)."""

    status: int
    headers: dict
    body: object
    sent: float = 0.0
    received: float = 0.0

    @property
    def request_id(self):
        return self.headers.get("x-request-id")


class Client:
    """One keep-alive HTTP connection to `port` on 127.0.0.1, from `source` (a loopback address)
    when given, so a test can be a different client address than the proxy."""

    def __init__(self, port, source=None, timeout=10.0):
        self.port = port
        self.source = (source, 0) if source else None
        self.timeout = timeout
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout, source_address=self.source
            )
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """Sends one request and reads the whole answer. A connection the server closed is opened
        again once; any other failure propagates (the caller counts it as an error)."""
        payload = None if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        for attempt in (1, 2):
            conn = self._connection()
            sent = time.monotonic()
            try:
                conn.request(method, path, body=payload, headers=all_headers)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            received = time.monotonic()
            names = {k.lower(): v for k, v in response.getheaders()}
            cookies = response.headers.get_all("Set-Cookie") or []
            names["set-cookie"] = cookies
            try:
                decoded = json.loads(raw) if raw else None
            except ValueError:
                decoded = raw.decode(errors="replace")
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return Answer(response.status, names, decoded, sent, received)
        raise AssertionError("unreachable")

    def post(self, path, body=None, headers=None):
        return self.request("POST", path, body if body is not None else {}, headers)

    def get(self, path, headers=None):
        return self.request("GET", path, None, headers)

    def ping(self, key):
        """`POST /api/v1/ping` with the key in `X-API-KEY`."""
        return self.post("/api/v1/ping", {}, {"X-API-KEY": key})


@dataclass
class Load:
    """Runs `call(client)` in a loop on `threads` threads, each with its own `Client` to `port`,
    until `stop()`; every answer (or exception) is recorded with its times."""

    port: int
    call: object
    threads: int = 3
    answers: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]

    def _run(self):
        client = Client(self.port)
        mine, failures = [], []
        while not self._stop.is_set():
            try:
                mine.append(self.call(client))
            except Exception as error:  # counted: a load run must not stop on one failure
                failures.append((time.monotonic(), repr(error)))
                client.close()
        client.close()
        with self._lock:
            self.answers.extend(mine)
            self.errors.extend(failures)

    def start(self):
        for worker in self._workers:
            worker.start()
        return self

    def stop(self):
        self._stop.set()
        for worker in self._workers:
            worker.join()
        return self


def run_count(port, count, call, threads=4):
    """Sends exactly `count` calls over `threads` connections; returns the answers."""
    answers, lock = [], threading.Lock()
    shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

    def worker(share):
        client = Client(port)
        mine = [call(client) for _ in range(share)]
        client.close()
        with lock:
            answers.extend(mine)

    workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return answers
