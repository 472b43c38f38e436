"""Firmware releases (FLEET.md §1.5, §3.1 FirmwareService), SetFirmware, a
firmware rollout, firmware download by devices; WatchDevices (GET /watch) and
the data Stream (GET /subscriptions/{name}/messages?follow=1) over SSE. Roles,
validation and cross-org isolation for each. Run against SQLite or a
PostgreSQL URL (pg_test.py runs it there too)."""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from fleetlib import Follower, run_suite  # noqa: E402
from rollout_test import FAST, Dev, wait_state  # noqa: E402


# Ed25519 key from the seed 00 01 … 1f; sig over SHA-256 of the image.
GOLDEN_IMAGE = b"toit firmware golden vector\n"
GOLDEN_SHA = "ff7080b8c982869a31e82b9afb48716a90794ff19bc0df5244ff079315c3b38e"
GOLDEN_PK = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
GOLDEN_SK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA=="
GOLDEN_SIG = "WDc3v1gGjNIc+5zCtxBT8UxauToLDngPXXWQR9FL+1V4D7MhccK3OZbOfpLTQemMf8V/TtxDPQGC4EYj/h4ODg=="


def error_code(j):
    return (j or {}).get("error", {}).get("code")


def field(j):
    return ((j or {}).get("error", {}).get("details") or {}).get("field")


def main():
    run_suite(run, extra=FAST, pass_toit=True)


class Signer:
    """Signs with `toit firmware keygen/sign` (the CLI holds the scheme)."""

    def __init__(self, toit):
        self.toit = toit
        self.dir = tempfile.mkdtemp(prefix="fw-key-")
        self.env = dict(os.environ, TOIT_CONFIG=os.path.join(self.dir, "config.json"))
        self.key = os.path.join(self.dir, "fw.key")
        out = self.run("firmware", "keygen", "--out", self.key, "--json")
        import json
        self.public = json.loads(out)["public_key"]

    def run(self, *args):
        p = subprocess.run([self.toit, *args], capture_output=True, text=True, env=self.env, timeout=30)
        assert p.returncode == 0, (args, p.stdout, p.stderr)
        return p.stdout

    def sign(self, image):
        path = os.path.join(self.dir, "img")
        with open(path, "wb") as f:
            f.write(image)
        return self.run("firmware", "sign", path, "--key", self.key).strip()


def upload(s, tok, image, version, target, sig, **kw):
    q = f"/firmware?version={version}&target={target}"
    hdr = {"Content-Type": "application/octet-stream"}
    if sig is not None:
        hdr["X-Firmware-Spec"] = '{"sig": "%s"}' % sig
    for k, v in kw.items():
        q += f"&{k}={v}"
    return s.api("POST", q, raw=image, headers=hdr, token=tok)


def run(t, s, toit):
    admin = s.login("admin@localhost", "admin-pass-1")
    keys = {}
    for role in ["member", "viewer", "device-provisioner", "data-publisher"]:
        st, k, _ = s.api("POST", "/org/apikeys", {"name": "fw-" + role, "role": role}, token=admin)
        keys[role] = k["secret"]
    member, viewer = keys["member"], keys["viewer"]
    # Org B, with its own admin session.
    st, ob, _ = s.api("POST", "/orgs", {"name": "Fw-Bravo"}, token=admin)
    st, sw, _ = s.api("POST", "/auth/switch-org", {"org_id": ob["id"]}, token=admin)
    b_admin = sw["token"]

    signer = Signer(toit)
    img1 = b"FIRMWARE-1.0.0-" * 2000
    img2 = b"FIRMWARE-1.1.0-" * 2100
    sig1, sig2 = signer.sign(img1), signer.sign(img2)
    # The scheme: Ed25519 over the image's SHA-256 (checked here with the
    # standard library: 64-byte signature, base64).
    t.eq(len(base64.b64decode(sig1)), 64, "signature is 64 bytes, base64")

    # --- Upload: key required, signature checked, validation, roles -------
    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", sig1)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "no org key: upload refused")
    st, j, _ = s.api("PATCH", "/org", {"settings": {"firmware_public_key": "not-a-key"}}, token=admin)
    t.eq((st, field(j)), (400, "settings.firmware_public_key"), "malformed public key refused")
    st, j, _ = s.api("PATCH", "/org", {"settings": {"firmware_public_key": signer.public}}, token=member)
    t.eq(st, 403, "member may not set the key")
    st, j, _ = s.api("PATCH", "/org", {"settings": {"firmware_public_key": signer.public}}, token=admin)
    t.eq((st, j["settings"].get("firmware_public_key")), (200, signer.public), "admin sets the firmware key")

    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", sig2)
    t.eq((st, error_code(j), field(j)), (400, "invalid_argument", "sig"), "signature of another image refused")
    bad = base64.b64encode(bytes(64)).decode()
    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", bad)
    t.eq((st, field(j)), (400, "sig"), "zero signature refused")
    other = Signer(toit)
    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", other.sign(img1))
    t.eq((st, field(j)), (400, "sig"), "signature by another key refused")
    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", "%%%")
    t.eq((st, field(j)), (400, "sig"), "malformed signature refused")
    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", None)
    t.eq((st, field(j)), (400, "sig"), "missing signature refused")
    for q, fld in [("version=&target=esp32", "version"), ("version=1.0.0&target=z80", "target"),
                   ("version=a%20b&target=esp32", "version"), ("target=esp32", "version"),
                   ("version=1.0.0&target=esp32&min_from_version=x%20y", "min_from_version")]:
        st, j, _ = s.api("POST", "/firmware?" + q, raw=img1, token=admin,
                         headers={"X-Firmware-Spec": '{"sig": "%s"}' % sig1})
        t.eq((st, field(j)), (400, fld), f"bad {fld} ({q})")
    st, j, _ = s.api("POST", "/firmware?version=1.0.0&target=esp32", raw=img1, token=admin,
                     headers={"X-Firmware-Spec": "[1]"})
    t.eq((st, field(j)), (400, "X-Firmware-Spec"), "spec header must be an object")
    st, j, _ = upload(s, admin, b"", "1.0.0", "esp32", sig1)
    t.eq((st, field(j)), (400, "image"), "empty image refused")
    st, j, _ = upload(s, admin, b"x" * (9 << 20), "1.0.0", "esp32", sig1)
    t.eq(st, 413, "oversized image refused")
    st, j, _ = upload(s, member, img1, "1.0.0", "esp32", sig1)
    t.eq((st, error_code(j)), (403, "permission_denied"), "member may not upload firmware")
    st, j, _ = upload(s, viewer, img1, "1.0.0", "esp32", sig1)
    t.eq(st, 403, "viewer may not upload firmware")
    st, j, _ = upload(s, None, img1, "1.0.0", "esp32", sig1)
    t.eq(st, 401, "no credentials")

    st, fw1, _ = upload(s, admin, img1, "1.0.0", "esp32", sig1, notes="first")
    t.eq(st, 201, f"upload 1.0.0 for esp32: {fw1}")
    t.eq((fw1["version"], fw1["target"], fw1["size"], fw1["image_sha256"], fw1["sig"], fw1["notes"]),
         ("1.0.0", "esp32", len(img1), hashlib.sha256(img1).hexdigest(), sig1, "first"), "release fields")
    st, j, _ = upload(s, admin, img1, "1.0.0", "esp32", sig1)
    t.eq((st, error_code(j)), (409, "already_exists"), "releases are immutable")
    st, fw1s, _ = upload(s, admin, img1, "1.0.0", "posix-sim", sig1)
    t.eq(st, 201, "the same version for another target")
    st, fw2, _ = s.api("POST", "/firmware", raw=img2, token=admin, headers={
        "X-Firmware-Spec": '{"version": "1.1.0", "target": "esp32", "sig": "%s", "min_from_version": "1.0.0"}' % sig2})
    t.eq((st, fw2.get("min_from_version")), (201, "1.0.0"), "upload 1.1.0 with everything in the spec header")

    st, ev, _ = s.api("GET", "/events?kind=fw.release_uploaded", token=admin)
    t.eq([(e["actor"]["type"], e["actor"]["display"]) for e in ev["items"]], [("user", "admin@localhost")] * 3,
         "fw.release_uploaded events with the actor")

    # --- List / get / delete ----------------------------------------------
    st, lst, _ = s.api("GET", "/firmware", token=viewer)
    t.eq((st, sorted((f["version"], f["target"]) for f in lst["items"]), lst["total"]),
         (200, [("1.0.0", "esp32"), ("1.0.0", "posix-sim"), ("1.1.0", "esp32")], 3), "viewer lists releases")
    st, lst, _ = s.api("GET", "/firmware?target=posix-sim", token=viewer)
    t.eq([f["id"] for f in lst["items"]], [fw1s["id"]], "list by target")
    st, j, _ = s.api("GET", "/firmware?target=pdp11", token=viewer)
    t.eq((st, field(j)), (400, "target"), "list with a bad target")
    st, g, _ = s.api("GET", "/firmware/" + fw2["id"], token=viewer)
    t.eq((st, g["version"]), (200, "1.1.0"), "get by id")
    st, g, _ = s.api("GET", "/firmware/1.1.0", token=viewer)
    t.eq((st, g["id"]), (200, fw2["id"]), "get by version")
    st, j, _ = s.api("GET", "/firmware/1.0.0", token=viewer)
    t.eq((st, field(j)), (400, "target"), "ambiguous version needs a target")
    st, g, _ = s.api("GET", "/firmware/1.0.0?target=posix-sim", token=viewer)
    t.eq(g.get("id"), fw1s["id"], "get by version and target")
    st, j, _ = s.api("GET", "/firmware/9.9.9", token=viewer)
    t.eq((st, error_code(j)), (404, "not_found"), "unknown version")
    st, j, _ = s.api("GET", "/firmware/00000000-0000-4000-8000-000000000000", token=viewer)
    t.eq(st, 404, "unknown id")
    st, j, _ = s.api("GET", "/firmware", token=keys["device-provisioner"])
    t.eq(st, 403, "provisioner key may not read firmware")
    st, j, _ = s.api("DELETE", "/firmware/" + fw1s["id"], token=member)
    t.eq(st, 403, "member may not delete firmware")
    st, j, _ = s.api("DELETE", "/firmware/" + fw1s["id"], token=admin)
    t.eq(st, 200, "admin deletes an unused release")
    st, j, _ = s.api("GET", "/firmware/" + fw1s["id"], token=admin)
    t.eq(st, 404, "deleted release is gone")

    # --- Cross-org: B sees nothing, can neither read, delete nor set -------
    st, lst, _ = s.api("GET", "/firmware", token=b_admin)
    t.eq(lst["items"], [], "org B lists no firmware of A")
    st, j, _ = s.api("GET", "/firmware/" + fw1["id"], token=b_admin)
    t.eq(st, 404, "B cannot get A's release by id")
    st, j, _ = s.api("GET", "/firmware/1.1.0", token=b_admin)
    t.eq(st, 404, "B cannot get A's release by version")
    st, j, _ = s.api("DELETE", "/firmware/" + fw1["id"], token=b_admin)
    t.eq(st, 404, "B cannot delete A's release")
    st, j, _ = upload(s, b_admin, img1, "1.0.0", "esp32", sig1)
    t.eq(st, 412, "B has no key: A's key does not count for B")
    # The golden vector of docs/fleet-server.md pins the scheme (server and CLI).
    gk = os.path.join(signer.dir, "golden.key")
    with open(gk, "w") as f:
        f.write(GOLDEN_SK + "\n")
    gimg = os.path.join(signer.dir, "golden.bin")
    with open(gimg, "wb") as f:
        f.write(GOLDEN_IMAGE)
    t.eq(signer.run("firmware", "sign", gimg, "--key", gk).strip(), GOLDEN_SIG, "toit firmware sign: the golden vector")
    st, _, _ = s.api("PATCH", "/org", {"settings": {"firmware_public_key": GOLDEN_PK}}, token=b_admin)
    st, j, _ = upload(s, b_admin, GOLDEN_IMAGE, "0.0.1", "rv32-qemu", GOLDEN_SIG)
    t.eq((st, (j or {}).get("image_sha256")), (201, GOLDEN_SHA), f"the server accepts the golden vector: {j}")

    # --- Devices, SetFirmware, download -----------------------------------
    st, pk, _ = s.api("POST", "/org/apikeys", {"name": "fw-flash", "role": "device-provisioner"}, token=admin)
    st, _, _ = s.api("POST", "/groups", {"name": "fw-fleet"}, token=admin)
    devs = [Dev(s, pk["secret"], admin, f"fw-{i}", "fw-fleet") for i in range(4)]
    for d in devs:
        d.sync()
    # WatchDevices followers, opened before the changes below.
    watch_all = Follower(s.port, "/api/v1/watch", viewer)
    watch_q = Follower(s.port, "/api/v1/watch?q=" + "name%3Dfw-1", viewer)
    watch_b = Follower(s.port, "/api/v1/watch", b_admin)

    st, r, _ = s.api("POST", "/firmware/set", {"target": {"device": devs[0].id}, "version": "1.1.0"}, token=member)
    t.eq((st, r.get("devices")), (200, 1), f"member sets firmware on a device: {r}")
    t.eq(r["firmware"], {"version": "1.1.0", "sha256": fw2["image_sha256"], "size": len(img2),
                         "url_path": "/d/v1/blobs/" + fw2["image_sha256"], "sig": sig2, "min_from_version": "1.0.0"},
         "the goal's firmware entry (with the release's min_from_version, for the device to check too)")
    t.eq(r["skipped"], [], "no device skipped")
    resp = devs[0].sync()
    t.eq((resp.get("goal") or {}).get("firmware", {}).get("version"), "1.1.0", "the device's goal holds the firmware")
    st, ev, _ = s.api("GET", f"/devices/{devs[0].id}/events?kind=fw.update_requested", token=admin)
    t.eq([(e["actor"]["type"], e["after"]["version"]) for e in ev["items"]], [("api_key", "1.1.0")],
         "fw.update_requested with actor")
    # The device downloads the image through the chunked blob endpoint.
    dh = {"Authorization": devs[0].auth}
    st, man, _ = s.call("GET", f"/d/v1/blobs/{fw2['image_sha256']}/manifest", headers=dh)
    t.eq((st, man.get("size")), (200, len(img2)), "firmware manifest for the device")
    got = b""
    for i, ch in enumerate(man["chunks"]):
        a = i * man["chunk_size"]
        req = __import__("urllib.request").request.Request(
            s.url + f"/d/v1/blobs/{fw2['image_sha256']}", headers=dict(dh, Range=f"bytes={a}-{a + man['chunk_size'] - 1}"))
        with __import__("urllib.request").request.urlopen(req) as resp:
            part = resp.read()
        t.eq(hashlib.sha256(part).hexdigest(), ch, f"chunk {i} matches the manifest")
        got += part
    t.check(got == img2, "firmware image downloaded in chunks")
    # Another org's device cannot fetch it.
    st, pkb, _ = s.api("POST", "/org/apikeys", {"name": "b-flash", "role": "device-provisioner"}, token=b_admin)
    devb = Dev(s, pkb["secret"], b_admin, "b-dev")
    devb.sync()
    st, j, _ = s.call("GET", f"/d/v1/blobs/{fw2['image_sha256']}/manifest", headers={"Authorization": devb.auth})
    t.eq(st, 404, "B's device cannot download A's firmware")

    st, r, _ = s.api("POST", "/firmware/set", {"target": {"group": "fw-fleet"}, "version": "1.0.0",
                                               "release_target": "esp32"}, token=admin)
    t.eq((st, r.get("rev")), (200, 1), f"set firmware on a group: {r}")
    resp = devs[1].sync()
    t.eq((resp.get("goal") or {}).get("firmware", {}).get("version"), "1.0.0", "group members get it")
    t.eq((devs[0].sync().get("goal") or {}).get("firmware", {}).get("version"), None,
         "the device layer still wins (no new goal: unchanged)")
    st, goal0, _ = s.api("GET", f"/devices/{devs[0].id}/goal", token=admin)
    t.eq(goal0["goal"]["firmware"]["version"], "1.1.0", "device override over the group")
    st, r, _ = s.api("POST", "/firmware/set", {"target": {"query": "name=fw-2 or name=fw-3"}, "version": "1.1.0"},
                     token=admin)
    t.eq((st, r.get("devices")), (200, 2), "set firmware on a query")
    st, r, _ = s.api("POST", "/firmware/set", {"target": {"devices": [devs[2].id, devs[3].id]}, "version": "1.1.0"},
                     token=admin)
    t.eq((st, r.get("devices")), (200, 2), "set firmware on a device list")
    for body, code, fld in [
        ({"target": {"device": devs[0].id}}, 400, "version"),
        ({"target": {"device": devs[0].id}, "version": "9.9.9"}, 404, None),
        ({"target": {"device": devs[0].id}, "version": "1.0.0", "release_target": "vax"}, 400, "release_target"),
        ({"target": {}, "version": "1.1.0"}, 400, "target"),
        ({"target": {"device": devs[0].id, "group": "fw-fleet"}, "version": "1.1.0"}, 400, "target"),
        ({"target": {"query": "name ~ "}, "version": "1.1.0"}, 400, "target.query"),
        ({"target": {"devices": "x"}, "version": "1.1.0"}, 400, "target.devices"),
        ({"target": {"device": "00000000-0000-4000-8000-000000000000"}, "version": "1.1.0"}, 404, None),
        ({"target": {"group": "nope"}, "version": "1.1.0"}, 404, None),
        ({"target": "x", "version": "1.1.0"}, 400, "target"),
    ]:
        st, j, _ = s.api("POST", "/firmware/set", body, token=admin)
        t.eq((st, field(j)), (code, fld), f"SetFirmware rejects {body}")
    st, j, _ = s.api("POST", "/firmware/set", {"target": {"device": devs[0].id}, "version": "1.1.0"}, token=viewer)
    t.eq(st, 403, "viewer may not set firmware")
    st, j, _ = s.api("POST", "/firmware/set", {"target": {"device": devs[0].id}, "version": "1.1.0"}, token=b_admin)
    t.eq(st, 404, "B cannot set firmware on A's device (and has no such release)")
    st, j, _ = s.api("POST", "/firmware/set", {"target": {"group": "fw-fleet"}, "version": "1.1.0"}, token=b_admin)
    t.eq(st, 404, "B cannot set firmware on A's group")
    st, j, _ = s.api("DELETE", "/firmware/" + fw2["id"], token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "a release in use cannot be deleted")

    # --- WatchDevices: snapshot, changes, online/offline, removal, isolation
    snap = watch_all.wait(lambda e: e.get("type") == "snapshot", 5)
    t.eq(snap and snap.get("total"), 4, "watch: first message is the snapshot marker with the count")
    t.eq(watch_all.items[0].get("type") if watch_all.items else None, "snapshot", "watch: snapshot comes first")
    t.check(watch_all.wait(lambda e: e.get("type") == "added" and e["device"]["name"] == "fw-3", 5) is not None,
            "watch: the snapshot's devices as added")
    t.eq(watch_q.wait(lambda e: e.get("type") == "snapshot", 5).get("total"), 1, "watch with a query: 1 device")
    t.eq(watch_b.wait(lambda e: e.get("type") == "snapshot", 5).get("total"), 0, "org B's watch: none of A's devices")
    t.check(watch_b.wait(lambda e: e.get("type") == "added" and e["device"]["name"] == "b-dev", 5) is not None,
            "org B's watch: its device claimed later arrives as added")
    st, _, _ = s.api("PATCH", f"/devices/{devs[1].id}", {"name": "fw-1-renamed"}, token=admin)
    ch = watch_all.wait(lambda e: e.get("type") == "changed" and e["device"]["name"] == "fw-1-renamed", 5)
    t.check(ch is not None, "watch: a rename arrives as changed")
    t.check(watch_q.wait(lambda e: e.get("type") == "removed" and e["device"]["id"] == devs[1].id, 5) is not None,
            "watch with a query: a device that stops matching is removed")
    # Coalescing: 5 changes within ~0.5 s give at most 2 messages for the
    # device (one more per second if this machine is slow).
    n0 = len([e for e in watch_all.items if e.get("type") == "changed" and e["device"]["id"] == devs[2].id])
    t0 = time.time()
    for i in range(5):
        s.api("PATCH", f"/devices/{devs[2].id}", {"tags": {"n": str(i)}}, token=admin)
        time.sleep(0.1)
    span = time.time() - t0
    last = watch_all.wait(lambda e: e.get("type") == "changed" and e["device"]["tags"].get("n") == "4", 5)
    t.check(last is not None, "watch: the latest state arrives")
    n1 = len([e for e in watch_all.items if e.get("type") == "changed" and e["device"]["id"] == devs[2].id])
    t.check(1 <= n1 - n0 <= 2 + int(span), f"watch: 5 changes in {span:.1f} s coalesced to {n1 - n0} messages")
    # Offline by the clock, online on the next check-in.
    s.call("POST", "/test/clock", {"advance_ms": 2 * 3600 * 1000})
    off = watch_all.wait(lambda e: e.get("type") == "offline" and e["device"]["id"] == devs[3].id, 8)
    t.check(off is not None, "watch: offline when the check-in is overdue")
    devs[3].sync()
    t.check(watch_all.wait(lambda e: e.get("type") == "online" and e["device"]["id"] == devs[3].id, 8) is not None,
            "watch: online after a check-in")
    st, _, _ = s.api("POST", f"/devices/{devs[0].id}/unclaim", {}, token=admin)
    t.check(watch_all.wait(lambda e: e.get("type") == "removed" and e["device"]["id"] == devs[0].id, 5) is not None,
            "watch: an unclaimed device is removed")
    t.check(not any(e.get("device", {}).get("id") in [d.id for d in devs] for e in watch_b.items),
            "org B's watch saw nothing of A")
    st, j, _ = s.api("GET", "/watch?q=name%20~%20", token=viewer)
    t.eq((st, field(j)), (400, "q"), "watch with a malformed query")
    st, j, _ = s.api("GET", "/watch", token=keys["data-publisher"])
    t.eq(st, 403, "data-publisher key may not watch devices")
    st, j, _ = s.api("GET", "/watch")
    t.eq(st, 401, "watch needs credentials")
    for f in (watch_all, watch_q, watch_b):
        f.close()

    # --- A firmware rollout ------------------------------------------------
    st, _, _ = s.api("POST", "/groups", {"name": "fw-roll"}, token=admin)
    rdevs = [Dev(s, pk["secret"], admin, f"roll-{i}", "fw-roll") for i in range(3)]
    for d in rdevs:
        d.sync()  # reports the firmware it runs (v1)
    spec = {"name": "fw 1.1.0", "target": {"group": "fw-roll"}, "change": {"firmware": {"version": "1.1.0"}},
            "stages": [{"percent": 50, "soak_s": 0}, {"percent": 100, "soak_s": 0}], "policy": {"min_sample": 1}}
    st, pv, _ = s.api("POST", "/rollouts/preview", spec, token=admin)
    t.eq((st, pv.get("eligible"), pv.get("download_bytes")), (200, 3, 3 * len(img2)), f"firmware rollout preview: {pv}")
    st, j, _ = s.api("POST", "/rollouts/preview", dict(spec, change={"firmware": {"version": "7.7.7"}}), token=admin)
    t.eq(st, 404, "firmware rollout of an unknown version")
    st, j, _ = s.api("POST", "/rollouts/preview", dict(spec, change={"firmware": {}}), token=admin)
    t.eq((st, field(j)), (400, "change.firmware.version"), "firmware rollout without a version")
    st, ro, _ = s.api("POST", "/rollouts", dict(spec, start=True), token=admin)
    t.eq((st, ro.get("state")), (201, "running"), "firmware rollout started")
    ro = wait_state(s, admin, ro["id"], ("completed",), rdevs, timeout=15)
    t.eq(ro["state"], "completed", "firmware rollout completed")
    st, g, _ = s.api("GET", "/groups/fw-roll", token=admin)
    t.eq(g["config"].get("firmware", {}).get("version"), "1.1.0", "completion writes the firmware into the group layer")
    for d in rdevs:
        d.sync()
    t.eq({d.goal.get("firmware", {}).get("version") for d in rdevs}, {"1.1.0"}, "every member's goal has 1.1.0")

    # --- min_from_version: 1.1.0 replaces 1.0.0 or later only ---------------
    st, _, _ = s.api("POST", "/groups", {"name": "fw-old"}, token=admin)
    old = Dev(s, pk["secret"], admin, "old-1", "fw-old")
    old.fw = "0.9.4"
    old.sync()
    new = Dev(s, pk["secret"], admin, "new-1", "fw-old")
    new.fw = "v1.0.2"
    new.sync()
    silent = Dev(s, pk["secret"], admin, "silent-1")  # never reports its firmware
    st, j, _ = s.api("POST", "/firmware/set", {"target": {"device": old.id}, "version": "1.1.0"}, token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "SetFirmware refuses a device below min_from_version")
    t.check("runs firmware 0.9.4" in j["error"]["message"] and "1.0.0 or later" in j["error"]["message"],
            f"and says why: {j['error']['message']}")
    st, j, _ = s.api("POST", "/firmware/set", {"target": {"devices": [new.id, silent.id]}, "version": "1.1.0"}, token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "a device that never reported its firmware is refused too")
    t.check("has not reported its firmware" in j["error"]["message"], f"and says why: {j['error']['message']}")
    st, goal, _ = s.api("GET", f"/devices/{new.id}/goal", token=admin)
    t.eq(goal["goal"].get("firmware"), None, "a refused device list changes no device")
    st, j, _ = s.api("POST", "/firmware/set", {"target": {"group": "fw-old"}, "version": "1.1.0"}, token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "a group with a member below min_from_version is refused")
    st, r, _ = s.api("POST", "/firmware/set", {"target": {"query": "name=old-1 or name=new-1"}, "version": "1.1.0"},
                     token=admin)
    t.eq((st, r.get("devices"), [(x["name"], x["reason"]) for x in r.get("skipped", [])]),
         (200, 1, [("old-1", "firmware_too_old")]), f"a query skips the devices below min_from_version: {r}")
    t.eq((new.sync().get("goal") or {}).get("firmware", {}).get("version"), "1.1.0", "the others get it")
    st, r, _ = s.api("POST", "/firmware/set", {"target": {"device": old.id}, "version": "1.0.0",
                                               "release_target": "esp32"}, token=admin)
    t.eq(st, 200, "a release without min_from_version goes to any device")
    spec_old = dict(spec, name="fw to old", target={"group": "fw-old"})
    st, pv, _ = s.api("POST", "/rollouts/preview", spec_old, token=admin)
    t.eq((st, pv.get("eligible")), (200, 0), f"a firmware rollout to that group: nobody eligible: {pv}")
    t.eq(sorted((x["name"], x["reason"]) for x in pv.get("excluded", [])),
         [("new-1", "no_effect"), ("old-1", "firmware_too_old")],
         f"a firmware rollout excludes the devices below min_from_version: {pv}")

    # --- Data Stream: leased messages with flow control --------------------
    st, _, _ = s.api("POST", "/subscriptions", {"name": "fw-temps", "topic": "fw/temp"}, token=member)
    st, _, _ = s.api("POST", "/subscriptions", {"name": "b-temps", "topic": "fw/temp"}, token=b_admin)
    pub = keys["data-publisher"]
    for i in range(5):
        s.api("POST", "/publish?topic=fw/temp", raw=f"t{i}".encode(), token=pub, headers={"Content-Type": "text/plain"})
    stream = Follower(s.port, "/api/v1/subscriptions/fw-temps/messages?follow=1&max_inflight=3", pub)
    stream_b = Follower(s.port, "/api/v1/subscriptions/b-temps/messages?follow=1", b_admin)
    t.check(stream.wait(lambda m: base64.b64decode(m["data"]) == b"t2", 5) is not None, "stream: first 3 messages")
    time.sleep(0.6)
    t.eq(len(stream.items), 3, "stream: at most max_inflight unacked messages")
    ids = [m["id"] for m in stream.items]
    st, ack, _ = s.api("POST", "/subscriptions/fw-temps/ack", {"ids": ids[:2]}, token=pub)
    t.check(stream.wait(lambda m: base64.b64decode(m["data"]) == b"t4", 5) is not None, "stream: an ack makes room")
    time.sleep(0.3)
    t.eq([base64.b64decode(m["data"]) for m in stream.items], [b"t0", b"t1", b"t2", b"t3", b"t4"],
         "stream: in order, each once")
    s.api("POST", "/publish?topic=fw/temp", raw=b"t5", token=pub)
    time.sleep(0.5)
    t.eq(len(stream.items), 5, "stream: no more while 3 are in flight")
    s.api("POST", "/subscriptions/fw-temps/ack", {"ids": [m["id"] for m in stream.items[2:]]}, token=pub)
    t.check(stream.wait(lambda m: base64.b64decode(m["data"]) == b"t5", 5) is not None, "stream: live message after acks")
    st, subs, _ = s.api("GET", "/subscriptions", token=member)
    sub = [x for x in subs["items"] if x["name"] == "fw-temps"][0]
    t.eq(sub["unacked"], 1, "stream: the subscription's status counts the leases")
    t.eq(stream_b.wait(lambda m: True, 1), None, "org B's subscription gets nothing of A's topic")
    stream.close()
    stream_b.close()
    st, j, _ = s.api("GET", "/subscriptions/nope/messages?follow=1", token=pub)
    t.eq(st, 404, "stream of an unknown subscription")
    st, j, _ = s.api("GET", "/subscriptions/fw-temps/messages?follow=1", token=b_admin)
    t.eq(st, 404, "B cannot stream A's subscription")
    st, j, _ = s.api("GET", "/subscriptions/fw-temps/messages?follow=1&max_inflight=5000", token=pub)
    t.eq((st, field(j)), (400, "max_inflight"), "stream: max_inflight out of range")
    st, j, _ = s.api("GET", "/subscriptions/fw-temps/messages?follow=1", token=viewer)
    t.eq(st, 403, "viewer may not stream")

    # --- Fetch with wait_s: a long poll that a publish ends -----------------
    st, _, _ = s.api("POST", "/subscriptions", {"name": "lp", "topic": "lp/x"}, token=member)
    start = time.time()
    st, j, _ = s.api("GET", "/subscriptions/lp/messages?wait_s=1", token=pub)
    waited = time.time() - start
    t.check(st == 200 and j["items"] == [] and 0.9 <= waited < 3, "wait_s=1 on nothing waits about 1 s (%.2f s)" % waited)
    timer = threading.Timer(0.5, lambda: s.api("POST", "/publish?topic=lp/x", raw=b"late", token=pub))
    timer.start()
    start = time.time()
    st, j, _ = s.api("GET", "/subscriptions/lp/messages?wait_s=10", token=pub)
    waited = time.time() - start
    timer.join()
    t.check(st == 200 and [base64.b64decode(m["data"]) for m in j["items"]] == [b"late"] and waited < 3,
            "a publish ends the long poll (%.2f s)" % waited)
    st, j, _ = s.api("GET", "/subscriptions/lp/messages?wait_s=31", token=pub)
    t.eq((st, field(j)), (400, "wait_s"), "wait_s above 30 is refused")
    st, j, _ = s.api("GET", "/subscriptions/lp/messages?wait_s=5", token=b_admin)
    t.eq(st, 404, "B cannot long-poll A's subscription")


if __name__ == "__main__":
    main()
