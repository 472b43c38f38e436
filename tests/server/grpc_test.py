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
        whole_api(t, s, gport, admin, key["secret"], ids[0])
        firmware_and_streams(t, s, a.toit, gport, admin, key["secret"], ids[1])
    finally:
        s.stop()
    t.finish()


def from_grpc(v):
    """A grpc-js answer (keepCase, longs and enums as strings, defaults on)
    in the HTTP API's JSON shape: x_json parsed into x, timestamps as RFC
    3339, enum prefixes dropped, int64 strings as numbers, bytes as base64."""
    import base64
    from datetime import datetime, timezone
    if isinstance(v, dict):
        if set(v) == {"seconds", "nanos"}:
            ms = int(v["seconds"]) * 1000 + v["nanos"] // 1000000
            return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
        if v.get("type") == "Buffer" and "data" in v:
            return base64.b64encode(bytes(v["data"])).decode()
        out = {}
        for k, x in v.items():
            if k.endswith("_json"):
                out[k[:-5]] = json.loads(x) if x else None
            else:
                out[k] = from_grpc(x)
        return out
    if isinstance(v, list):
        return [from_grpc(x) for x in v]
    if isinstance(v, str):
        for pre in ("HEALTH_", "TYPE_"):
            if v.startswith(pre) and v[len(pre):].isupper():
                return v[len(pre):].lower()
        if v.lstrip("-").isdigit() and len(v) < 20:
            return int(v)
    return v


def same(g, h, path=""):
    """g (from gRPC) equals h (HTTP) on every field the proto has; proto3
    defaults stand for null/absent. Returns the first difference or None."""
    if isinstance(g, dict):
        if not isinstance(h, dict):
            return None if h is None and not any(g.values()) else f"{path}: {h!r} is not an object"
        for k, x in g.items():
            if k in ("known",):  # proto-only presence flags
                continue
            d = same(x, h.get(k), f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(g, list):
        if not isinstance(h, list) or len(g) != len(h):
            return None if h is None and not g else f"{path}: {len(g)} items vs {h!r}"
        for i, (x, y) in enumerate(zip(g, h)):
            d = same(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if h is None:
        return None if g in ("", 0, False, None) else f"{path}: {g!r} vs null"
    if isinstance(h, float) or isinstance(g, float):
        return None if abs(float(g) - float(h)) < 1e-9 else f"{path}: {g!r} vs {h!r}"
    if isinstance(h, str) and isinstance(g, int) and h.lstrip("-").isdigit():
        h = int(h)
    return None if g == h else f"{path}: {g!r} vs {h!r}"


def parity(t, s, admin, got, dev, rid):
    """FLEET.md §8 API parity: reads answered the same way by both doors."""
    http = {
        "devices": "/devices?page_size=10", "device": "/devices/" + dev, "goal": f"/devices/{dev}/goal", "org": "/org",
        "members": "/org/members", "groups": "/groups", "apps": "/apps", "versions": "/apps/blinky/versions",
        "rollouts": "/rollouts", "rollout": f"/rollouts/{rid}?members=1", "events": "/events?limit=30",
        "summary": "/fleet/summary", "subs": "/subscriptions", "topics": "/topics",
    }
    for name, path in http.items():
        st, h, _ = s.api("GET", path, token=admin)
        g = got[name]
        if not t.check(st == 200 and g["code"] == "OK", f"parity {name}: {st} {g.get('details')}"):
            continue
        d = same(from_grpc(g["res"]), h, name)
        t.check(d is None, f"parity {name}: gRPC and HTTP differ at {d}")


def whole_api(t, s, gport, admin, viewer, dev):
    """A session over every service through grpc_ops.js, checked against
    the HTTP/JSON answers for the same objects."""
    st, org2, _ = s.api("POST", "/orgs", {"name": "Elsewhere"}, token=admin)
    st, sw, _ = s.api("POST", "/auth/switch-org", {"org_id": org2["id"]}, token=admin)
    p = subprocess.run(["node", os.path.join(HERE, "interop", "grpc_ops.js"), f"127.0.0.1:{gport}", PROTO, admin, viewer,
                        sw["token"], dev], capture_output=True, text=True, timeout=60, cwd=HERE)
    t.check(p.returncode == 0, "grpc_ops.js ran: " + p.stderr[-500:])
    r = json.loads(p.stdout)

    def ok(step):
        t.eq(r[step]["code"], "OK", f"{step}: {r[step].get('details')}")
        return r[step].get("res") or {}

    t.check(len(ok("login")["token"]) > 20, "Login returns a token")
    t.eq(r["login_bad"]["code"], "UNAUTHENTICATED", "Login with a wrong password")
    t.eq(ok("whoami")["user"]["email"], "admin@localhost", "WhoAmI after a gRPC login")
    t.eq(json.loads(ok("get_org")["settings_json"])["simulator_quota"], 10, "GetOrg settings as JSON")
    t.eq([m["email"] for m in ok("members")["items"]], ["admin@localhost"], "ListMembers")
    t.check(ok("create_key")["secret"].startswith("tk_"), "CreateApiKey returns the secret once")
    t.check(all(k["secret"] == "" for k in ok("list_keys")["items"]), "ListApiKeys never holds a secret")
    t.eq(ok("invite")["role"], "viewer", "InviteMember")
    t.eq(ok("group")["description"], "made over gRPC", "CreateGroup")
    t.eq(r["group_dup"]["code"], "ALREADY_EXISTS", "duplicate group name: ALREADY_EXISTS")
    u = ok("update")
    t.eq((u.get("name"), u.get("tags"), u.get("group_id")), ("alpha-2", {"site": "roof"}, ok("group")["id"]), "UpdateDevice")
    t.eq(ok("configure")["rev"], "1", "ConfigureDevice")
    t.eq(r["configure_stale"]["code"], "ABORTED", "stale expected_rev: ABORTED (conflict)")
    t.eq(r["configure_bad"]["code"], "INVALID_ARGUMENT", "patch that is not an object")
    t.eq(json.loads(ok("goal")["goal_json"])["max_offline_s"], 600, "GetGoal")
    t.eq(ok("fav")["favourite"], True, "FavouriteDevice")
    t.eq([f["id"] for f in ok("favs")["items"]], [dev], "ListFavourites")
    up = ok("upload")
    t.eq((up["app"], up["version"], up["image_size"]), ("blinky", "1.0.0", "250"), "UploadAppVersion with bytes")
    t.eq([a["name"] for a in ok("apps")["items"]], ["blinky"], "ListApps")
    t.eq(ok("install")["version"], "1.0.0", "InstallApp")
    t.eq([i["app"] for i in ok("installs")["items"]], ["blinky"], "ListInstallations")
    pv = ok("preview")
    t.eq((pv["eligible"], [x["count"] for x in pv["stages"]]), ("1", ["1"]), "PreviewRollout")
    ro = ok("rollout")
    t.eq((ro["state"], ro["counters"]["admitted"], ro["preview"]["eligible"]), ("running", "1", "1"), "CreateRollout start")
    g = ok("rollout_get")
    t.eq((g["members"][0]["device_id"], g["members"][0]["status"]), (dev, "admitted"), "GetRollout with members")
    w = r["watch"]
    t.eq((w["code"], [x["state"] for x in w["items"]]), ("OK", ["running", "paused", "cancelled"]),
         "WatchRollout streams each change until the end")
    t.eq(r["watch_other"]["code"], "NOT_FOUND", "WatchRollout of another organization's rollout")
    t.eq(ok("rollout_pause")["state"], "paused", "PauseRollout")
    t.eq(ok("rollout_abort")["state"], "cancelled", "AbortRollout")
    st, hr, _ = s.api("GET", "/rollouts/" + ro["id"], token=admin)
    t.eq((hr["state"], hr["name"], json.loads(ro["target_json"])), ("cancelled", "grpc rollout", hr["target"]),
         "the rollout over HTTP is the one made over gRPC")
    t.eq(r["rollout_bad"]["code"], "INVALID_ARGUMENT", "malformed target_json")
    t.check("target_json" in r["rollout_bad"]["details"], "the message names the field")
    t.eq(len(ok("rollouts")["items"]), 1, "ListRollouts")
    t.eq(ok("sub")["topic"], "t/#", "CreateSubscription")
    t.check(int(ok("publish")["id"]) > 0, "Publish bytes")
    f = ok("fetch")["items"]
    t.eq((len(f), f[0]["data"] if f else None, f[0]["content_type"] if f else None),
         (1, {"type": "Buffer", "data": list(b"hello")}, "text/plain"), "Fetch returns the bytes")
    t.eq(ok("ack")["cursor"], f[0]["id"] if f else None, "Acknowledge moves the cursor")
    t.eq([x["name"] for x in ok("topics")["items"]], ["t/x"], "ListTopics")
    kinds = {e["kind"] for e in ok("dev_events")["items"]}
    t.check({"device.renamed", "device.config_changed", "app.install_requested"} <= kinds, f"ReadDeviceEvents: {kinds}")
    ok("logs")
    t.eq(ok("summary")["total"], "2", "FleetSummary")
    ok("sims")
    t.check("grpc" in ok("info")["features"], "GetInfo features")
    t.eq(r["viewer_create_group"]["code"], "PERMISSION_DENIED", "viewer may not create a group")
    t.eq(r["viewer_read"]["code"], "OK", "viewer may read")
    t.eq(r["no_token"]["code"], "UNAUTHENTICATED", "no credentials")
    t.eq(r["bad_token"]["code"], "UNAUTHENTICATED", "bad API key")
    for step in ["other_get", "other_update", "other_rollout", "other_install"]:
        t.eq(r[step]["code"], "NOT_FOUND", f"{step}: another organization gets NOT_FOUND")
    t.eq(r["other_list"]["res"]["items"], [], "another organization lists no devices")
    st, hd, _ = s.api("GET", "/devices/" + dev, token=admin)
    t.eq(hd["name"], "alpha-2", "nothing changed by the other organization")
    t.eq(r["missing_id"]["code"], "INVALID_ARGUMENT", "a missing id is INVALID_ARGUMENT")
    t.eq(r["too_big"]["code"], "RESOURCE_EXHAUSTED", "a request over the body limit")
    t.eq(r["garbage"]["code"], "INVALID_ARGUMENT", "bytes that are not a protobuf message")
    t.eq(r["bad_utf8"]["code"], "INVALID_ARGUMENT", "a string field that is not UTF-8")
    t.eq(r["unknown_method"]["code"], "UNIMPLEMENTED", "an unknown method")
    t.eq(r["bad_stages"]["code"], "INVALID_ARGUMENT", "rollout validation over gRPC")
    t.eq(ok("ungroup")["group_id"], "", "UpdateDevice ungroup")
    ok("delete_group")
    fo = r["follow"]
    t.eq((fo["code"], [e["kind"] for e in fo["items"]]), ("OK", ["group.created"]), f"FollowEvents streams a new event: {fo}")
    t.eq(fo["items"][0]["actor"]["type"] if fo["items"] else None, "TYPE_USER", "streamed event with its actor")
    fd = r["follow_dev"]
    t.eq(fd["code"], "OK", f"FollowDeviceEvents from a cursor: {fd}")
    t.eq(r["follow_bad"]["code"], "UNAUTHENTICATED", "FollowEvents with a bad key")
    t.eq(r["follow_other"]["code"], "NOT_FOUND", "FollowLogs on another organization's device")
    t.eq(r["follow_viewer"]["code"], "INVALID_ARGUMENT", "FollowLogs validates its filters")
    parity(t, s, admin, r["parity"], dev, ro["id"])
    ok("logout")
    t.eq(r["after_logout"]["code"], "UNAUTHENTICATED", "Logout revokes the session")


def firmware_and_streams(t, s, toit, gport, admin, viewer, dev):
    """FirmwareService, WatchDevices and the data Stream through grpc_fw.js."""
    import base64
    from firmware_test import Signer
    signer = Signer(toit)
    image = b"GRPC-FIRMWARE-" * 1000
    img = os.path.join(signer.dir, "fw.bin")
    with open(img, "wb") as f:
        f.write(image)
    sig, bad = signer.sign(image), signer.sign(b"other")
    st, _, _ = s.api("PATCH", "/org", {"settings": {"firmware_public_key": signer.public}}, token=admin)
    t.eq(st, 200, "org firmware key set")
    st, org3, _ = s.api("POST", "/orgs", {"name": "Fw-Else"}, token=admin)
    st, sw, _ = s.api("POST", "/auth/switch-org", {"org_id": org3["id"]}, token=admin)
    p = subprocess.run(["node", os.path.join(HERE, "interop", "grpc_fw.js"), f"127.0.0.1:{gport}", PROTO, admin, viewer,
                        sw["token"], dev, img, sig, bad], capture_output=True, text=True, timeout=90, cwd=HERE)
    t.check(p.returncode == 0, "grpc_fw.js ran: " + p.stderr[-500:])
    r = json.loads(p.stdout)

    def ok(step):
        t.eq(r[step]["code"], "OK", f"{step}: {r[step].get('details')}")
        return r[step].get("res") or {}

    t.eq(r["upload_bad_sig"]["code"], "INVALID_ARGUMENT", "UploadFirmware with a bad signature")
    t.check("sig" in (r["upload_bad_sig"].get("details") or ""), "the message names sig")
    t.eq(r["upload_viewer"]["code"], "PERMISSION_DENIED", "UploadFirmware as a viewer")
    t.eq(r["upload_bad_target"]["code"], "INVALID_ARGUMENT", "UploadFirmware with an unknown target")
    t.eq(r["upload_none"]["code"], "INVALID_ARGUMENT", "UploadFirmware stream without a message")
    t.eq(r["upload_too_big"]["code"], "RESOURCE_EXHAUSTED", "UploadFirmware over the size limit")
    up = ok("upload")
    t.eq((up["version"], up["target"], up["size"], up["sig"], up["notes"]), ("2.0.0", "posix-sim", str(len(image)), sig,
                                                                             "over gRPC"),
         "UploadFirmware: the image in 7 streamed pieces")
    t.eq(ok("upload_spec")["version"], "2.0.1", "UploadFirmware with spec_json")
    t.eq(r["upload_dup"]["code"], "ALREADY_EXISTS", "a release is immutable")
    st, hl, _ = s.api("GET", "/firmware", token=admin)
    gl = from_grpc(ok("list"))
    t.eq(sorted(f["version"] for f in gl["items"]), ["2.0.0", "2.0.1"], "ListFirmware")
    gl["items"] = [f for f in gl["items"] if f["version"] == "2.0.0"]  # 2.0.1 is deleted by now
    hl["total"] = gl["total"] = 1
    d = same(gl, hl, "firmware")
    t.check(d is None, f"ListFirmware equals the HTTP answer (differs at {d})")
    t.eq(ok("list_target")["items"], [], "ListFirmware by target")
    st, hg, _ = s.api("GET", "/firmware/" + up["id"], token=admin)
    d = same(from_grpc(ok("get")), hg, "firmware")
    t.check(d is None, f"GetFirmware equals the HTTP answer (differs at {d})")
    t.eq(ok("get_version")["id"], up["id"], "GetFirmware by version")
    t.eq(r["get_missing"]["code"], "NOT_FOUND", "GetFirmware of an unknown version")
    t.eq(r["get_other"]["code"], "NOT_FOUND", "GetFirmware from another organization")
    t.eq(ok("list_other")["items"], [], "another organization lists no firmware")
    sf = ok("set")
    t.eq((sf["devices"], json.loads(sf["firmware_json"])["version"]), ("1", "2.0.0"), "SetFirmware on a device")
    st, goal, _ = s.api("GET", f"/devices/{dev}/goal", token=admin)
    t.eq(goal["goal"]["firmware"]["sha256"], up["image_sha256"], "the goal holds the release")
    t.eq(r["set_viewer"]["code"], "PERMISSION_DENIED", "SetFirmware as a viewer")
    t.eq(r["set_other"]["code"], "NOT_FOUND", "SetFirmware from another organization")
    t.eq(r["set_bad"]["code"], "INVALID_ARGUMENT", "SetFirmware with malformed target_json")
    t.eq(ok("upload_min").get("min_from_version"), "9.0", "UploadFirmware with min_from_version")
    sm = ok("set_min")
    t.eq((sm["devices"], [x["id"] for x in sm.get("skipped", [])]), ("0", [dev]),
         f"SetFirmware on a query skips a device below min_from_version: {sm}")
    t.check(all(x["reason"] in ("firmware_too_old", "firmware_unknown") for x in sm["skipped"]), "with the reason")
    ok("delete_min")
    w = r["watch"]
    t.eq((w["first"] or {}).get("type"), "snapshot", "WatchDevices: the first message is the snapshot marker")
    t.eq((w["snapshot"] or {}).get("total"), "2", "WatchDevices: snapshot count")
    t.eq(((w["changed"] or {}).get("device") or {}).get("id"), dev, "WatchDevices: a rename arrives as changed")
    t.eq([c["type"] for c in r["watch_query"]["items"]], ["snapshot"], "WatchDevices with a query matching nothing")
    t.eq([(c["type"], c["total"]) for c in r["watch_other"]["items"]], [("snapshot", "0")],
         "WatchDevices of another organization sees none of these devices")
    t.eq((r["watch_bad"] or {}).get("code"), "INVALID_ARGUMENT", "WatchDevices with a malformed query")
    t.eq((r["watch_anon"] or {}).get("code"), "UNAUTHENTICATED", "WatchDevices without credentials")
    t.eq(r["delete_in_use"]["code"], "FAILED_PRECONDITION", "DeleteFirmware of a release in use")
    t.eq(r["delete_viewer"]["code"], "PERMISSION_DENIED", "DeleteFirmware as a viewer")
    t.eq(r["delete_other"]["code"], "NOT_FOUND", "DeleteFirmware from another organization")
    ok("delete")
    sm = r["stream"]
    t.eq(sm["held"], 2, "Stream: at most max_inflight unacked messages")
    t.eq(sm["items"], ["m0", "m1", "m2"], "Stream: the rest after the ack, in order")
    t.eq((r["stream_other"] or {}).get("code"), "NOT_FOUND", "Stream of another organization's subscription")
    t.eq((r["stream_viewer"] or {}).get("code"), "PERMISSION_DENIED", "Stream as a viewer")
    ev = [e["kind"] for e in s.api("GET", "/events?limit=200", token=admin)[1]["items"]]
    t.check("fw.release_uploaded" in ev and "fw.update_requested" in ev and "fw.release_deleted" in ev,
            "firmware events recorded for the gRPC calls")


if __name__ == "__main__":
    main()
