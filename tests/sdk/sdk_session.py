"""A whole trading session against keygate with OpenAlgo's real Python SDK (`from openalgo import api`).

Started by run.sh with KEYGATE_HOST (http://127.0.0.1:<port>), KEYGATE_WS_PORT and KEYGATE_API_KEY
(a read+trade key). Every step is a check; the last line is `N passed, M failed`, and the exit
status is non-zero when any step failed. The key is never printed.

KEYGATE_SDK_MARKET=spot: the key is bound to a Binance spot connection (the mock exchange), so
the orders trade BTCUSDT on CRYPTO, and the steps where a spot exchange honestly answers otherwise
than the paper broker check the spot answer instead:
- orderbook: the adapter lists the account's open orders (Binance keeps order history per pair
  only), so the filled MARKET order is not in it; orderstatus and tradebook still show it;
- modifyorder: Binance spot modifies by cancelReplace, so the old order is cancelled and the
  answer names the replacement (a new order id), which the later steps use;
- positionbook: a spot account has no positions (what it owns is balances), so it is empty, and
  closeposition has nothing to close;
- holdings: the account's balances (BTC, including what the MARKET buy bought), not a CNC buy.
- WebSocket: a bound key's feed comes from its exchange's market streams (the mock's `/stream`),
  so the feed steps follow BTCUSDT and ETHUSDT on CRYPTO.
The analyzer sandbox stays on paper for a bound key, so those steps are the same in both runs.
"""

import os
import sys
import threading
import time
import traceback

from openalgo import api

HOST = os.environ["KEYGATE_HOST"]
WS_PORT = int(os.environ["KEYGATE_WS_PORT"])
KEY = os.environ["KEYGATE_API_KEY"]
SPOT = os.environ.get("KEYGATE_SDK_MARKET", "paper") == "spot"
if SPOT:
    SYMBOL, EXCHANGE, QTY, TICK = "BTCUSDT", "CRYPTO", 0.001, 0.01
else:
    SYMBOL, EXCHANGE, QTY, TICK = "RELIANCE", "NSE", 1, 0.05

client = api(api_key=KEY, host=HOST, ws_port=WS_PORT)
passed = 0
failed = 0
state = {}


def step(name):
    """Runs the decorated function as one check: it passes when it returns without raising."""

    def run(fn):
        global passed, failed
        try:
            detail = fn()
            passed += 1
            print(f"PASS {name}" + (f": {detail}" if detail else ""))
        except Exception as e:  # noqa: BLE001 - every failure is reported, never fatal
            failed += 1
            print(f"FAIL {name}: {e}")
            if os.environ.get("SDK_SESSION_TRACE"):
                traceback.print_exc()
        return fn

    return run


def ok(response, what):
    """The response, once it is a success; otherwise raises with what came back."""
    if not isinstance(response, dict) or response.get("status") != "success":
        raise AssertionError(f"{what} answered {response!r}")
    return response


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def tick_round(price, tick=TICK):
    return round(round(price / tick) * tick, 2)


def order_status(order_id):
    return ok(client.orderstatus(order_id=order_id, strategy="sdk"), "orderstatus")["data"]


# ---- account and market data ----


@step("funds")
def _():
    data = ok(client.funds(), "funds")["data"]
    cash = float(data["availablecash"])
    expect(cash > 0, f"availablecash {cash}")
    return f"availablecash {cash:.2f}"


@step("quotes")
def _():
    data = ok(client.quotes(symbol=SYMBOL, exchange=EXCHANGE), "quotes")["data"]
    for field in ("ltp", "bid", "ask", "open", "high", "low", "prev_close", "volume"):
        expect(field in data, f"quotes lacks {field}: {data}")
    expect(data["ltp"] > 0 and data["bid"] <= data["ask"], f"odd quote {data}")
    state["ltp"] = data["ltp"]
    return f"{SYMBOL} ltp {data['ltp']}"


@step("quotes for an unknown symbol is an error")
def _():
    response = client.quotes(symbol="NOSUCHSYMBOL", exchange=EXCHANGE)
    expect(response.get("status") == "error", f"answered {response!r}")


@step("depth")
def _():
    data = ok(client.depth(symbol=SYMBOL, exchange=EXCHANGE), "depth")["data"]
    expect(len(data["bids"]) == 5 and len(data["asks"]) == 5, f"levels: {data}")
    expect(data["bids"][0]["price"] <= data["asks"][0]["price"], "crossed book")


@step("analyzerstatus")
def _():
    data = ok(client.analyzerstatus(), "analyzerstatus")["data"]
    expect(data["analyze_mode"] is False and data["mode"] == "live", f"{data}")


# ---- orders ----


@step("placeorder MARKET")
def _():
    response = ok(
        client.placeorder(
            strategy="sdk", symbol=SYMBOL, action="BUY", exchange=EXCHANGE,
            price_type="MARKET", product="MIS", quantity=QTY,
        ),
        "placeorder",
    )
    expect(isinstance(response["orderid"], str), f"orderid {response['orderid']!r}")
    expect("mode" not in response, f"a live answer carries no mode: {response}")
    state["market_order"] = response["orderid"]
    return f"orderid {response['orderid']}"


@step("orderstatus of the MARKET order is complete")
def _():
    data = order_status(state["market_order"])
    expect(data["order_status"] == "complete", f"{data}")
    expect(data["average_price"] > 0, f"{data}")


@step("placeorder LIMIT (resting)")
def _():
    price = tick_round(state["ltp"] * 0.9)
    response = ok(
        client.placeorder(
            strategy="sdk", symbol=SYMBOL, action="BUY", exchange=EXCHANGE,
            price_type="LIMIT", product="MIS", quantity=QTY, price=price,
        ),
        "placeorder LIMIT",
    )
    state["limit_order"] = response["orderid"]
    state["limit_price"] = price
    data = order_status(response["orderid"])
    expect(data["order_status"] == "open", f"{data}")
    return f"orderid {response['orderid']} at {price}"


if SPOT:

    @step("orderbook lists the working order (spot: open orders only)")
    def _():
        data = ok(client.orderbook(), "orderbook")["data"]
        ids = {o["orderid"] for o in data["orders"]}
        expect(ids == {state["limit_order"]}, f"ids {ids}")
        expect(data["statistics"]["total_buy_orders"] == 1, f"{data['statistics']}")

else:

    @step("orderbook lists both orders")
    def _():
        data = ok(client.orderbook(), "orderbook")["data"]
        ids = {o["orderid"] for o in data["orders"]}
        expect({state["market_order"], state["limit_order"]} <= ids, f"ids {ids}")
        expect(data["statistics"]["total_buy_orders"] >= 2, f"{data['statistics']}")


def modify_limit_order():
    price = tick_round(state["ltp"] * 0.85)
    response = client.modifyorder(
        order_id=state["limit_order"], strategy="sdk", symbol=SYMBOL, action="BUY",
        exchange=EXCHANGE, price_type="LIMIT", product="MIS", quantity=QTY * 2, price=price,
    )
    return response, price


if SPOT:

    @step("modifyorder replaces the order on spot (cancelReplace: a new order id)")
    def _():
        old = state["limit_order"]
        response, price = modify_limit_order()
        ok(response, "modifyorder")
        new = response["orderid"]
        expect(new != old, f"{response}")
        expect(order_status(old)["order_status"] == "cancelled", f"old {old}")
        data = order_status(new)
        expect(data["order_status"] == "open", f"{data}")
        expect(float(data["price"]) == price and float(data["quantity"]) == QTY * 2, f"{data}")
        state["limit_order"] = new

else:

    @step("modifyorder")
    def _():
        response, price = modify_limit_order()
        ok(response, "modifyorder")
        expect(response["orderid"] == state["limit_order"], f"{response}")
        data = order_status(state["limit_order"])
        expect(float(data["price"]) == price and float(data["quantity"]) == 2, f"{data}")


@step("cancelorder")
def _():
    response = ok(client.cancelorder(order_id=state["limit_order"], strategy="sdk"), "cancelorder")
    expect(response["orderid"] == state["limit_order"], f"{response}")
    data = order_status(state["limit_order"])
    expect(data["order_status"] == "cancelled", f"{data}")


if SPOT:

    @step("positionbook is empty on spot (balances, not positions)")
    def _():
        rows = ok(client.positionbook(), "positionbook")["data"]
        expect(rows == [], f"{rows}")

else:

    @step("positionbook shows the open position")
    def _():
        rows = ok(client.positionbook(), "positionbook")["data"]
        row = next(r for r in rows if r["symbol"] == SYMBOL and r["product"] == "MIS")
        expect(float(row["quantity"]) == QTY, f"{row}")


@step("tradebook lists the fill")
def _():
    rows = ok(client.tradebook(), "tradebook")["data"]
    expect(any(r["orderid"] == state["market_order"] for r in rows), f"{rows}")


@step("closeposition")
def _():
    ok(client.closeposition(strategy="sdk"), "closeposition")
    rows = ok(client.positionbook(), "positionbook")["data"]
    open_rows = [r for r in rows if float(r["quantity"]) != 0]
    expect(not open_rows, f"still open: {open_rows}")


if SPOT:

    @step("holdings are the spot balances, the MARKET buy included")
    def _():
        data = ok(client.holdings(), "holdings")["data"]
        btc = next(h for h in data["holdings"] if h["symbol"] == "BTCUSDT")
        # The mock account starts with 0.5 BTC; the MARKET order bought QTY more.
        expect(abs(float(btc["quantity"]) - (0.5 + QTY)) < 1e-9, f"{btc}")
        expect("statistics" in data, f"{data}")

else:

    @step("holdings after a CNC buy")
    def _():
        ok(
            client.placeorder(
                strategy="sdk", symbol="INFY", action="BUY", exchange="NSE",
                price_type="MARKET", product="CNC", quantity=1,
            ),
            "placeorder CNC",
        )
        data = ok(client.holdings(), "holdings")["data"]
        expect(any(h["symbol"] == "INFY" for h in data["holdings"]), f"{data}")
        expect("statistics" in data, f"{data}")


# ---- analyzer (sandbox) ----


@step("analyzertoggle on routes orders to the sandbox")
def _():
    data = ok(client.analyzertoggle(mode=True), "analyzertoggle")["data"]
    expect(data["analyze_mode"] is True and data["mode"] == "analyze", f"{data}")
    response = ok(
        client.placeorder(
            strategy="sdk", symbol="SBIN", action="BUY", exchange="NSE",
            price_type="MARKET", product="MIS", quantity=1,
        ),
        "placeorder in analyze mode",
    )
    expect(response.get("mode") == "analyze", f"{response}")
    funds = ok(client.funds(), "funds in analyze mode")
    expect(funds.get("mode") == "analyze", f"{funds}")


@step("analyzertoggle off returns to live")
def _():
    data = ok(client.analyzertoggle(mode=False), "analyzertoggle")["data"]
    expect(data["analyze_mode"] is False and data["mode"] == "live", f"{data}")
    status = ok(client.analyzerstatus(), "analyzerstatus")["data"]
    expect(status["analyze_mode"] is False, f"{status}")


# ---- WebSocket feed ----

if SPOT:
    # A bound key's feed is its exchange's market streams (the mock's /stream): CRYPTO pairs.
    FEED_SYMBOL = "BTCUSDT"
    INSTRUMENTS = [{"exchange": "CRYPTO", "symbol": "BTCUSDT"}, {"exchange": "CRYPTO", "symbol": "ETHUSDT"}]
else:
    FEED_SYMBOL = "INFY"
    INSTRUMENTS = [{"exchange": "NSE", "symbol": "INFY"}, {"exchange": "CRYPTO", "symbol": "BTCUSDT"}]


def wait_for(event, what, seconds=5):
    expect(event.wait(seconds), f"no {what} within {seconds} s")


@step("websocket connect and authenticate")
def _():
    expect(client.connect() is True, "connect() returned False")


def subscribe_and_wait(mode_name, subscribe, check_data):
    got = threading.Event()
    seen = {}

    def on_data(message):
        if message.get("type") == "market_data" and message.get("symbol") == FEED_SYMBOL:
            seen.update(message)
            got.set()

    expect(subscribe(INSTRUMENTS, on_data_received=on_data) is not False, f"subscribe_{mode_name} failed")
    wait_for(got, f"{mode_name} tick")
    check_data(seen["data"])
    return f"{FEED_SYMBOL} {mode_name} tick, ltp {seen['data'].get('ltp')}"


@step("websocket LTP ticks")
def _():
    def check(data):
        expect(data["ltp"] > 0, f"{data}")
        cached = client.get_ltp()
        expect(FEED_SYMBOL in str(cached), f"get_ltp cache {cached}")

    detail = subscribe_and_wait("ltp", client.subscribe_ltp, check)
    expect(client.unsubscribe_ltp(INSTRUMENTS) is not False, "unsubscribe_ltp failed")
    return detail


@step("websocket Quote ticks")
def _():
    def check(data):
        for field in ("open", "high", "low", "close", "ltp", "volume"):
            expect(field in data, f"quote lacks {field}: {data}")

    detail = subscribe_and_wait("quote", client.subscribe_quote, check)
    expect(client.unsubscribe_quote(INSTRUMENTS) is not False, "unsubscribe_quote failed")
    return detail


@step("websocket Depth ticks")
def _():
    def check(data):
        depth = data["depth"]
        expect(len(depth["buy"]) == 5 and len(depth["sell"]) == 5, f"{depth}")

    detail = subscribe_and_wait("depth", client.subscribe_depth, check)
    expect(client.unsubscribe_depth(INSTRUMENTS) is not False, "unsubscribe_depth failed")
    return detail


@step("websocket disconnect")
def _():
    client.disconnect()
    expect(not client.connected, "still connected")


print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
