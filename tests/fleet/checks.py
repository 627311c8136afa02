"""The fleet checks that need only keygate, PostgreSQL and nginx: a session across instances, the
WebSocket upgrade through nginx, a revocation seen by the other instance under load, every request
logged exactly once, and X-Forwarded-For believed from the proxy only.

Each check prints its figures and raises `CheckFailed` with the reason when the fleet is wrong.
"""

import base64
import json
import os
import socket
import time

from client import Client, Load, run_count
from cluster import USERNAME


class CheckFailed(Exception):
    """A check saw the fleet misbehave; the message says what it saw."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Session:
    """A signed-in browser session: the cookie and the CSRF token, usable against any port."""

    def __init__(self, cookie, csrf):
        self.cookie, self.csrf = cookie, csrf

    def headers(self, unsafe=False):
        headers = {"Cookie": self.cookie}
        if unsafe:
            headers["X-CSRF-Token"] = self.csrf
        return headers


def sign_in(port, password):
    answer = Client(port).post("/api/auth/login", {"username": USERNAME, "password": password})
    expect(answer.status == 200, f"sign-in answered {answer.status}: {answer.body}")
    cookie = next(c.split(";", 1)[0] for c in answer.headers["set-cookie"] if c.startswith("keygate_session="))
    return Session(cookie, answer.body["csrf_token"])


def create_key(port, session, name, scopes=("read", "trade")):
    """Issues a key through instance `port`; returns (id, plaintext)."""
    answer = Client(port).post("/api/keys", {"name": name, "scopes": list(scopes)}, session.headers(unsafe=True))
    expect(answer.status == 201, f"creating key {name} answered {answer.status}: {answer.body}")
    return answer.body["key"]["id"], answer.body["api_key"]


def wait_key_known(ports, key, timeout=3.0):
    """A key made in one process verifies in another after that one's next key-change poll
    (250 ms): wait until every instance answers it, and say how long that took."""
    started = time.monotonic()
    for port in ports:
        client = Client(port)
        while client.ping(key).status != 200:
            expect(time.monotonic() - started < timeout, f"a new key was not known on :{port} after {timeout} s")
            time.sleep(0.02)
    return time.monotonic() - started


def check_session_across_instances(fleet):
    """1. A session made through A works on B: read (the session route) and write (a key, with
    the CSRF token A issued)."""
    a, b = fleet.ports["a"], fleet.ports["b"]
    session = sign_in(a, fleet.password)
    answer = Client(b).get("/api/auth/session", session.headers())
    expect(answer.status == 200 and answer.body["user"]["username"] == USERNAME,
           f"B did not know A's session: {answer.status} {answer.body}")
    # Through nginx, the feed's URL names the address the client used (nginx passes its Host on).
    nginx = fleet.ports["nginx"]
    via_proxy = Client(nginx).get("/api/auth/session", session.headers())
    expect(via_proxy.status == 200 and via_proxy.body["ws_url"] == f"ws://127.0.0.1:{nginx}/ws",
           f"the session through nginx answered {via_proxy.status}, feed URL {via_proxy.body}")
    forged = Client(b).post("/api/keys", {"name": "no-csrf"}, session.headers())
    expect(forged.status == 403, f"B took a change without A's CSRF token: {forged.status}")
    keys = {name: create_key(b, session, name) for name in ("load", "revoked", "count", "orders", "fallback")}
    seen = max(wait_key_known([a, b], key) for _, key in keys.values())
    print(f"  signed in on A; through nginx the session names the feed {via_proxy.body['ws_url']}")
    print(f"  B: GET /api/auth/session 200 ({USERNAME}), POST /api/keys without the"
          f" CSRF token 403, with it 201 x{len(keys)}; keys made on B verified on A within {seen * 1000:.0f} ms")
    return session, keys


def ws_frame(text):
    """One masked client text frame (RFC 6455 section 5.2), payload under 64 KiB."""
    payload, mask = text.encode(), os.urandom(4)
    length = bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    return bytes([0x81]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_read_text(sock):
    """The next server text frame's payload (servers do not mask; short frames only)."""
    head = sock.recv(2)
    length = head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(sock.recv(2), "big")
    data = b""
    while len(data) < length:
        data += sock.recv(length - len(data))
    return data.decode()


def check_websocket_through_nginx(fleet, keys):
    """0. The market-data feed through nginx: the handshake is upgraded (Upgrade and Connection
    forwarded) and a frame goes each way (the key authenticates on whichever instance took it)."""
    _, key = keys["load"]
    nonce = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{fleet.ports['nginx']}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {nonce}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    with socket.create_connection(("127.0.0.1", fleet.ports["nginx"]), timeout=5) as s:
        s.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1)
            expect(chunk, "nginx closed the WebSocket handshake")
            head += chunk
        status_line = head.split(b"\r\n", 1)[0].decode()
        expect(" 101 " in status_line, f"/ws through nginx answered `{status_line}`, not 101")
        s.sendall(ws_frame(json.dumps({"action": "authenticate", "api_key": key})))
        reply = json.loads(ws_read_text(s))
    expect(reply.get("type") == "auth" and reply.get("status") == "success", f"authenticate answered {reply}")
    print(f"  GET /ws through nginx -> `{status_line}`; authenticate -> {reply['status']}")


def check_revocation_under_load(fleet, session, keys):
    """2. A key revoked through A is refused by B within 1 s while load runs through nginx."""
    (revoked_id, revoked), (_, load_key) = keys["revoked"], keys["load"]
    load = Load(fleet.ports["nginx"], lambda c: c.ping(load_key), threads=3).start()
    probe = Load(fleet.ports["b"], lambda c: c.ping(revoked), threads=1).start()
    time.sleep(0.5)
    answer = Client(fleet.ports["a"]).post(f"/api/keys/{revoked_id}/revoke", {}, session.headers(unsafe=True))
    revoked_at = time.monotonic()
    expect(answer.status == 200, f"revoking through A answered {answer.status}: {answer.body}")
    time.sleep(1.5)
    probe.stop()
    load.stop()
    expect(not probe.errors and not load.errors, f"requests failed under load: {(probe.errors + load.errors)[:3]}")
    probes = sorted(probe.answers, key=lambda a: a.sent)
    refusals = [a for a in probes if a.status == 403 and a.received > revoked_at]
    expect(refusals, "B never refused the revoked key")
    first_refusal = refusals[0].received - revoked_at
    late_ok = [a for a in probes if a.status == 200 and a.sent > revoked_at]
    last_ok = max((a.sent - revoked_at for a in late_ok), default=0.0)
    after_first = sorted({a.status for a in probes if a.sent > refusals[0].received} - {403})
    expect(not after_first, f"B answered {after_first} after it had refused the key")
    expect(first_refusal < 1.0 and last_ok < 1.0,
           f"B refused the key {first_refusal * 1000:.0f} ms after the revoke (limit 1000 ms)")
    bad_load = [a.status for a in load.answers if a.status != 200]
    expect(not bad_load, f"the load's own key got {sorted(set(bad_load))}")
    window = 2.0
    print(f"  load {len(load.answers) / window:.0f} req/s through nginx (all 200) + {len(probes) / window:.0f}"
          f" req/s on B with the key; revoked through A: B accepted requests sent up to {last_ok * 1000:.0f} ms"
          f" later, refused from {first_refusal * 1000:.0f} ms on (then every one: {len(refusals)} x 403)")
    final = Client(fleet.ports["a"]).ping(revoked)
    expect(final.status == 403, f"A still accepts its revoked key: {final.status}")


def wait_rows(fleet, sql, expected, timeout=5.0):
    """Polls a count query until it reaches `expected` (the writer flushes every 50 ms)."""
    deadline = time.monotonic() + timeout
    while True:
        count = int(fleet.db.query(sql)[0][0])
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def check_exactly_once(fleet, keys, count=600):
    """3. A fixed-count run through nginx: every request is in the traffic log exactly once, found
    by the X-Request-Id each answer carried; nginx's log says which instance served it."""
    key_id, key = keys["count"]
    before = len(fleet.access_log())
    earlier = {row[0] for row in fleet.db.query(f"SELECT request_id FROM traffic_logs WHERE key_id = {key_id}")}
    answers = run_count(fleet.ports["nginx"], count, lambda c: c.ping(key))
    statuses = sorted({a.status for a in answers})
    expect(statuses == [200], f"the run got statuses {statuses}")
    ids = [a.request_id for a in answers]
    expect(len(set(ids)) == count, f"{count} answers carried {len(set(ids))} distinct request ids")
    # Rows of this key from before the run (the pings that waited for the key to be known) aside.
    rows = wait_rows(fleet, f"SELECT count(*) FROM traffic_logs WHERE key_id = {key_id}", count + len(earlier))
    rows -= len(earlier)
    per_id = dict(fleet.db.query(
        f"SELECT request_id, count(*) FROM traffic_logs WHERE key_id = {key_id} GROUP BY request_id"))
    per_id = {i: n for i, n in per_id.items() if i not in earlier}
    missing = [i for i in ids if i not in per_id]
    doubled = {i: n for i, n in per_id.items() if n != "1"}
    strangers = set(per_id) - set(ids)
    expect(rows == count and not missing and not doubled and not strangers,
           f"{count} requests -> {rows} rows: {len(missing)} missing, {len(doubled)} logged twice or more,"
           f" {len(strangers)} unknown ids")
    proxied = [r for r in fleet.access_log()[before:] if r.get("request_id") in set(ids)]
    split = {name: sum(1 for r in proxied if fleet.upstream_name(r["upstream"]) == name) for name in ("a", "b")}
    expect(len(proxied) == count and min(split.values()) > 0, f"nginx's log shows {len(proxied)} lines, split {split}")
    print(f"  {count} pings through nginx (A served {split['a']}, B {split['b']}): {rows} traffic rows,"
          f" {len(per_id)} distinct request ids, each exactly once")
    return split


def client_ip_of(fleet, answer):
    sql = f"SELECT count(*) FROM traffic_logs WHERE request_id = '{answer.request_id}'"
    wait_rows(fleet, sql, 1)
    rows = fleet.db.query(f"SELECT client_ip FROM traffic_logs WHERE request_id = '{answer.request_id}'")
    expect(len(rows) == 1, f"request {answer.request_id} has {len(rows)} traffic rows")
    return rows[0][0]


def check_forwarded_for(fleet, keys):
    """4. X-Forwarded-For is believed from nginx only: a client's header sent straight to an
    instance is ignored, and one sent through nginx is replaced by nginx's own."""
    _, key = keys["load"]
    forged = {"X-API-KEY": key, "X-Forwarded-For": "203.0.113.7"}
    direct = Client(fleet.ports["a"], source="127.0.0.5").post("/api/v1/ping", {}, forged)
    proxied = Client(fleet.ports["nginx"], source="127.0.0.3").post("/api/v1/ping", {}, forged)
    expect(direct.status == 200 and proxied.status == 200, f"pings answered {direct.status}, {proxied.status}")
    seen_direct, seen_proxied = client_ip_of(fleet, direct), client_ip_of(fleet, proxied)
    expect(seen_direct == "127.0.0.5", f"a forged X-Forwarded-For straight to A was believed: {seen_direct}")
    expect(seen_proxied == "127.0.0.3", f"through nginx the client was logged as {seen_proxied}, not 127.0.0.3")
    print(f"  from 127.0.0.5 straight to A with X-Forwarded-For 203.0.113.7: logged as {seen_direct};"
          f" from 127.0.0.3 through nginx with the same header: logged as {seen_proxied}")
