"""Checks that each kind of /api/v1 body field is documented exactly: for every candidate value
(JSON values and every short string over an alphabet of digits, signs, dots, exponents, `_`,
whitespace and letters), the served document's schema for the field accepts it (by jsonschema_rs, which schemathesis uses) if and only if
the server's validator does. The bodies sent always miss required fields, so nothing is placed
or changed; the answer's `errors` says whether this field was refused.

Left out on purpose: values that overflow (`"1e400"`, an Int field's `1e300`), the gap a schema
cannot close (see crates/keygate-api/src/openalgo/describe.rs).

Usage: field_kinds.py BASE_URL API_KEY
"""

import itertools
import json
import sys

import jsonschema_rs
import requests

base, key = sys.argv[1], sys.argv[2]
doc = requests.get(f"{base}/api-docs/openapi.json", timeout=10).json()
schemas = doc["components"]["schemas"]

# (operation, body schema, field, extra body that keeps the body invalid without touching the field)
FIELDS = [
    ("placeorder", "PlaceOrderBody", "quantity", {}),  # float, more than 0
    ("placeorder", "PlaceOrderBody", "price", {}),  # float, 0 or more
    ("placeorder", "PlaceOrderBody", "disclosed_quantity", {}),  # int, 0 or more
    ("placeorder", "PlaceOrderBody", "underlying_ltp", {}),  # float or null
    ("placesmartorder", "PlaceSmartOrderBody", "quantity", {}),  # float, 0 or more
    ("placesmartorder", "PlaceSmartOrderBody", "position_size", {}),  # any float
    ("analyzer/toggle", "ToggleBody", "mode", {"unknown_field": 1}),  # boolean
]

ALPHABET = ["0", "1", ".", "e", "+", "-", "_", " ", "\t", "\u2003", "n", "f", "y", "O"]
WORDS = ["nan", "inf", "-inf", "Infinity", "NaN", "true", "True", "TRUE", "yes", "Yes", "on", "ON",
         "off", "Off", "no", "NO", "false", "False", "t", "T", "F", "Y", "N", "1e5", "1e-5",
         "1_000", "_1", "1_", "+_1", "-_0", "0x10", "1,5", "١", "５", " 1 ", "\n2\n", "\x0b3\x0c",
         "\u00a04", "\x855", "1e", "e1", ".e1", "1.e1", "-.5", "+.5", "00.50", "-0", "-0.0", "-0e9"]
VALUES = [None, True, False, 0, 1, -1, 2, 0.5, -0.5, -0.0, 1.5, -1.5, 0.999, -0.999, -1e300,
          [], {}, [1], {"a": 1}]


def candidates():
    yield from VALUES
    yield from WORDS
    for n in range(0, 4):
        for chars in itertools.product(ALPHABET, repeat=n):
            yield "".join(chars)


def refused_by_server(session, op, field, value, extra):
    body = dict(extra)
    body[field] = value
    r = session.post(f"{base}/api/v1/{op}", data=json.dumps(body),
                     headers={"Content-Type": "application/json"}, timeout=10)
    if r.status_code != 400:
        raise SystemExit(f"{op} {field}={value!r}: expected a 400, got {r.status_code} {r.text}")
    return field in (r.json().get("errors") or {})


def main():
    session = requests.Session()
    session.headers["X-API-KEY"] = key
    mismatches = []
    checked = 0
    for op, schema_name, field, extra in FIELDS:
        schema = schemas[schema_name]["properties"][field]
        validator = jsonschema_rs.Draft202012Validator(schema)
        for value in candidates():
            documented = validator.is_valid(value)
            accepted = not refused_by_server(session, op, field, value, extra)
            checked += 1
            if documented != accepted:
                mismatches.append((op, field, value, documented, accepted))
    for op, field, value, documented, accepted in mismatches[:40]:
        print(f"MISMATCH {op}.{field} = {value!r}: document says {'valid' if documented else 'invalid'}, "
              f"server {'accepts' if accepted else 'refuses'}")
    print(f"field kinds: {checked} values checked, {len(mismatches)} mismatches")
    sys.exit(1 if mismatches else 0)


main()
