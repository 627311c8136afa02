"""The fleet test: two keygate instances on one PostgreSQL and one Redis, behind nginx, checked the
way deploy/README.md promises they behave. Run by scripts/fleet-test.sh (which finds the binary and
the database); this file starts the fleet, runs every check in order and stops it.

    python3 tests/fleet/fleet.py --bin target/debug/keygate --database-url postgres://...

Exits 1 when a check failed (the rest still run, unless the fleet itself did not start).
"""

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

import checks
import limits
from cluster import Fleet


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the keygate binary")
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (a database is made on it)")
    args = parser.parse_args()
    repo = Path(__file__).resolve().parents[2]
    started = time.monotonic()
    failed = []
    with tempfile.TemporaryDirectory(prefix="keygate-fleet-") as work:
        fleet = Fleet(Path(args.bin).resolve(), repo, work, args.database_url)
        try:
            fleet.start()
            print(f"fleet up in {time.monotonic() - started:.1f} s: nginx :{fleet.ports['nginx']} ->"
                  f" A :{fleet.ports['a']}, B :{fleet.ports['b']}; PostgreSQL {fleet.db.name};"
                  f" Redis :{fleet.redis_port}")
            state = {}
            steps = [
                ("1 a session made on A works on B",
                 lambda: state.update(zip(("session", "keys"), checks.check_session_across_instances(fleet)))),
                ("1b the WebSocket feed through nginx", lambda: checks.check_websocket_through_nginx(fleet, state["keys"])),
                ("2 a key revoked through A is refused by B within 1 s under load",
                 lambda: checks.check_revocation_under_load(fleet, state["session"], state["keys"])),
                ("3 every request of a fixed-count run logged exactly once",
                 lambda: checks.check_exactly_once(fleet, state["keys"])),
                ("4 X-Forwarded-For believed from nginx only", lambda: checks.check_forwarded_for(fleet, state["keys"])),
                ("5 a key's 10/s order limit holds across both instances (Redis)",
                 lambda: state.update(shared=limits.check_shared_order_limit(fleet, state["keys"]))),
                ("6 Redis stopped mid-run: requests go on, limits fall back to local",
                 lambda: limits.check_redis_fallback(fleet, state["keys"], state.get("shared"))),
                ("7 metrics of both instances scraped and checked", lambda: limits.check_metrics(fleet, state["keys"])),
            ]
            for name, step in steps:
                print(f">>> {name}")
                began = time.monotonic()
                try:
                    step()
                    print(f"  ok ({time.monotonic() - began:.1f} s)")
                except Exception as error:  # one broken check must not hide the others' results
                    failed.append(name.split()[0])
                    print(f"  FAILED: {error!r}")
                    if not isinstance(error, checks.CheckFailed):
                        traceback.print_exc()
        except Exception:
            traceback.print_exc()
            failed.append("start")
        finally:
            if failed:
                for service in fleet.services:
                    print(f"--- {service.name} log (last lines) ---\n{service.tail()}", file=sys.stderr)
            fleet.stop()
    print(f"fleet: {'failed: ' + ' '.join(failed) if failed else 'every check passed'}"
          f" ({time.monotonic() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
