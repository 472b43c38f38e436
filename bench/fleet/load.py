"""Load bench of the device sync endpoint: N distinct protocol-level devices
(fleet-device load) checking in at a fixed rate against a server on loopback,
SQLite and PostgreSQL. Prints one JSON line per back end (throughput, p50,
p99, errors). Not part of `make test`.

    python3 bench/fleet/load.py --build build [--devices 10000] [--rate 1000] [--duration 60]
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "server"))
from fleetlib import Server  # noqa: E402
from pgcluster import Cluster  # noqa: E402


def bench(build, db_url, a):
    toit = os.path.join(build, "toit-fleet")
    s = Server(toit, db_url, extra=("--api-rate", "1000000"))
    try:
        tok = s.login("admin@localhost", "admin-pass-1")
        st, k, _ = s.api("POST", "/org/apikeys", {"name": "load", "role": "device-provisioner"}, token=tok)
        p = subprocess.run([os.path.join(build, "fleet-device"), "load", "--server", s.url, "--key", k["secret"],
                            "--devices", str(a.devices), "--rate", str(a.rate), "--duration", str(a.duration),
                            "--threads", str(a.threads)], capture_output=True, text=True)
        sys.stderr.write(p.stderr)
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["backend"] = "postgres" if db_url else "sqlite"
        return r
    finally:
        s.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    a = ap.parse_args()
    if a.backend in ("sqlite", "both"):
        print(json.dumps(bench(a.build, None, a)), flush=True)
    if a.backend in ("postgres", "both"):
        pg = Cluster()
        try:
            print(json.dumps(bench(a.build, pg.new_database(), a)), flush=True)
        finally:
            pg.stop()


if __name__ == "__main__":
    main()
