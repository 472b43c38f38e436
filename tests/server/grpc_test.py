"""Interoperability: Node's @grpc/grpc-js (npm, tests/server/package.json)
calls the fleet server's gRPC API through the .proto files, and gets the same
data as the HTTP/JSON API. Installs the npm packages itself (offline first)."""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from fleetlib import Checks, Server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, "..", "..", "proto")


def npm_ci():
    if os.path.isdir(os.path.join(HERE, "node_modules", "@grpc", "grpc-js")):
        return
    for args in (["npm", "ci", "--offline", "--no-audit", "--no-fund"], ["npm", "ci", "--no-audit", "--no-fund"]):
        if subprocess.run(args, cwd=HERE, capture_output=True).returncode == 0:
            return
    raise RuntimeError("npm ci failed in tests/server")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toit", required=True)
    a = ap.parse_args()
    npm_ci()
    t = Checks()
    s = Server(a.toit, extra=("--grpc", "127.0.0.1:0", "--grpc-port-file", "GRPC_PORT", "--api-rate", "10000"))
    try:
        with open(os.path.join(s.dir, "grpc_port")) as f:
            gport = int(f.read())
        admin = s.login("admin@localhost", "admin-pass-1")
        st, key, _ = s.api("POST", "/org/apikeys", {"name": "grpc", "role": "viewer"}, token=admin)
        st, pk, _ = s.api("POST", "/org/apikeys", {"name": "flash", "role": "device-provisioner"}, token=admin)
        ids = []
        for name in ["alpha", "beta"]:
            st, hw, _ = s.call("POST", "/d/v1/provision", {}, headers={"Authorization": "Bearer " + pk["secret"]})
            st, cl, _ = s.api("POST", "/devices/claim", {"items": [{"claim_code": hw["claim_code"], "name": name,
                                                                     "tags": {"site": "lab"}}]}, token=admin)
            ids.append(cl["items"][0]["device_id"])
            s.call("POST", "/d/v1/sync", {"v": 1, "boot": "b", "req": 1},
                   headers={"Authorization": f"Hardware {hw['hardware_id']}.{hw['secret']}"})
        p = subprocess.run(["node", os.path.join(HERE, "interop", "grpc_client.js"), f"127.0.0.1:{gport}", PROTO,
                            key["secret"], ids[0]], capture_output=True, text=True, timeout=60, cwd=HERE)
        t.check(p.returncode == 0, "node client ran: " + p.stderr[-500:])
        r = json.loads(p.stdout)
        w = r["whoami"]
        t.eq((w["code"], w["res"]["api_key_name"], w["res"]["role"], w["res"]["org"]["name"]), ("OK", "grpc", "viewer", "default"),
             "WhoAmI over gRPC")
        t.eq(r["whoami_anon"]["code"], "UNAUTHENTICATED", "no credentials: UNAUTHENTICATED")
        t.eq(r["whoami_bad"]["code"], "UNAUTHENTICATED", "bad key: UNAUTHENTICATED")
        l1, l2 = r["list"], r["list2"]
        t.eq((l1["code"], l1["res"]["total"], len(l1["res"]["items"])), ("OK", "2", 1), "ListDevices page 1")
        t.eq([d["name"] for d in l1["res"]["items"] + l2["res"]["items"]], ["alpha", "beta"], "ListDevices paging")
        t.eq(l2["res"]["next_page_token"], "", "last page")
        t.eq(r["list_bad"]["code"], "INVALID_ARGUMENT", "page_size out of range: INVALID_ARGUMENT")
        t.check("page_size" in r["list_bad"]["details"], "the status message names the field")
        g = r["get"]
        st, hd, _ = s.api("GET", "/devices/" + ids[0], token=key["secret"])
        t.eq(g["code"], "OK", "GetDevice")
        t.eq((g["res"]["id"], g["res"]["name"], g["res"]["tags"], g["res"]["health"], g["res"]["goal_rev"]),
             (hd["id"], hd["name"], hd["tags"], "HEALTH_HEALTHY", str(hd["goal_rev"])), "GetDevice equals the HTTP answer")
        seen_ms = int(g["res"]["last_seen_at"]["seconds"]) * 1000 + g["res"]["last_seen_at"]["nanos"] // 1000000
        from datetime import datetime, timezone
        http_ms = int(datetime.strptime(hd["last_seen_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000)
        t.eq(seen_ms, http_ms, "timestamps agree to the millisecond")
        t.eq(r["get_missing"]["code"], "NOT_FOUND", "unknown device: NOT_FOUND")
        ev = r["events"]
        t.eq((ev["code"], len(ev["res"]["items"]), ev["res"]["items"][0]["actor"]["type"]), ("OK", 2, "TYPE_USER"),
             "ReadEvents with actors")
        t.eq(json.loads(ev["res"]["items"][0]["after_json"])["name"], "beta", "event after_json")
        t.eq((r["info"]["code"], r["info"]["res"]["storage"]), ("OK", "sqlite"), "GetInfo")
        # Viewer role over gRPC is the same role as over HTTP: a provisioner key may not read devices.
        p = subprocess.run(["node", os.path.join(HERE, "interop", "grpc_client.js"), f"127.0.0.1:{gport}", PROTO,
                            pk["secret"], ids[0]], capture_output=True, text=True, timeout=60, cwd=HERE)
        r2 = json.loads(p.stdout)
        t.eq((r2["list"]["code"], r2["whoami"]["code"]), ("PERMISSION_DENIED", "OK"), "roles apply over gRPC")
    finally:
        s.stop()
    t.finish()


if __name__ == "__main__":
    main()
