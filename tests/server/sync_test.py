"""Device sync protocol tests (FLEET.md §2): provisioning, unclaimed syncs,
claim, token hand-over and rotation rules, goal with checksum, state reports,
idempotent uploads, unclaim, hostile input; plus the device API over the
synced data."""
import hashlib
import json
import os
import urllib.error
import urllib.request
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from fleetlib import run_suite  # noqa: E402


def canonical(doc):
    d = {k: v for k, v in doc.items() if k not in ("rev", "sum", "sig")}
    return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def goal_sum(doc):
    return hashlib.sha256(canonical(doc).encode()).hexdigest()[:32]


def main():
    run_suite(run, extra=("--api-rate", "10000", "--device-rate", "10000"))


def run(t, s):
    admin = s.login("admin@localhost", "admin-pass-1")
    st, prov, _ = s.api("POST", "/org/apikeys", {"name": "flash", "role": "device-provisioner"}, token=admin)
    pkey = prov["secret"]
    st, view, _ = s.api("POST", "/org/apikeys", {"name": "v", "role": "viewer"}, token=admin)

    def dev(method, path, body=None, auth=None, raw=None):
        return s.call(method, path, body, None, raw=raw, headers={"Authorization": auth} if auth else None)

    # Provisioning: only provisioner/admin API keys.
    st, j, _ = dev("POST", "/d/v1/provision", {})
    t.eq((st, j), (401, {"error": "unauthenticated"}), "provision without key")
    st, j, _ = dev("POST", "/d/v1/provision", {}, auth="Bearer " + view["secret"])
    t.eq((st, j), (403, {"error": "permission_denied"}), "provision with a viewer key")
    st, j, _ = dev("POST", "/d/v1/provision", {}, auth="Bearer " + admin)
    t.eq(st, 401, "provision with a session token")
    st, hw, _ = dev("POST", "/d/v1/provision", {}, auth="Bearer " + pkey)
    t.eq(st, 201, "provision")
    t.check(len(hw["secret"]) == 64 and len(hw["claim_code"]) == 8 and uuid.UUID(hw["hardware_id"]).version == 4,
            "identity shape")
    st, hw2, _ = dev("POST", "/d/v1/provision", {"hardware_id": "station-7:unit_42", "batch": "b1"}, auth="Bearer " + pkey)
    t.eq((st, hw2["hardware_id"]), (201, "station-7:unit_42"), "provision with own id")
    st, j, _ = dev("POST", "/d/v1/provision", {"hardware_id": "station-7:unit_42"}, auth="Bearer " + pkey)
    t.eq((st, j), (409, {"error": "already_exists"}), "taken hardware id")
    for bad in ["a.b", "", "x" * 65, "spa ce", 5]:
        st, j, _ = dev("POST", "/d/v1/provision", {"hardware_id": bad}, auth="Bearer " + pkey)
        t.eq(st, 400, f"bad hardware id {bad!r}")

    hw_auth = f"Hardware {hw['hardware_id']}.{hw['secret']}"
    req = {"v": 1, "boot": "boot-1", "req": 1, "up": 1000}

    # Unclaimed hardware: told to come back later, nothing else.
    st, j, _ = dev("POST", "/d/v1/sync", req, auth=hw_auth)
    t.eq((st, j["claimed"], j["next_sync_s"]), (200, False, 600), "unclaimed sync")
    t.check("goal" not in j and "auth" not in j, "unclaimed answer has no goal or auth")
    for bad_auth in [None, "Hardware nope", f"Hardware {hw['hardware_id']}." + "0" * 64,
                     f"Hardware {hw['hardware_id']}.{hw['secret'].upper()}", f"Hardware {hw['hardware_id']}.{hw['secret']}00",
                     f"Device {hw['hardware_id']}.{hw['secret']}", "Bearer " + pkey, f"Hardware .{hw['secret']}"]:
        st, j, _ = dev("POST", "/d/v1/sync", req, auth=bad_auth)
        t.eq((st, j), (401, {"error": "unauthenticated"}), f"bad device credential {str(bad_auth)[:40]}")

    # Claim by code (Crockford-normalized), and the failure modes per item.
    code = hw["claim_code"].lower()
    code = code[:4] + "-" + code[4:]
    st, cl, _ = s.api("POST", "/devices/claim", {"items": [
        {"claim_code": code, "name": "sensor-1", "tags": {"site": "lab"}},
        {"claim_code": hw["claim_code"]},
        {"claim_code": "!!!"},
        {"hardware_id": "station-7:unit_42", "name": "sensor-1"},
        {"hardware_id": "not-provisioned-here"},
        {"claim_code": "AAAAAAAA", "hardware_id": "x"},
    ]}, token=admin)
    t.eq(st, 200, "claim")
    t.eq([x["status"] for x in cl["items"]], ["claimed", "not_available", "invalid", "invalid", "not_available", "invalid"],
         "per-item claim results")
    t.eq(cl["items"][3]["message"], "name taken", "name taken message")
    dev_id = cl["items"][0]["device_id"]
    st, j, _ = s.api("POST", "/devices/claim", {"items": []}, token=admin)
    t.eq(st, 400, "empty claim list")
    st, j, _ = s.api("POST", "/devices/claim", {"items": [{"claim_code": "x"}] * 101}, token=admin)
    t.eq(st, 400, "claim list too long")
    st, j, _ = s.api("POST", "/devices/claim", {"items": [{"claim_code": code}]}, token=view["secret"])
    t.eq(st, 403, "viewer cannot claim")

    st, d, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq((st, d["name"], d["health"], d["tags"], d["last_seen_at"]), (200, "sensor-1", "never_seen", {"site": "lab"}, None),
         "claimed device before its first sync")

    # First sync with hardware credentials: token hand-over, goal.
    st, r1, _ = dev("POST", "/d/v1/sync", req, auth=hw_auth)
    t.eq(st, 200, "claimed hardware sync")
    a1 = r1["auth"]
    t.check(a1 and a1["device_id"] == dev_id and len(a1["token"]) == 64, "device token handed over")
    g = r1["goal"]
    t.eq((g["name"], g["max_offline_s"], g["rev"]), ("sensor-1", 300, 1), "initial goal")
    t.eq(g["sum"], goal_sum(g), "goal sum is SHA-256 of the canonical form")
    t.eq(r1["state_wanted"], True, "server asks for the state")
    # A lost reply: the next hardware sync gets another token; the first one is void.
    st, r2, _ = dev("POST", "/d/v1/sync", dict(req, req=2), auth=hw_auth)
    a2 = r2["auth"]
    t.check(a2["token"] != a1["token"], "a new token each time")
    st, j, _ = dev("POST", "/d/v1/sync", dict(req, req=3), auth=f"Device {dev_id}.{a1['token']}")
    t.eq(st, 401, "replaced unseen token is refused")
    dev_auth = f"Device {dev_id}.{a2['token']}"
    st, r3, _ = dev("POST", "/d/v1/sync", dict(req, req=3, goal={"rev": g["rev"], "sum": g["sum"]}), auth=dev_auth)
    t.eq((st, r3["goal"], r3["auth"]), (200, None, None), "device token works; unchanged goal is not resent")
    st, j, _ = dev("POST", "/d/v1/sync", dict(req, req=4), auth=hw_auth)
    t.eq(st, 401, "hardware secret refused once the token was seen")

    # Uploads: idempotent, high-water marks.
    body = dict(req, req=5, up=50000, goal={"rev": g["rev"], "sum": g["sum"]},
                up_logs={"dropped": 0, "items": [
                    {"seq": 10, "up": 40000, "app": "sensor", "lvl": "info", "k": "print", "msg": "hello"},
                    {"seq": 11, "t": 1767225600123, "app": "sensor", "lvl": "warn", "msg": "x" * 600},
                    {"seq": 12, "lvl": "error", "msg": "é" * 300}]},
                up_events={"items": [{"seq": 5, "kind": "dev.app_crashed", "app": "sensor", "data": {"trace": "at main"}}]},
                up_metrics={"items": [{"seq": 1, "n": "battery.pct", "k": "g", "v": 81.5},
                                      {"seq": 2, "n": "battery.pct", "v": 80}]})
    st, u1, _ = dev("POST", "/d/v1/sync", body, auth=dev_auth)
    t.eq((st, u1["accepted"]), (200, {"logs": 12, "events": 5, "metrics": 2, "publish": None}), "uploads accepted")
    st, u2, _ = dev("POST", "/d/v1/sync", body, auth=dev_auth)
    t.eq((st, u2["accepted"]), (200, {"logs": 12, "events": 5, "metrics": 2, "publish": None}), "resend gives the same answer")
    st, logs, _ = s.api("GET", f"/devices/{dev_id}/logs", token=admin)
    t.eq([l["seq"] for l in logs["items"]], [10, 11, 12], "no duplicate log lines")
    t.eq((logs["items"][1]["truncated"], len(logs["items"][1]["text"])), (True, 512), "long line cut and flagged")
    t.check(len(logs["items"][2]["text"].encode()) <= 512 and logs["items"][2]["text"] == "é" * 256,
            "cut on a UTF-8 boundary")
    t.eq(logs["items"][1]["time"], "2026-01-01T00:00:00.123Z", "device clock used when given")
    t.eq((logs["items"][0]["time_estimated"], logs["items"][0]["app"]), (True, "sensor"), "estimated time flagged")
    st, lg, _ = s.api("GET", f"/devices/{dev_id}/logs?level=warn", token=admin)
    t.eq([l["seq"] for l in lg["items"]], [11, 12], "log level filter")
    st, lg, _ = s.api("GET", f"/devices/{dev_id}/logs?limit=2", token=admin)
    st, lg2, _ = s.api("GET", f"/devices/{dev_id}/logs?limit=2&page_token={lg['next_page_token']}", token=admin)
    t.eq([l["seq"] for l in lg["items"] + lg2["items"]], [10, 11, 12], "log paging")
    st, ev, _ = s.api("GET", f"/devices/{dev_id}/events?kind=dev.app_crashed", token=admin)
    t.eq(len(ev["items"]), 1, "device event stored once")
    t.eq((ev["items"][0]["actor"]["type"], ev["items"][0]["data"]), ("device", {"trace": "at main"}), "device event shape")
    st, m, _ = s.api("GET", f"/devices/{dev_id}/metrics?name=battery.pct&agg=max&step=3600", token=admin)
    t.eq((st, [p["v"] for p in m["points"]]), (200, [81.5]), "metrics query")
    st, m, _ = s.api("GET", f"/devices/{dev_id}/metrics?name=battery.pct&agg=p99", token=admin)
    t.eq(st, 400, "unknown aggregation")
    st, m, _ = s.api("GET", f"/devices/{dev_id}/metrics", token=admin)
    t.eq(st, 400, "metrics without name")
    # Later items after a gap keep the high-water mark monotonic.
    st, u3, _ = dev("POST", "/d/v1/sync", dict(req, req=6, up_logs={"items": [{"seq": 20, "msg": "later"}]}), auth=dev_auth)
    t.eq(u3["accepted"]["logs"], 20, "accepted moves forward")
    st, u4, _ = dev("POST", "/d/v1/sync", dict(req, req=7, up_logs={"items": [{"seq": 3, "msg": "old resend"}]}),
                    auth=dev_auth)
    t.eq(u4["accepted"]["logs"], 20, "accepted never moves back")

    # State reports: stored when req is newer; device fields follow.
    state = {"applied_rev": g["rev"], "applied_sum": g["sum"], "firmware": {"running_version": "v0.1.0"},
             "power": {"battery_pct": 81, "plugged": False}, "sync": {"status": "green"}}
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=8, state_sum="aa" * 16, state=state,
                                              goal={"rev": g["rev"], "sum": g["sum"]}), auth=dev_auth)
    t.eq((st, r["state_wanted"]), (200, False), "state accepted")
    st, d, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq((d["firmware"], d["up_to_date"], d["health"], d["power"]["battery_pct"], d["sync_status"]),
         ("v0.1.0", True, "healthy", 81, "green"), "device reflects the state")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=7, state_sum="bb" * 16, state=dict(state, firmware={"running_version": "OLD"})),
                   auth=dev_auth)
    st, d, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq(d["firmware"], "v0.1.0", "an older req does not overwrite the state")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=9, state_sum="cc" * 16), auth=dev_auth)
    t.eq(r["state_wanted"], True, "changed state_sum without state: server asks")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=10, state_sum="aa" * 16), auth=dev_auth)
    t.eq(r["state_wanted"], False, "known state_sum: nothing wanted")

    # Configure: goal changes, rev bumps once, device gets it at next check-in.
    st, j, _ = s.api("PATCH", f"/devices/{dev_id}/config", {"max_offline_s": 600, "log_level": "debug"}, token=admin,
                     headers={"If-Match": "0"})
    t.eq((st, j), (200, {"rev": 1}), "configure device")
    st, j, _ = s.api("PATCH", f"/devices/{dev_id}/config", {"max_offline_s": 60}, token=admin, headers={"If-Match": "0"})
    t.eq((st, j["error"]["code"]), (409, "conflict"), "stale If-Match")
    for bad, field in [({"max_offline_s": 5}, "max_offline_s"), ({"bogus": 1}, "bogus"),
                       ({"upload": {"max_batch_bytes": 1.5}}, "upload"), ({"log_level": 3}, "log_level")]:
        st, j, _ = s.api("PATCH", f"/devices/{dev_id}/config", bad, token=admin)
        t.eq((st, j["error"]["details"]), (400, {"field": field}), f"bad config {bad}")
    st, j, _ = s.api("PATCH", f"/devices/{dev_id}/config", {"max_offline_s": 60}, token=view["secret"])
    t.eq(st, 403, "viewer cannot configure")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=11, goal={"rev": g["rev"], "sum": g["sum"]}), auth=dev_auth)
    g2 = r["goal"]
    t.eq((g2["rev"], g2["max_offline_s"], g2["log_level"], g2["sum"]), (2, 600, "debug", goal_sum(g2)), "new goal")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=12, goal={"rev": g2["rev"], "sum": g2["sum"]}), auth=dev_auth)
    t.eq(r["goal"], None, "new goal not resent")
    st, j, _ = s.api("PATCH", f"/devices/{dev_id}/config", {"log_level": None}, token=admin)
    st, gg, _ = s.api("GET", f"/devices/{dev_id}/goal", token=admin)
    t.eq((gg["device_layer_rev"], gg["layers"]["device"]), (2, {"max_offline_s": 600}), "null removes an override")
    st, ev, _ = s.api("GET", f"/devices/{dev_id}/events?kind=device.config_changed", token=admin)
    t.eq((len(ev["items"]), ev["items"][0]["actor"]["display"]), (2, "admin@localhost"), "config events with actor")

    # Hostile and malformed requests.
    for bad in [{"v": 2, "boot": "b", "req": 1}, {"boot": "b", "req": 1}, {"v": 1, "req": 1}, {"v": 1, "boot": "b"},
                {"v": 1, "boot": "b", "req": -1}, {"v": 1, "boot": "b" * 65, "req": 1},
                dict(req, up_logs={"items": [{"seq": "1", "msg": "x"}]}),
                dict(req, up_logs={"items": [{"seq": 1}]}),
                dict(req, up_logs={"items": [{"seq": 1, "msg": "x", "lvl": "loud"}]}),
                dict(req, up_logs={"items": [{"seq": i, "msg": "x"} for i in range(501)]}),
                dict(req, up_events={"items": [{"seq": 1, "kind": "device.claimed"}]}),
                dict(req, up_events={"items": [{"seq": 1, "kind": "dev.x", "data": {"a": "y" * 3000}}]}),
                dict(req, up_metrics={"items": [{"seq": 1, "n": "Bad Name", "v": 1}]}),
                dict(req, up_metrics={"items": [{"seq": 1, "n": "a", "v": "1"}]}),
                dict(req, state=[1], state_sum="x")]:
        st, j, _ = dev("POST", "/d/v1/sync", bad, auth=dev_auth)
        t.eq((st, j), (400, {"error": "invalid_argument"}), f"malformed sync {json.dumps(bad)[:60]}")
    for raw in [b"", b"{", b"[]", b"null", b'{"v":1,"v":1,"boot":"b","req":1}']:
        st, j, _ = dev("POST", "/d/v1/sync", auth=dev_auth, raw=raw)
        t.eq(st, 400, f"malformed body {raw[:20]!r}")
    st, j, _ = dev("POST", "/d/v1/sync", auth=dev_auth, raw=b'{"v":1,"boot":"b","req":1,"pad":"' + b"x" * 70000 + b'"}')
    t.eq((st, j), (413, {"error": "too_large"}), "oversized sync")
    st, j, _ = dev("GET", "/d/v1/sync", auth=dev_auth)
    t.eq(st, 405, "GET sync")
    st, logs_after, _ = s.api("GET", f"/devices/{dev_id}/logs?limit=500", token=admin)
    t.eq(len(logs_after["items"]), 5, "rejected requests stored nothing")

    # Device API: list, rename, tags, isolation.
    st, lst, _ = s.api("GET", "/devices", token=view["secret"])
    t.eq((st, lst["total"], lst["items"][0]["name"]), (200, 1, "sensor-1"), "list devices")
    st, j, _ = s.api("PATCH", "/devices/" + dev_id, {"name": "sensor-one", "tags": {"site": "roof", "floor": "3"}}, token=admin)
    t.eq((st, j["name"], j["tags"]), (200, "sensor-one", {"site": "roof", "floor": "3"}), "rename and tag")
    for bad in [{"name": ""}, {"tags": {"Bad Key": "x"}}, {"tags": {"k": 1}}, {"tags": {f"k{i}": "v" for i in range(33)}}]:
        st, j, _ = s.api("PATCH", "/devices/" + dev_id, bad, token=admin)
        t.eq(st, 400, f"bad update {json.dumps(bad)[:40]}")
    st, j, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq(j["name"], "sensor-one", "a rejected update changed nothing")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=13, goal={"rev": g2["rev"], "sum": g2["sum"]}), auth=dev_auth)
    t.eq(r["goal"]["name"], "sensor-one", "rename reaches the goal")
    for i in range(5):
        st, h, _ = dev("POST", "/d/v1/provision", {}, auth="Bearer " + pkey)
        s.api("POST", "/devices/claim", {"items": [{"claim_code": h["claim_code"], "name": f"node-{i}"}]}, token=admin)
    st, p1, _ = s.api("GET", "/devices?page_size=4", token=admin)
    st, p2, _ = s.api("GET", f"/devices?page_size=4&page_token={p1['next_page_token']}", token=admin)
    t.eq([d["name"] for d in p1["items"] + p2["items"]], ["node-0", "node-1", "node-2", "node-3", "node-4", "sensor-one"],
         "device paging by name")
    t.eq((p1["total"], p2["next_page_token"]), (6, ""), "total and last page")
    st, q, _ = s.api("GET", "/devices?q=NODE-3", token=admin)
    t.eq([d["name"] for d in q["items"]], ["node-3"], "search by name")
    st, q, _ = s.api("GET", "/devices?sort=bogus", token=admin)
    t.eq(st, 400, "bad sort")
    import urllib.parse
    for query, names in [("name~node and not name=node-3", ["node-0", "node-1", "node-2", "node-4"]),
                         ("tag.site=roof", ["sensor-one"]), ("health=never_seen", ["node-0", "node-1", "node-2", "node-3", "node-4"]),
                         ("last_seen < 1h", ["sensor-one"]), ("last_seen > 1h or name=node-0", ["node-0", "node-1", "node-2", "node-3", "node-4"]),
                         ("roof", ["sensor-one"]), ("(name=node-1 or name=node-2) and not sim", ["node-1", "node-2"])]:
        st, q, _ = s.api("GET", "/devices?q=" + urllib.parse.quote(query), token=admin)
        t.eq((st, [d["name"] for d in q["items"]], q["total"]), (200, names, len(names)), f"query {query}")
    st, q, _ = s.api("GET", "/devices?q=" + urllib.parse.quote("bogus=1"), token=admin)
    t.eq((st, q["error"]["details"]["field"]), (400, "q"), "bad query names the field")
    t.check("unknown field" in q["error"]["message"], "bad query says why")

    st, sm, _ = s.api("GET", "/fleet/summary", token=view["secret"])
    t.eq((st, sm["total"], sm["by_health"], sm["by_firmware"], sm["up_to_date"]),
         (200, 6, {"healthy": 1, "unhealthy": 0, "never_seen": 5}, {"v0.1.0": 1, "unknown": 5}, 0), "fleet summary")
    st, me, _ = s.api("GET", "/me", token=admin)
    st, ob, _ = s.api("POST", "/orgs", {"name": "Other"}, token=admin)
    st, sw, _ = s.api("POST", "/auth/switch-org", {"org_id": ob["id"]}, token=admin)
    other = sw["token"]
    for method, path, body in [("GET", f"/devices/{dev_id}", None), ("PATCH", f"/devices/{dev_id}", {"name": "stolen"}),
                               ("PATCH", f"/devices/{dev_id}/config", {"max_offline_s": 30}),
                               ("GET", f"/devices/{dev_id}/logs", None), ("GET", f"/devices/{dev_id}/events", None),
                               ("GET", f"/devices/{dev_id}/goal", None), ("GET", f"/devices/{dev_id}/state", None),
                               ("GET", f"/devices/{dev_id}/metrics?name=battery.pct", None),
                               ("GET", f"/devices/{dev_id}/apps", None), ("PUT", f"/devices/{dev_id}/apps/blink", {}),
                               ("DELETE", f"/devices/{dev_id}/apps/blink", None), ("GET", "/apps/blink", None),
                               ("POST", f"/devices/{dev_id}/unclaim", {})]:
        st, j, _ = s.api(method, path, body, token=other)
        t.eq(st, 404, f"other org: {method} {path.replace(dev_id, 'ID')}")
    st, lst, _ = s.api("GET", "/devices", token=other)
    t.eq(lst["total"], 0, "other org lists no devices")
    st, sm, _ = s.api("GET", "/fleet/summary", token=other)
    t.eq(sm["total"], 0, "other org's summary counts nothing of ours")
    st, j, _ = s.api("POST", "/devices/claim", {"items": [{"hardware_id": "station-7:unit_42"}]}, token=other)
    t.eq(j["items"][0]["status"], "not_available", "other org cannot claim our hardware by id")
    st, j, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq(j["name"], "sensor-one", "nothing changed by the other org")

    # Applications: upload, install, chunked download with resume, uninstall.
    image = bytes((i * 7 + 3) % 256 for i in range(40000))
    sha = hashlib.sha256(image).hexdigest()
    st, v1, _ = s.api("POST", "/apps/blink/versions", token=admin, raw=image,
                      headers={"X-App-Spec": json.dumps({"version": "1.0.0", "triggers": ["boot", "interval:1m"]}),
                               "Content-Type": "application/octet-stream"})
    t.eq((st, v1["image_sha256"], v1["image_size"], v1["version"]), (201, sha, 40000, "1.0.0"), "upload app version")
    st, j, _ = s.api("POST", "/apps/blink/versions", token=admin, raw=image, headers={"X-App-Spec": '{"version":"1.0.0"}'})
    t.eq((st, j["error"]["code"]), (409, "already_exists"), "versions are immutable")
    st, v2, _ = s.api("POST", "/apps/blink/versions", token=admin, raw=b"second image")
    t.eq((st, v2["version"]), (201, "2"), "automatic version number")
    for path, raw, hdr, want in [("/apps/Bad_Name/versions", image, {}, 400), ("/apps/blink/versions", b"", {}, 400),
                                 ("/apps/blink/versions", image, {"X-App-Spec": "{"}, 400),
                                 ("/apps/blink/versions", image, {"X-App-Spec": '{"critical":"yes"}'}, 400),
                                 ("/apps/blink/versions", image, {"X-App-Spec": '{"version":"a b"}'}, 400),
                                 ("/apps/blink/versions", b"x" * (8 * 1024 * 1024 + 1), {}, 413)]:
        st, j, _ = s.api("POST", path, token=admin, raw=raw, headers=hdr)
        t.eq(st, want, f"bad upload {path} {hdr}")
    st, j, _ = s.api("POST", "/apps/blink/versions", token=view["secret"], raw=image)
    t.eq(st, 403, "viewer cannot upload")
    st, apps, _ = s.api("GET", "/apps", token=view["secret"])
    t.eq([(a["name"], a["versions"], a["latest_version"]) for a in apps["items"]], [("blink", 2, "2")], "list apps")
    st, j, _ = s.api("GET", "/apps/blink", token=admin)
    t.eq([v["version"] for v in j["versions"]], ["1.0.0", "2"], "get app with versions")
    st, j, _ = s.api("PUT", f"/devices/{dev_id}/apps/blink", {"version": "1.0.0"}, token=admin)
    t.eq((st, j["version"]), (200, "1.0.0"), "install app")
    st, j, _ = s.api("GET", "/apps/blink", token=other)
    t.eq(st, 404, "other org does not see our app")
    st, j, _ = s.api("GET", "/apps", token=other)
    t.eq(j["items"], [], "other org lists no apps")
    st, j, _ = s.api("PUT", f"/devices/{dev_id}/apps/blink", {}, token=other)
    t.eq(st, 404, "other org cannot install on our device")
    st, j, _ = s.api("PUT", f"/devices/{dev_id}/apps/nope", {}, token=admin)
    t.eq(st, 404, "install an unknown app")
    st, j, _ = s.api("PUT", f"/devices/{dev_id}/apps/blink", {"version": "9.9"}, token=admin)
    t.eq(st, 404, "install an unknown version")
    st, inst, _ = s.api("GET", f"/devices/{dev_id}/apps", token=admin)
    t.eq([(i["app"], i["version"], i["state"]) for i in inst["items"]], [("blink", "1.0.0", "pending")], "installation pending")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=40), auth=dev_auth)
    ga = r["goal"]["apps"]["blink"]
    t.eq((ga["sha256"], ga["size"], ga["url_path"], ga["triggers"]), (sha, 40000, f"/d/v1/blobs/{sha}", ["boot", "interval:1m"]),
         "the goal carries the app")
    t.eq(r["goal"]["sum"], goal_sum(r["goal"]), "goal sum with apps")
    st, man, _ = dev("GET", f"/d/v1/blobs/{sha}/manifest", auth=dev_auth)
    t.eq((st, man["size"], man["chunk_size"], len(man["chunks"])), (200, 40000, 16384, 3), "manifest")
    got = b""
    for i, csum in enumerate(man["chunks"]):
        a = i * 16384
        b = min(a + 16383, 39999)
        req_ = urllib.request.Request(s.url + f"/d/v1/blobs/{sha}", headers={"Authorization": dev_auth, "Range": f"bytes={a}-{b}"})
        with urllib.request.urlopen(req_) as resp:
            chunk = resp.read()
            t.eq((resp.status, resp.headers["Content-Range"]), (206, f"bytes {a}-{b}/40000"), f"chunk {i} range")
        t.eq(hashlib.sha256(chunk).hexdigest(), csum, f"chunk {i} matches the manifest")
        got += chunk
        if i == 0:
            # Resume mid-chunk after a "power cut": from byte 20000 on.
            req_ = urllib.request.Request(s.url + f"/d/v1/blobs/{sha}", headers={"Authorization": dev_auth, "Range": "bytes=20000-"})
            with urllib.request.urlopen(req_) as resp:
                t.eq(resp.read(), image[20000:], "open-ended range resumes")
    t.eq(got, image, "chunks reassemble the image")
    with urllib.request.urlopen(urllib.request.Request(s.url + f"/d/v1/blobs/{sha}", headers={"Authorization": dev_auth})) as resp:
        t.eq((resp.status, resp.read() == image), (200, True), "whole blob without Range")
    for rng in ["bytes=40000-", "bytes=5-2", "bytes=-5", "items=0-1", "bytes=a-b"]:
        try:
            urllib.request.urlopen(urllib.request.Request(s.url + f"/d/v1/blobs/{sha}", headers={"Authorization": dev_auth, "Range": rng}))
            t.check(False, f"bad range {rng}")
        except urllib.error.HTTPError as e:
            t.eq((e.code, e.headers["Content-Range"]), (416, "bytes */40000"), f"bad range {rng}")
    for auth_, want in [(None, 401), (hw_auth, 401), ("Device " + dev_id + "." + "0" * 64, 401)]:
        st, _, _ = dev("GET", f"/d/v1/blobs/{sha}/manifest", auth=auth_)
        t.eq(st, want, f"manifest with credential {str(auth_)[:20]}")
    st, _, _ = dev("GET", "/d/v1/blobs/" + "0" * 64 + "/manifest", auth=dev_auth)
    t.eq(st, 404, "unknown blob")
    st, _, _ = dev("GET", "/d/v1/blobs/../../etc/passwd", auth=dev_auth)
    t.eq(st, 404, "path tricks")
    state2 = dict(state, apps={"blink": {"sha256": sha, "state": "running"}})
    dev("POST", "/d/v1/sync", dict(req, req=41, state_sum="dd" * 16, state=state2), auth=dev_auth)
    st, inst, _ = s.api("GET", f"/devices/{dev_id}/apps", token=admin)
    t.eq(inst["items"][0]["state"], "running", "installation state from the reported state")
    st, j, _ = s.api("DELETE", f"/devices/{dev_id}/apps/blink", token=admin)
    t.eq(st, 200, "uninstall")
    st, j, _ = s.api("DELETE", f"/devices/{dev_id}/apps/blink", token=admin)
    t.eq(st, 404, "uninstall twice")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=42), auth=dev_auth)
    t.check("apps" not in r["goal"] or "blink" not in r["goal"]["apps"], "uninstall reaches the goal")
    st, ev, _ = s.api("GET", f"/devices/{dev_id}/events?limit=500", token=admin)
    kinds = [e["kind"] for e in ev["items"]]
    t.check("app.install_requested" in kinds and "app.uninstall_requested" in kinds, "install events")

    # Groups: a layer between defaults and the device; favourites.
    st, g, _ = s.api("POST", "/groups", {"name": "drones", "description": "flying"}, token=admin)
    t.eq((st, g["name"], g["devices"]), (201, "drones", 0), "create group")
    st, j, _ = s.api("POST", "/groups", {"name": "drones"}, token=admin)
    t.eq(st, 409, "group name taken")
    st, j, _ = s.api("POST", "/groups", {"name": ""}, token=admin)
    t.eq(st, 400, "empty group name")
    st, j, _ = s.api("POST", "/groups", {"name": "x"}, token=view["secret"])
    t.eq(st, 403, "viewer cannot create groups")
    st, j, _ = s.api("PATCH", f"/groups/{g['id']}/config", {"max_offline_s": 900, "log_level": "warn"}, token=admin)
    t.eq((st, j["rev"]), (200, 1), "configure group")
    st, j, _ = s.api("PATCH", f"/groups/{g['id']}/config", {"max_offline_s": 1}, token=admin)
    t.eq(st, 400, "bad group config")
    st, j, _ = s.api("PATCH", "/devices/" + dev_id, {"group": "drones"}, token=admin)
    t.eq((st, j["group_id"]), (200, g["id"]), "device joins the group by name")
    st, j, _ = s.api("PATCH", "/devices/" + dev_id, {"group": "nope"}, token=admin)
    t.eq(st, 400, "unknown group")
    st, gg, _ = s.api("GET", f"/devices/{dev_id}/goal", token=admin)
    t.eq((gg["goal"]["max_offline_s"], gg["goal"]["log_level"], gg["layers"]["group"]["log_level"]), (600, "warn", "warn"),
         "device layer wins over the group layer")
    st, j, _ = s.api("PUT", f"/groups/{g['id']}/apps/blink", {"version": "2"}, token=admin)
    t.eq(st, 200, "install app on a group")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=45), auth=dev_auth)
    t.eq((r["goal"]["log_level"], r["goal"]["apps"]["blink"]["version"]), ("warn", "2"), "group layer reaches the goal")
    st, j, _ = s.api("DELETE", f"/groups/{g['id']}/apps/blink", token=admin)
    t.eq(st, 200, "remove app from a group")
    st, j, _ = s.api("DELETE", f"/groups/{g['id']}", token=admin)
    t.eq((st, j["error"]["code"]), (412, "failed_precondition"), "a group with devices is not deleted")
    st, j, _ = s.api("PUT", f"/devices/{dev_id}/favourite", token=admin)
    t.eq(st, 200, "favourite a device")
    st, j, _ = s.api("PUT", f"/groups/{g['id']}/favourite", token=admin)
    st, fav, _ = s.api("GET", "/favourites", token=admin)
    t.eq([(f["kind"], f["name"]) for f in fav["items"]], [("device", "sensor-one"), ("group", "drones")], "list favourites")
    st, d, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq(d["favourite"], True, "device shows as favourite for its user")
    st, lst, _ = s.api("GET", "/devices?page_size=500", token=admin)
    t.eq([x["favourite"] for x in lst["items"] if x["id"] == dev_id], [True], "the device list marks it favourite")
    t.eq(sum(1 for x in lst["items"] if x["favourite"]), 1, "and only it")
    st, j, _ = s.api("PUT", f"/devices/{dev_id}/favourite", token=other)
    t.eq(st, 404, "other org cannot favourite our device")
    st, j, _ = s.api("GET", f"/groups/{g['id']}", token=other)
    t.eq(st, 404, "other org cannot see our group")
    st, j, _ = s.api("PATCH", f"/groups/{g['id']}/config", {"max_offline_s": 60}, token=other)
    t.eq(st, 404, "other org cannot configure our group")
    st, j, _ = s.api("DELETE", f"/groups/{g['id']}", {"move_to": None}, token=admin)
    t.eq(st, 200, "delete group moving devices out")
    st, d, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq(d["group_id"], None, "device left the deleted group")
    st, fav, _ = s.api("GET", "/favourites", token=admin)
    t.eq([f["kind"] for f in fav["items"]], ["device"], "group favourite gone with the group")

    # Simulator records: quota, life cycle, isolation.
    st, j, _ = s.api("PATCH", "/org", {"settings": {"simulator_quota": 2}}, token=admin)
    t.eq(st, 200, "set simulator quota")
    st, s1, _ = s.api("POST", "/simulators", {"name": "sim-a"}, token=admin)
    t.eq((st, s1["name"], s1["state"]), (201, "sim-a", "starting"), "create simulator")
    st, s2, _ = s.api("POST", "/simulators", {}, token=admin)
    t.check(st == 201 and s2["name"].startswith("sim-"), "simulator with a default name")
    st, j, _ = s.api("POST", "/simulators", {}, token=admin)
    t.eq((st, j["error"]["code"]), (429, "resource_exhausted"), "simulator quota")
    st, j, _ = s.api("POST", "/simulators", {"name": "x", "group": "nope"}, token=admin)
    t.eq(st, 400, "simulator in an unknown group")
    st, d, _ = s.api("GET", "/devices/" + s1["device_id"], token=admin)
    t.eq((d["is_simulator"], d["health"]), (True, "never_seen"), "a simulator is a device")
    st, j, _ = s.api("POST", f"/simulators/{s1['device_id']}/stop", {}, token=admin)
    t.eq((st, j["state"]), (200, "stopped"), "stop simulator")
    st, j, _ = s.api("POST", f"/simulators/{s1['device_id']}/stop", {}, token=other)
    t.eq(st, 404, "other org cannot stop our simulator")
    st, j, _ = s.api("GET", "/simulators", token=other)
    t.eq(j["items"], [], "other org lists no simulators")
    st, lst, _ = s.api("GET", "/simulators", token=view["secret"])
    t.eq(sorted(x["state"] for x in lst["items"]), ["starting", "stopped"], "list simulators")
    st, j, _ = s.api("DELETE", f"/simulators/{s2['device_id']}", token=admin)
    t.eq(st, 200, "delete simulator")
    st, j, _ = s.api("GET", "/devices/" + s2["device_id"], token=admin)
    t.eq(st, 404, "deleted simulator's device is gone")
    st, j, _ = s.api("POST", "/simulators", {"name": "sim-c"}, token=admin)
    t.eq(st, 201, "quota frees up after delete")
    st, ev, _ = s.api("GET", "/events?kind=sim.created", token=admin)
    t.eq(len(ev["items"]), 3, "simulator events")

    # Pub/sub: per-subscriber cursors, leases, redelivery, device publish.
    import base64
    st, j, _ = s.api("POST", "/publish?topic=cmd/valve&kind=latest", token=admin, raw=b"open",
                     headers={"Content-Type": "text/plain"})
    t.eq(st, 201, "publish to a device topic")
    for name in ["s1", "s2"]:
        st, j, _ = s.api("POST", "/subscriptions", {"name": name, "topic": "telemetry/#"}, token=admin)
        t.eq(st, 201, f"subscription {name}")
    st, j, _ = s.api("POST", "/subscriptions", {"name": "s1", "topic": "x"}, token=admin)
    t.eq(st, 409, "subscription name taken")
    for bad in [{"name": "s3", "topic": "a b"}, {"name": "s3", "topic": "/#"}, {"name": "", "topic": "x"}, {"name": "s3"}]:
        st, j, _ = s.api("POST", "/subscriptions", bad, token=admin)
        t.eq(st, 400, f"bad subscription {bad}")
    payloads = [b"21.5", b"21.7", bytes(range(256))]
    pub = [{"id": i + 1, "app": "sensor", "topic": "telemetry/temp", "ct": "application/json",
            "data": base64.b64encode(p_).decode()} for i, p_ in enumerate(payloads)]
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=50, publish=pub), auth=dev_auth)
    t.eq((st, r["accepted"]["publish"]), (200, 3), "device publish accepted")
    st, r, _ = dev("POST", "/d/v1/sync", dict(req, req=51, publish=pub), auth=dev_auth)
    t.eq(r["accepted"]["publish"], 3, "device publish resend: same answer")
    for bad in [[{"id": 9, "topic": "t", "data": "***"}], [{"id": 9, "topic": "bad topic", "data": ""}],
                [{"id": 9, "topic": "t", "data": base64.b64encode(b"x" * 16385).decode()}], [{"topic": "t", "data": ""}]]:
        st, j, _ = dev("POST", "/d/v1/sync", dict(req, req=52, publish=bad), auth=dev_auth)
        t.eq(st, 400, f"bad device publish {json.dumps(bad)[:40]}")
    st, f1, _ = s.api("GET", "/subscriptions/s1/messages?limit=2", token=admin)
    t.eq([base64.b64decode(m["data"]) for m in f1["items"]], payloads[:2], "fetch oldest first, no duplicates")
    m0 = f1["items"][0]
    t.eq((m0["topic"], m0["publisher"], m0["content_type"]),
         ("telemetry/temp", {"type": "device", "id": dev_id, "app": "sensor"}, "application/json"), "message shape")
    st, f1b, _ = s.api("GET", "/subscriptions/s1/messages", token=admin)
    t.eq([base64.b64decode(m["data"]) for m in f1b["items"]], payloads[2:], "leased messages are not handed out twice")
    st, f2, _ = s.api("GET", "/subscriptions/s2/messages", token=admin)
    t.eq(len(f2["items"]), 3, "a second subscription gets every message")
    ids = [m["id"] for m in f1["items"] + f1b["items"]]
    st, a, _ = s.api("POST", "/subscriptions/s1/ack", {"ids": [ids[0], 999999]}, token=admin)
    t.eq((st, a["cursor"]), (200, ids[0]), "ack moves the cursor; unknown ids ignored")
    st, j, _ = s.api("POST", "/subscriptions/s1/ack", {"ids": ["x"]}, token=admin)
    t.eq(st, 400, "malformed ack")
    st, f, _ = s.api("GET", "/subscriptions/s1/messages", token=admin)
    t.eq(f["items"], [], "nothing new while leases run")
    st, _, _ = s.call("POST", "/test/clock", {"advance_ms": 61000})
    t.eq(st, 200, "test clock")
    st, f, _ = s.api("GET", "/subscriptions/s1/messages", token=admin)
    t.eq([m["id"] for m in f["items"]], ids[1:], "unacked messages are delivered again after the deadline")
    st, a, _ = s.api("POST", "/subscriptions/s1/ack", {"ids": ids[1:]}, token=admin)
    t.eq(a["cursor"], ids[2], "all acked: cursor at the newest")
    st, subs, _ = s.api("GET", "/subscriptions", token=view["secret"])
    st1 = [x for x in subs["items"] if x["name"] == "s1"][0]
    st2 = [x for x in subs["items"] if x["name"] == "s2"][0]
    t.eq((st1["lag"], st1["unacked"], st2["lag"], st2["unacked"]), (0, 0, 3, 3), "subscription status")
    st, tp, _ = s.api("GET", "/topics", token=admin)
    t.eq({x["name"]: x["kind"] for x in tp["items"]}, {"cmd/valve": "latest", "telemetry/temp": "cloud"}, "topic kinds")
    st, dp, _ = s.api("POST", "/org/apikeys", {"name": "pub", "role": "data-publisher"}, token=admin)
    st, _, _ = s.api("POST", "/publish?topic=telemetry/x", token=dp["secret"], raw=b"1")
    t.eq(st, 201, "data-publisher key publishes")
    st, _, _ = s.api("GET", "/subscriptions/s2/messages", token=dp["secret"])
    t.eq(st, 200, "data-publisher key fetches")
    st, _, _ = s.api("GET", "/devices", token=dp["secret"])
    t.eq(st, 403, "data-publisher key cannot read devices")
    st, _, _ = s.api("POST", "/publish?topic=t", token=view["secret"], raw=b"1")
    t.eq(st, 403, "viewer cannot publish")
    for q, raw, want in [("topic=bad%20topic", b"1", 400), ("", b"1", 400), ("topic=t&kind=cloud", b"1", 400),
                         ("topic=t", b"x" * 65537, 413), (f"topic=t&device={dev_id}", b"x" * 4097, 413),
                         ("topic=t&device=00000000-0000-4000-8000-000000000000", b"1", 404)]:
        st, _, _ = s.api("POST", "/publish?" + q, token=admin, raw=raw)
        t.eq(st, want, f"bad publish {q}")
    st, _, _ = s.api("GET", "/subscriptions/s1/messages", token=other)
    t.eq(st, 404, "other org cannot fetch our subscription")
    st, j, _ = s.api("GET", "/subscriptions", token=other)
    t.eq(j["items"], [], "other org sees no subscriptions")
    st, j, _ = s.api("POST", f"/publish?topic=t&device={dev_id}", token=other, raw=b"1")
    t.eq(st, 404, "other org cannot target our device")
    st, _, _ = s.api("DELETE", "/subscriptions/s2", token=admin)
    t.eq(st, 200, "delete subscription")
    st, _, _ = s.api("GET", "/subscriptions/s2/messages", token=admin)
    t.eq(st, 404, "deleted subscription is gone")

    # Live follow: SSE streams of device logs and org events.
    import http.client
    import threading

    def follow(path, token, want, headers=None):
        got = []
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        conn.request("GET", "/api/v1" + path, headers={"Authorization": "Bearer " + token, **(headers or {})})
        resp = conn.getresponse()
        got.append(resp.status)
        got.append(resp.getheader("Content-Type"))
        ev = {}
        while len(got) < 2 + want:
            line = resp.fp.readline().decode()
            if not line:
                break
            line = line.rstrip("\n")
            if line.startswith("id: "):
                ev["id"] = int(line[4:])
            elif line.startswith("data: "):
                ev["data"] = json.loads(line[6:])
            elif line == "" and ev:
                got.append(ev)
                ev = {}
        conn.close()
        return got

    results = {}
    th = threading.Thread(target=lambda: results.setdefault("logs", follow(f"/devices/{dev_id}/logs?follow=1&level=warn", admin, 2)))
    th.start()
    import time as _time
    _time.sleep(0.5)
    dev("POST", "/d/v1/sync", dict(req, req=20, up_logs={"items": [{"seq": 30, "msg": "quiet", "lvl": "debug"},
                                                                  {"seq": 31, "msg": "live one", "lvl": "warn"}]}), auth=dev_auth)
    dev("POST", "/d/v1/sync", dict(req, req=21, up_logs={"items": [{"seq": 32, "msg": "live two", "lvl": "error"}]}),
        auth=dev_auth)
    th.join(10)
    got = results.get("logs", [])
    t.eq(got[:2], [200, "text/event-stream"], "follow answers an event stream")
    t.eq([(e["id"], e["data"]["text"]) for e in got[2:]], [(31, "live one"), (32, "live two")],
         "followed lines arrive in order, filtered, with cursors")
    got = follow(f"/devices/{dev_id}/logs?follow=1", admin, 2, headers={"Last-Event-ID": "30"})
    t.eq([e["id"] for e in got[2:]], [31, 32], "Last-Event-ID resumes after the cursor")
    got = follow("/events?follow=1&after=0&kind=device.claimed", admin, 1)
    t.eq((got[0], got[2]["data"]["kind"]), (200, "device.claimed"), "org events follow from a cursor")
    st, j, _ = s.api("GET", f"/devices/{dev_id}/logs?follow=1", token=other)
    t.eq(st, 404, "other org cannot follow our device")
    st, j, _ = s.api("GET", f"/devices/{dev_id}/logs?follow=1")
    t.eq(st, 401, "follow needs credentials")

    # Unclaim: token answers 403 unclaimed; hardware secret works again.
    st, _, _ = s.api("POST", f"/devices/{dev_id}/unclaim", {}, token=admin)
    t.eq(st, 200, "unclaim")
    st, j, _ = dev("POST", "/d/v1/sync", dict(req, req=14), auth=dev_auth)
    t.eq((st, j), (403, {"error": "unclaimed"}), "device token after unclaim")
    st, j, _ = dev("POST", "/d/v1/sync", dict(req, req=15), auth=hw_auth)
    t.eq((st, j.get("claimed")), (200, False), "hardware credentials again after unclaim")
    st, j, _ = s.api("GET", "/devices/" + dev_id, token=admin)
    t.eq(st, 404, "unclaimed device gone from the org's view")
    st, ev, _ = s.api("GET", "/events?kind=device.unclaimed", token=admin)
    t.eq(len(ev["items"]), 1, "unclaim event")
    st, cl, _ = s.api("POST", "/devices/claim", {"items": [{"claim_code": hw["claim_code"], "name": "sensor-1"}]}, token=admin)
    t.eq(cl["items"][0]["status"], "claimed", "re-claim after unclaim")


if __name__ == "__main__":
    main()
