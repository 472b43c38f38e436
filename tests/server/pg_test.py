"""The API and sync suites again on PostgreSQL (a private cluster started
here), plus two server instances sharing one database."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_test  # noqa: E402
import sync_test  # noqa: E402
import rollout_test  # noqa: E402
import migrate_test  # noqa: E402
import firmware_test  # noqa: E402
import http.client
import json
import subprocess
import threading
import time
from fleetlib import Checks, Follower, Server  # noqa: E402
from pgcluster import Cluster  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toit", required=True)
    a = ap.parse_args()
    t = Checks()
    pg = Cluster()
    try:
        for name, suite, extra in [("api", api_test, ()), ("sync", sync_test, ("--api-rate", "10000", "--device-rate", "10000")),
                                   ("rollout", rollout_test, rollout_test.FAST)]:
            s = Server(a.toit, pg.new_database(), extra=extra)
            try:
                suite.run(t, s)
            finally:
                s.stop()
        s = Server(a.toit, pg.new_database(), extra=rollout_test.FAST)
        try:
            firmware_test.run(t, s, a.toit)
        finally:
            s.stop()
        # Two instances on one database: state written through one is seen by
        # the other; a restart migrates nothing twice.
        url = pg.new_database()
        s1 = Server(a.toit, url, extra=("--api-rate", "10000", "--device-rate", "10000"))
        s2 = Server(a.toit, url, extra=("--api-rate", "10000", "--device-rate", "10000"))
        try:
            tok1 = s1.login("admin@localhost", "admin-pass-1")
            tok2 = s2.login("admin@localhost", "admin-pass-1")
            st, k, _ = s1.api("POST", "/org/apikeys", {"name": "flash", "role": "device-provisioner"}, token=tok1)
            st, hw, _ = s2.call("POST", "/d/v1/provision", {}, headers={"Authorization": "Bearer " + k["secret"]})
            t.eq(st, 201, "provision on instance 2 with a key made on instance 1")
            st, cl, _ = s1.api("POST", "/devices/claim", {"items": [{"claim_code": hw["claim_code"], "name": "pg-1"}]},
                               token=tok1)
            t.eq(cl["items"][0]["status"], "claimed", "claim on instance 1")
            auth = f"Hardware {hw['hardware_id']}.{hw['secret']}"
            req = {"v": 1, "boot": "b", "req": 1, "up": 1}
            st, r, _ = s2.call("POST", "/d/v1/sync", req, headers={"Authorization": auth})
            dauth = f"Device {r['auth']['device_id']}.{r['auth']['token']}"
            for i in range(6):  # alternate between the instances
                srv = (s1, s2)[i % 2]
                st, r, _ = srv.call("POST", "/d/v1/sync", dict(req, req=2 + i, up_logs={"items": [
                    {"seq": i + 1, "msg": f"line {i}"}]}), headers={"Authorization": dauth})
                t.eq((st, r["accepted"]["logs"]), (200, i + 1), f"sync {i} via instance {i % 2 + 1}")
            st, lg, _ = s2.api("GET", f"/devices/{cl['items'][0]['device_id']}/logs", token=tok2)
            t.eq([l["seq"] for l in lg["items"]], [1, 2, 3, 4, 5, 6], "logs from both instances in one place")
            st, d, _ = s1.api("GET", "/devices/" + cl["items"][0]["device_id"], token=tok1)
            t.eq((d["health"], d["name"]), ("healthy", "pg-1"), "device seen through both")
        finally:
            s1.stop()
            s2.stop()
        # Live streams across instances: a follower on instance 1 sees an
        # event committed through instance 2 promptly (LISTEN/NOTIFY; the
        # fallback re-read comes 5 s after the stream went idle, ~4.3 s after
        # the first write here, so < 2.5 s proves the notification).
        s1 = Server(a.toit, url, extra=("--api-rate", "10000", "--device-rate", "10000"))
        s2 = Server(a.toit, url, extra=("--api-rate", "10000", "--device-rate", "10000"))
        try:
            tok1 = s1.login("admin@localhost", "admin-pass-1")
            tok2 = s2.login("admin@localhost", "admin-pass-1")
            dev_id = cl["items"][0]["device_id"]
            ev_f = Follower(s1.port, "/api/v1/events?follow=1", tok1)
            log_f = Follower(s1.port, f"/api/v1/devices/{dev_id}/logs?follow=1", tok1)
            time.sleep(0.7)  # both streams are open and idle
            for i in range(3):
                t0 = time.time()
                st, k, _ = s2.api("POST", "/org/apikeys", {"name": f"fanout-{i}", "role": "viewer"}, token=tok2)
                item = ev_f.wait(lambda e: e.get("kind") == "apikey.created" and e["after"]["name"] == f"fanout-{i}", 4)
                dt = time.time() - t0
                t.check(item is not None and dt < 2.5, f"event via instance 2 reached a follower on 1 in {dt:.2f}s")
                print(f"fan-out latency (event {i}): {dt * 1000:.0f} ms")
            t0 = time.time()
            st, r, _ = s2.call("POST", "/d/v1/sync", dict(req, req=50, up_logs={"items": [{"seq": 100, "msg": "fan-out"}]}),
                               headers={"Authorization": dauth})
            item = log_f.wait(lambda e: e.get("text") == "fan-out", 4)
            dt = time.time() - t0
            t.check(item is not None and dt < 2.5, f"device log via instance 2 reached a follower on 1 in {dt:.2f}s")
            print(f"fan-out latency (device log): {dt * 1000:.0f} ms")
            # WatchDevices and the data Stream fan out the same way.
            watch_f = Follower(s1.port, "/api/v1/watch", tok1)
            t.check(watch_f.wait(lambda e: e.get("type") == "snapshot", 4) is not None, "watch on instance 1: snapshot")
            s2.api("POST", "/subscriptions", {"name": "fan", "topic": "fan/#"}, token=tok2)
            stream_f = Follower(s1.port, "/api/v1/subscriptions/fan/messages?follow=1", tok1)
            time.sleep(0.7)
            t0 = time.time()
            s2.api("PATCH", f"/devices/{dev_id}", {"name": "pg-renamed"}, token=tok2)
            item = watch_f.wait(lambda e: e.get("type") == "changed" and e["device"]["name"] == "pg-renamed", 4)
            dt = time.time() - t0
            t.check(item is not None and dt < 2.5, f"device change via instance 2 reached a watcher on 1 in {dt:.2f}s")
            print(f"fan-out latency (watch): {dt * 1000:.0f} ms")
            t0 = time.time()
            s2.api("POST", "/publish?topic=fan/x", raw=b"hi", token=tok2)
            item = stream_f.wait(lambda m: m.get("topic") == "fan/x", 4)
            dt = time.time() - t0
            t.check(item is not None and dt < 2.5, f"message via instance 2 reached a stream on 1 in {dt:.2f}s")
            print(f"fan-out latency (data stream): {dt * 1000:.0f} ms")
            watch_f.close()
            stream_f.close()
            ev_f.close()
            log_f.close()
        finally:
            s1.stop()
            s2.stop()
        s3 = Server(a.toit, url)
        try:
            tok = s3.login("admin@localhost", "admin-pass-1")
            st, lst, _ = s3.api("GET", "/devices", token=tok)
            t.eq(lst["total"], 1, "data kept across restarts; no second admin seeded")
        finally:
            s3.stop()
        # Upgrade in place from an older schema.
        url = pg.new_database()
        psql = os.path.join(pg.bin, "psql")

        def execute(stmts):
            for q in stmts:
                subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1", url, "-c", q], check=True, capture_output=True)

        def query(q):
            return subprocess.run([psql, "-At", url, "-c", q], check=True, capture_output=True, text=True).stdout.strip()

        migrate_test.run(t, a.toit, url, execute, query)
    finally:
        pg.stop()
    t.finish()


if __name__ == "__main__":
    main()
