"""The fleet checks that need Redis and the metrics endpoint: one order limit across both instances,
the local fallback when Redis stops, and both instances' metrics.

Orders are LIMIT buys far below the market (they rest, cost nothing and change no position), sent
through nginx, so round robin spreads them over both instances.
"""

import time
import urllib.request

from checks import expect
from client import Client, Load, run_count

ORDER = {"strategy": "fleet", "symbol": "NHPC", "exchange": "NSE", "action": "BUY", "pricetype": "LIMIT",
         "product": "MIS", "quantity": "1", "price": "40"}
# KEYGATE_RATE_ORDERS as shipped: 10 a second, a burst of 10 (GCRA: the window's count).
RATE, BURST = 10, 10


def place(key):
    return lambda client: client.post("/api/v1/placeorder", ORDER, {"X-API-KEY": key})


def flood(fleet, key, seconds, during=None, threads=4):
    """Places orders through nginx as fast as `threads` connections go for `seconds`; `during`
    runs once on the main thread meanwhile (and returns the time it acted). Returns the answers,
    the start time and what `during` returned."""
    load = Load(fleet.ports["nginx"], place(key), threads=threads)
    started = time.monotonic()
    load.start()
    acted = during() if during else None
    time.sleep(max(0.0, started + seconds - time.monotonic()))
    load.stop()
    expect(not load.errors, f"orders failed outright: {load.errors[:3]}")
    odd = sorted({a.status for a in load.answers} - {200, 429})
    if odd:
        sample = next(a.body for a in load.answers if a.status in odd)
        expect(False, f"orders answered {odd} (only 200 or 429 expected): {sample}")
    return load.answers, started, acted


def accepted(answers, start, end):
    return sum(1 for a in answers if a.status == 200 and start <= a.sent < end)


def check_shared_order_limit(fleet, keys, seconds=3.0):
    """5. One key's orders through both instances stay within one 10/s budget (plus its burst)."""
    _, key = keys["orders"]
    answers, started, _ = flood(fleet, key, seconds)
    allowed = sum(1 for a in answers if a.status == 200)
    ceiling = RATE * seconds + BURST
    steady = accepted(answers, started + 1.0, started + seconds) / (seconds - 1.0)
    print(f"  {len(answers)} orders in {seconds:.0f} s through nginx ({len(answers) / seconds:.0f}/s):"
          f" {allowed} placed, {len(answers) - allowed} refused (429); budget {RATE}/s x {seconds:.0f} s"
          f" + burst {BURST} = {ceiling:.0f}; steady rate after the burst {steady:.1f}/s")
    expect(allowed <= ceiling + 2, f"{allowed} orders placed, over the shared budget of {ceiling:.0f}")
    expect(allowed >= RATE * seconds - 2, f"only {allowed} orders placed: the limit refuses too much")
    check_orders_kept(fleet, key, answers)
    return steady


def check_orders_kept(fleet, key, answers):
    """Orders placed through both instances all land in the one paper account: distinct ids, and
    each instance's order book lists every one (no process overwrote another's)."""
    placed = [a.body["orderid"] for a in answers if a.status == 200]
    expect(len(set(placed)) == len(placed), f"{len(placed)} orders placed under {len(set(placed))} ids")
    for name in ("a", "b"):
        book = Client(fleet.ports[name]).post("/api/v1/orderbook", {}, {"X-API-KEY": key})
        listed = {o["orderid"] for o in book.body["data"]["orders"]}
        expect(set(placed) <= listed, f"instance {name}'s order book misses {len(set(placed) - listed)} of them")
    print(f"  the {len(placed)} placed orders have distinct ids and both instances' order books list them all")


def check_redis_fallback(fleet, keys, shared_rate, seconds=4.5, stop_at=2.0):
    """6. Redis stops mid-run: every order still gets an answer (placed or 429, never an error or a
    stall), each instance falls back to its own 10/s, so the fleet allows about twice the rate."""
    _, key = keys["fallback"]

    def stop_redis():
        time.sleep(stop_at)
        # The moment the stop begins: Redis refuses connections before its process has exited.
        stopping = time.monotonic()
        fleet.stop_redis()
        return stopping

    answers, started, stopped = flood(fleet, key, seconds, during=stop_redis)
    # Orders sent in the last 100 ms before the stop may be decided after it, locally.
    before = accepted(answers, started + 0.5, stopped - 0.1) / (stopped - started - 0.6)
    # Each instance's local limiter starts with its own burst: count from a second after.
    after = accepted(answers, stopped + 1.0, started + seconds) / (started + seconds - stopped - 1.0)
    slowest = max(a.received - a.sent for a in answers if a.sent >= stopped)
    print(f"  {len(answers)} orders, Redis stopped at {stopped - started:.1f} s: placed {before:.1f}/s while shared,"
          f" {after:.1f}/s after (x{after / max(before, 0.1):.1f}: local limits on two instances; shared run:"
          f" {shared_rate or 0:.1f}/s);"
          f" slowest answer after the stop {slowest * 1000:.0f} ms")
    expect(slowest < 1.0, f"an order waited {slowest:.1f} s once Redis was gone")
    expect(before <= RATE * 1.3, f"{before:.1f} orders/s while Redis was up, over {RATE}/s")
    expect(1.5 * RATE <= after <= 2 * RATE * 1.3,
           f"{after:.1f} orders/s after Redis stopped; two local limiters allow about {2 * RATE}/s")
    for name in ("a", "b"):
        metrics = scrape(fleet, name)
        up, errors = metric(metrics, "keygate_shared_limits_up"), metric(metrics, "keygate_redis_errors_total")
        expect(up == 0 and errors > 0, f"instance {name}: shared limits up = {up}, Redis errors = {errors}")
        print(f"  instance {name}: keygate_shared_limits_up {up:.0f}, keygate_redis_errors_total {errors:.0f}")


def scrape(fleet, name):
    """Instance `name`'s /metrics (its KEYGATE_METRICS_BIND) as {series: value}."""
    url = f"http://127.0.0.1:{fleet.metrics_ports[name]}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    series = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name_labels, _, value = line.rpartition(" ")
            series[name_labels] = float(value)
    return series


def metric(series, name, **labels):
    """The sum of every series of `name` whose labels include `labels`."""
    total = 0.0
    for key, value in series.items():
        base, _, rest = key.partition("{")
        if base == name and all(f'{k}="{v}"' in rest for k, v in labels.items()):
            total += value
    return total


def check_metrics(fleet, keys, count=200):
    """7. Both instances' /metrics: a fixed-count run through nginx shows up on each instance's
    request counter exactly as nginx split it."""
    _, key = keys["count"]
    before = {name: metric(scrape(fleet, name), "keygate_http_requests_total", route="/api/v1/ping")
              for name in ("a", "b")}
    log_before = len(fleet.access_log())
    answers = run_count(fleet.ports["nginx"], count, lambda c: c.ping(key))
    expect(all(a.status == 200 for a in answers), "the metrics run was refused")
    ids = {a.request_id for a in answers}
    split = {"a": 0, "b": 0}
    for row in fleet.access_log()[log_before:]:
        if row.get("request_id") in ids:
            split[fleet.upstream_name(row["upstream"])] += 1
    deadline = time.monotonic() + 3.0
    while True:
        after = {name: metric(scrape(fleet, name), "keygate_http_requests_total", route="/api/v1/ping")
                 for name in ("a", "b")}
        counted = {name: after[name] - before[name] for name in ("a", "b")}
        if counted == {k: float(v) for k, v in split.items()} or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    print(f"  {count} pings through nginx: nginx sent A {split['a']}, B {split['b']};"
          f" keygate_http_requests_total{{route=\"/api/v1/ping\"}} rose by {counted['a']:.0f} on A, {counted['b']:.0f} on B")
    expect(counted == {k: float(v) for k, v in split.items()} and min(split.values()) > 0,
           f"metrics counted {counted}, nginx sent {split}")
