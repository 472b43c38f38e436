"""Tests of the fleet CLI against a live server: output tables, --json,
exit codes (0 ok, 1 error, 2 usage, 3 not found, 4 permission), --help."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from fleetlib import Checks, Server  # noqa: E402

TOIT_BIN = [None]
COMMANDS = ["serve", "login", "logout", "whoami", "org", "user", "apikey", "key", "events", "device", "app", "data",
            "simulator", "group", "rollout", "firmware"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toit", required=True)
    ap.add_argument("--device", required=True)
    a = ap.parse_args()
    TOIT_BIN[0] = a.toit
    t = Checks()
    s = Server(a.toit, extra=("--api-rate", "10000", "--device-rate", "10000", "--sweep-ms", "50"))
    cfg_dir = tempfile.mkdtemp(prefix="fleet-cli-")
    env = dict(os.environ, TOIT_CONFIG=os.path.join(cfg_dir, "config.json"))
    env.pop("TOIT_SERVER", None)
    env.pop("TOIT_TOKEN", None)

    def toit(*args, password=None, extra_env=None):
        e = dict(env)
        if password is not None:
            e["TOIT_PASSWORD"] = password
        e.update(extra_env or {})
        p = subprocess.run([a.toit, *args], capture_output=True, text=True, env=e, timeout=30, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr

    try:
        for c in COMMANDS:
            rc, out, _ = toit(c, "--help")
            t.check(rc == 0 and "usage: toit " + ("apikey" if c == "key" else c) in out, f"{c} --help")
        rc, _, err = toit("whoami", extra_env={"TOIT_SERVER": s.url})
        t.eq(rc, 4, "whoami before login: permission exit code")
        t.check("toit login" in err, "hint to log in")
        rc, _, err = toit("login", "--server", s.url, "--email", "admin@localhost", password="wrong")
        t.eq(rc, 4, "login with a wrong password")
        rc, out, _ = toit("login", "--server", s.url, "--email", "admin@localhost", password="admin-pass-1")
        t.check(rc == 0 and "as admin@localhost (organization default, role admin)" in out, "login")
        t.eq(os.stat(env["TOIT_CONFIG"]).st_mode & 0o777, 0o600, "config file private")
        rc, out, _ = toit("whoami")
        t.check(rc == 0 and out.startswith("user admin@localhost in organization default"), "whoami table")
        rc, out, _ = toit("whoami", "--json")
        t.eq((rc, json.loads(out)["role"]), (0, "admin"), "whoami --json")

        rc, out, _ = toit("apikey", "create", "ci", "--role", "viewer", "--json")
        key = json.loads(out)
        t.check(rc == 0 and key["secret"].startswith("tk_"), "apikey create --json")
        rc, out, _ = toit("apikey", "create", "ci2", "--role", "nope")
        t.eq(rc, 2, "apikey create with a bad role: usage exit code")
        rc, _, _ = toit("apikey", "create", "ci3")
        t.eq(rc, 2, "apikey create without --role")
        rc, out, _ = toit("apikey", "list")
        lines = out.splitlines()
        t.check(rc == 0 and lines[0].split() == ["NAME", "ROLE", "PREFIX", "LAST", "USED", "STATE", "ID"] and
                "ci" in lines[1] and "never" in lines[1], "apikey list table")
        rc, out, _ = toit("whoami", extra_env={"TOIT_TOKEN": key["secret"]})
        t.check(rc == 0 and out.startswith("API key ci in organization default"), "TOIT_TOKEN overrides")
        rc, _, _ = toit("apikey", "list", extra_env={"TOIT_TOKEN": key["secret"]})
        t.eq(rc, 4, "viewer key may not list keys")
        rc, out, _ = toit("apikey", "revoke", key["id"])
        t.eq(rc, 0, "apikey revoke")
        rc, _, _ = toit("key", "revoke", key["id"])
        t.eq(rc, 3, "revoke twice (via the key alias): not found exit code")

        rc, out, _ = toit("org", "set", "name=Acme", "log_retention_d=21")
        t.check(rc == 0 and "rev 2" in out, "org set")
        rc, _, err = toit("org", "set", "log_retention_d=0")
        t.check(rc == 2 and "settings.log_retention_d" in err, "org set out of range")
        rc, _, _ = toit("org", "set", "nonsense")
        t.eq(rc, 2, "org set without =")
        rc, out, _ = toit("org", "show")
        t.check(rc == 0 and "name: Acme" in out and "log_retention_d: 21" in out, "org show")
        rc, out, _ = toit("org", "create", "Bravo")
        t.check(rc == 0 and "created organization Bravo" in out, "org create")
        rc, out, _ = toit("org", "list")
        t.check(rc == 0 and "Acme" in out and "Bravo" in out, "org list")
        rc, out, _ = toit("org", "use", "Bravo")
        t.eq(rc, 0, "org use")
        rc, out, _ = toit("whoami", "--json")
        t.eq(json.loads(out)["org"]["name"], "Bravo", "org use switched")
        rc, _, _ = toit("org", "use", "Nope")
        t.eq(rc, 3, "org use unknown")
        rc, _, _ = toit("org", "use", "Acme")

        rc, out, _ = toit("user", "invite", "cy@example.com", "--role", "viewer")
        t.check(rc == 0 and "/invites/ti_" in out, "user invite prints the link")
        link = out.strip().split()[-1]
        token = link.split("/invites/")[1].split("/")[0]
        st, _, _ = s.api("POST", f"/invites/{token}/accept", {"password": "cy-password"})
        t.eq(st, 200, "accept via API")
        rc, out, _ = toit("user", "list")
        t.check(rc == 0 and "cy@example.com" in out and "viewer" in out, "user list")
        rc, out, _ = toit("user", "role", "cy@example.com", "member")
        t.eq(rc, 0, "user role")
        rc, out, _ = toit("user", "list", "--json")
        roles = {m["email"]: m["role"] for m in json.loads(out)}
        t.eq(roles, {"admin@localhost": "admin", "cy@example.com": "member"}, "roles after change")
        rc, _, err = toit("user", "role", "admin@localhost", "viewer")
        t.check(rc == 1 and "last admin" in err, "last admin rule reaches the CLI")
        rc, _, _ = toit("user", "remove", "ghost@example.com")
        t.eq(rc, 3, "remove unknown member")
        rc, out, _ = toit("user", "remove", "cy@example.com")
        t.eq(rc, 0, "user remove")

        rc, out, _ = toit("events", "--kind", "org.member_removed")
        t.check(rc == 0 and "org.member_removed" in out and "admin@localhost" in out, "events table")
        rc, out, _ = toit("events", "--json", "--limit", "2")
        t.eq((rc, len(json.loads(out))), (0, 2), "events --json --limit")
        rc, _, _ = toit("events", "--limit", "0")
        t.eq(rc, 2, "events with a bad limit")

        # Devices: provisioned and synced by the scripted device client.
        rc, out, _ = toit("device", "list")
        t.check(rc == 0 and "No devices yet" in out, "empty device list says what to do")
        rc, out, _ = toit("apikey", "create", "flash", "--role", "device-provisioner", "--json")
        pkey = json.loads(out)["secret"]
        idents = []
        for name in ["sim-1", "sim-2"]:
            ident = os.path.join(cfg_dir, name + ".json")
            p = subprocess.run([a.device, "provision", "--server", s.url, "--key", pkey, "--identity", ident,
                                "--claim", name], capture_output=True, text=True, timeout=30)
            t.eq(p.returncode, 0, f"fleet-device provision {name}")
            p = subprocess.run([a.device, "sync", "--identity", ident, "--count", "3", "--logs", "2", "--metrics", "2"],
                               capture_output=True, text=True, timeout=30)
            t.check(p.returncode == 0 and "sync 3: ok" in p.stdout, f"fleet-device sync {name}")
            idents.append(ident)
        rc, out, _ = toit("device", "list")
        lines = out.splitlines()
        t.check(rc == 0 and lines[0].split() == ["DEVICE", "FIRMWARE", "LAST", "SEEN", "ID", "STATUS"], "device list header")
        t.check(len(lines) == 3 and lines[1].startswith("sim-1") and "v0.1.0" in lines[1] and "s ago" in lines[1]
                and lines[1].rstrip().endswith("Healthy"), "device list row")
        rc, out, _ = toit("device", "list", "--json")
        devs = json.loads(out)
        t.eq([d["name"] for d in devs], ["sim-1", "sim-2"], "device list --json")
        rc, out, _ = toit("device", "list", "--where", "sim-2")
        t.check(rc == 0 and "sim-2" in out and "sim-1" not in out, "device list --where")
        rc, out, _ = toit("device", "show", "-d", devs[0]["id"][:8])
        t.check(rc == 0 and "name:        sim-1" in out and "up to date" in out, "device show by id prefix")
        rc, _, _ = toit("device", "show", "-d", "nope")
        t.eq(rc, 3, "device show unknown")
        rc, _, _ = toit("device", "show")
        t.eq(rc, 2, "device show without -d")
        rc, out, _ = toit("device", "config", "-d", "sim-1", "set", "max_offline_s=600", "log_level=debug")
        t.check(rc == 0 and "device layer rev 1" in out, "device config set")
        rc, _, err = toit("device", "config", "-d", "sim-1", "set", "max_offline_s=5")
        t.check(rc == 2 and "max_offline_s" in err, "device config set out of range")
        rc, out, _ = toit("device", "config", "-d", "sim-1", "get")
        t.check(rc == 0 and any(l.split()[:3] == ["max_offline_s", "600", "(device)"] for l in out.splitlines()),
                "device config get shows the layer")
        rc, out, _ = toit("device", "config", "-d", "sim-1", "unset", "log_level", "--json")
        t.eq((rc, json.loads(out)), (0, {"rev": 2}), "device config unset --json")
        p = subprocess.run([a.device, "sync", "--identity", idents[0], "--count", "1"], capture_output=True, text=True)
        t.check("goal rev 2" in p.stdout, "device picks up the new goal")
        rc, out, _ = toit("device", "logs", "-d", "sim-1")
        t.check(rc == 0 and len(out.splitlines()) == 6 and "sensor" in out, "device logs")
        rc, out, _ = toit("device", "logs", "-d", "sim-1", "--json", "--limit", "2")
        t.eq([l["seq"] for l in json.loads(out)], [1, 2], "device logs --json --limit")
        rc, out, _ = toit("device", "events", "-d", "sim-1")
        t.check(rc == 0 and "device.config_changed" in out and "device.claimed" in out, "device events")
        rc, out, _ = toit("device", "metrics", "-d", "sim-1", "battery.pct", "--step", "3600")
        t.check(rc == 0 and len(out.splitlines()) >= 1, "device metrics")
        rc, out, _ = toit("device", "rename", "-d", "sim-2", "sim-two")
        t.eq(rc, 0, "device rename")
        rc, _, _ = toit("device", "rename", "-d", "sim-two", "sim-1")
        t.eq(rc, 1, "rename to a taken name")
        rc, out, _ = toit("device", "tag", "-d", "sim-two", "site=lab")
        rc, out, _ = toit("device", "show", "-d", "sim-two", "--json")
        t.eq(json.loads(out)["tags"], {"site": "lab"}, "device tag")
        # Apps.
        img = os.path.join(cfg_dir, "blink.img")
        with open(img, "wb") as f:
            f.write(bytes(range(256)) * 40)
        rc, out, _ = toit("app", "upload", img, "--name", "blink", "--version", "1.0.0", "--trigger", "boot")
        t.check(rc == 0 and out.startswith("uploaded blink@1.0.0 (sha256 ") and "10.0 KiB" in out, "app upload")
        rc, out, _ = toit("app", "upload", img, "--name", "blink")
        t.check(rc == 0 and "blink@2" in out, "app upload with automatic version")
        rc, _, _ = toit("app", "upload", os.path.join(cfg_dir, "missing.img"), "--name", "blink")
        t.eq(rc, 1, "app upload of a missing file")
        rc, _, _ = toit("app", "upload", img)
        t.eq(rc, 2, "app upload without --name")
        rc, out, _ = toit("app", "list")
        t.check(rc == 0 and out.splitlines()[1].split() == ["blink", "2", "2"], "app list")
        rc, out, _ = toit("app", "versions", "blink", "--json")
        t.eq([v["version"] for v in json.loads(out)], ["1.0.0", "2"], "app versions --json")
        rc, out, _ = toit("app", "install", "blink@1.0.0", "-d", "sim-1")
        t.check(rc == 0 and "blink@1.0.0 goes to sim-1" in out, "app install")
        rc, out, _ = toit("app", "installed", "-d", "sim-1")
        t.check(rc == 0 and out.split() == ["blink", "1.0.0", "pending"], "app installed")
        rc, _, _ = toit("app", "install", "nope", "-d", "sim-1")
        t.eq(rc, 3, "install an unknown app")
        rc, out, _ = toit("app", "uninstall", "blink", "-d", "sim-1")
        t.eq(rc, 0, "app uninstall")
        rc, _, _ = toit("app", "uninstall", "blink", "-d", "sim-1")
        t.eq(rc, 3, "uninstall twice")

        # Data.
        rc, out, _ = toit("data", "subscribe", "temps", "telemetry/#")
        t.eq(rc, 0, "data subscribe")
        for payload in ["21.5", "22.0"]:
            rc, out, _ = toit("data", "publish", "telemetry/temp", payload, "--type", "text/plain")
            t.check(rc == 0 and out.startswith("published message "), "data publish")
        rc, out, _ = toit("data", "publish", "bad topic", "x")
        t.eq(rc, 2, "publish to a bad topic")
        rc, out, _ = toit("data", "fetch", "temps", "--ack")
        msgs = [json.loads(l) for l in out.splitlines()]
        import base64
        t.eq([base64.b64decode(m["data"]).decode() for m in msgs], ["21.5", "22.0"], "data fetch")
        rc, out, _ = toit("data", "fetch", "temps")
        t.eq((rc, out), (0, ""), "acked messages are not fetched again")
        rc, out, _ = toit("data", "subscriptions")
        t.check(rc == 0 and "temps" in out and "lag 0" in out and "unacked 0" in out, "data subscriptions")
        rc, out, _ = toit("data", "topics")
        t.check(rc == 0 and "telemetry/temp" in out, "data topics")
        rc, _, _ = toit("data", "ack", "temps", "x")
        t.eq(rc, 2, "data ack with a bad id")
        rc, _, _ = toit("data", "fetch", "nope")
        t.eq(rc, 3, "fetch an unknown subscription")

        # Simulators.
        rc, out, _ = toit("simulator", "start", "--name", "sim-x")
        t.check(rc == 0 and out.startswith("simulator sim-x ("), "simulator start")
        rc, out, _ = toit("simulator", "list")
        lines = out.splitlines()
        t.check(rc == 0 and lines[0].split() == ["NAME", "STATE", "ID"] and lines[1].split()[:2] == ["sim-x", "starting"],
                "simulator list")
        sim_id = lines[1].split()[2]
        rc, out, _ = toit("simulator", "stop", sim_id)
        t.eq(rc, 0, "simulator stop")
        rc, out, _ = toit("simulator", "list", "--json")
        t.eq([x["state"] for x in json.loads(out)], ["stopped"], "simulator list --json")
        rc, _, _ = toit("simulator", "delete", sim_id)
        t.eq(rc, 0, "simulator delete")
        rc, _, _ = toit("simulator", "stop", sim_id)
        t.eq(rc, 3, "stop a deleted simulator")

        group_and_rollout(t, toit, a.device, idents)
        firmware_watch_stream(t, toit, cfg_dir)

        rc, _, _ = toit("device", "unclaim", "-d", "sim-two")
        t.eq(rc, 2, "unclaim needs --yes")
        rc, _, _ = toit("device", "unclaim", "-d", "sim-two", "--yes")
        t.eq(rc, 0, "unclaim")
        rc, out, _ = toit("device", "claim", "ZZZZZZZZ")
        t.check(rc == 1 and "not_available" in out, "claim an unknown code")
        ident2 = json.load(open(idents[1]))
        rc, out, _ = toit("device", "claim", ident2["claim_code"], "--name", "again")
        t.check(rc == 0 and "claimed as" in out, "claim again after unclaim")

        rc, _, _ = toit("logout")
        t.eq(rc, 0, "logout")
        rc, _, _ = toit("whoami")
        t.eq(rc, 4, "whoami after logout")
        rc, _, _ = toit("serve", "--bogus")
        t.eq(rc, 2, "serve with an unknown flag")
        rc, _, err = toit("serve", "--db", "sqlite:/nonexistent/dir/x.db", "--http", "127.0.0.1:0", "--data",
                          os.path.join(cfg_dir, "d"))
        t.check(rc == 1 and "cannot open" in err, "serve with an unusable database")
    finally:
        s.stop()
    t.finish()


def group_and_rollout(t, toit, device, idents):
    """`toit group` and `toit rollout` against the two scripted devices."""
    def sync_all():
        for ident in idents:
            subprocess.run([device, "sync", "--identity", ident, "--count", "2"], capture_output=True, timeout=30)

    rc, out, _ = toit("group", "create", "field", "--description", "out there")
    t.check(rc == 0 and out.startswith("created group field"), "group create")
    rc, _, _ = toit("group", "create", "field")
    t.eq(rc, 1, "group create with a taken name")
    rc, out, _ = toit("group", "add", "field", "sim-1", "sim-two")
    t.check(rc == 0 and "2 devices moved to field" in out, "group add")
    rc, out, _ = toit("group", "list")
    lines = out.splitlines()
    t.check(rc == 0 and lines[0].split() == ["GROUP", "DEVICES", "CONFIG", "REV", "ID"] and lines[1].split()[:2] == ["field", "2"],
            "group list table")
    rc, out, _ = toit("group", "config", "field", "set", "max_offline_s=900")
    t.check(rc == 0 and "group layer rev 1" in out, "group config set")
    rc, _, err = toit("group", "config", "field", "set", "bogus=1")
    t.check(rc == 2 and "bogus" in err, "group config set rejects unknown fields")
    rc, out, _ = toit("group", "show", "field")
    t.check(rc == 0 and "devices: 2" in out and "max_offline_s = 900" in out, "group show")
    rc, out, _ = toit("group", "show", "field", "--json")
    t.eq((rc, json.loads(out)["config"]), (0, {"max_offline_s": 900}), "group show --json")
    rc, _, _ = toit("group", "show", "nope")
    t.eq(rc, 3, "group show unknown")
    rc, out, _ = toit("group", "rename", "field", "meadow")
    t.check(rc == 0 and "meadow" in out, "group rename")
    rc, out, _ = toit("group", "app", "install", "meadow", "blink")
    t.check(rc == 0 and "installing blink on group meadow" in out, "group app install")
    rc, out, _ = toit("group", "app", "uninstall", "meadow", "blink")
    t.eq(rc, 0, "group app uninstall")

    # Rollouts: preview, create, status with the progress display, --watch, actions.
    rc, _, err = toit("rollout", "preview", "--group", "meadow")
    t.check(rc == 2 and "one change" in err, "preview without a change")
    rc, out, _ = toit("rollout", "preview", "--group", "meadow", "--set", "log_level=debug", "--stages", "50,100",
                      "--soak", "0", "--name", "debug logs")
    t.check(rc == 0 and "debug logs: 2 matched, 2 eligible" in out and "stage 1 (50%, soak 0s): 1 device" in out
            and "stage 2 (100%, soak 0s): 1 device" in out, "rollout preview")
    rc, out, _ = toit("rollout", "preview", "--where", "", "--set", "log_level=debug", "--stages", "1,100", "--diversify",
                      "--json")
    t.eq((rc, json.loads(out)["stages"][0]["count"]), (0, 1), "preview --diversify (one firmware|group combination)")
    rc, out, _ = toit("rollout", "preview", "--group", "meadow", "--set", "log_level=debug", "--json")
    t.eq((rc, [x["count"] for x in json.loads(out)["stages"]]), (0, [1, 1, 0, 0]), "preview --json, default stages (at least one device more per stage)")
    rc, _, err = toit("rollout", "create", "--group", "meadow", "--set", "log_level=debug", "--stages", "50,20")
    t.check(rc == 2 and "stages" in err, "create with bad stages")
    rc, _, err = toit("rollout", "create", "--group", "meadow", "--set", "log_level=debug", "--soak", "soon")
    t.eq(rc, 2, "create with a bad --soak")
    rc, out, _ = toit("rollout", "create", "--group", "meadow", "--set", "log_level=debug", "--stages", "50,100",
                      "--soak", "0", "--min-sample", "1", "--name", "debug logs", "--json")
    ro = json.loads(out)
    t.eq((rc, ro["state"]), (0, "draft"), "rollout create --json")
    rc, out, _ = toit("rollout", "start", ro["id"][:8])
    t.check(rc == 0 and "running" in out, "rollout start by id prefix")
    rc, out, _ = toit("rollout", "status", ro["id"][:8])
    t.check(rc == 0 and "> stage 1/2" in out and "[" in out and "targeted 2" in out, f"rollout status progress display: {out}")
    rc, out, _ = toit("rollout", "pause", ro["id"])
    t.check(rc == 0 and "paused" in out, "rollout pause")
    rc, out, _ = toit("rollout", "pause", ro["id"])
    t.eq(rc, 1, "pause a paused rollout: failed precondition")
    rc, out, _ = toit("rollout", "resume", ro["id"])
    t.check(rc == 0 and "running" in out, "rollout resume")
    for _ in range(40):  # the devices check in until the rollout has gone through both stages
        sync_all()
        rc, out, _ = toit("rollout", "status", ro["id"], "--json")
        if rc != 0 or json.loads(out)["state"] != "running":
            break
        time.sleep(0.1)
    rc, out, _ = toit("rollout", "status", ro["id"], "--watch", "--members")
    t.check(rc == 0 and "completed" in out and "applied 1/1" in out and "healthy" in out and "sim-1" in out,
            f"rollout status --watch until done: {out}")
    rc, out, _ = toit("rollout", "list")
    lines = out.splitlines()
    t.check(rc == 0 and lines[0].split()[:3] == ["ID", "NAME", "STATE"] and "debug logs" in lines[1] and "completed" in lines[1],
            "rollout list table")
    rc, out, _ = toit("rollout", "list", "--state", "running", "--json")
    t.eq((rc, json.loads(out)), (0, []), "rollout list --state --json")
    rc, out, _ = toit("rollout", "preview", "-d", "sim-1", "--set", "metrics_level=debug", "--watch-metric", "app.restarts:3",
                      "--json")
    t.eq(rc, 0, "preview --watch-metric")
    rc, _, err = toit("rollout", "preview", "-d", "sim-1", "--set", "metrics_level=debug", "--watch-metric", "Bad Name")
    t.check(rc == 2 and "watch_metric" in err, "--watch-metric validated by the server")
    rc, out, _ = toit("rollout", "create", "-d", "sim-1", "--set", "metrics_level=debug", "--start", "--soak", "1h")
    t.check(rc == 0 and "running" in out, "rollout create -d --start")
    rid = out.split()[2]
    rc, out, _ = toit("rollout", "halt", rid, "--reason", "looks odd")
    t.check(rc == 0 and "halted" in out, "rollout halt")
    rc, out, _ = toit("rollout", "status", rid)
    t.check("halted by hand: looks odd" in out, "status shows the halt")
    rc, out, _ = toit("rollout", "abort", rid)
    t.check(rc == 0 and "cancelled" in out, "rollout abort")
    rc, _, _ = toit("rollout", "status", "ffffffff")
    t.eq(rc, 3, "status of an unknown rollout")
    rc, _, _ = toit("rollout", "explode")
    t.eq(rc, 2, "unknown rollout command")
    rc, out, _ = toit("group", "delete", "meadow")
    t.eq(rc, 1, "delete a group with members")
    rc, out, _ = toit("group", "delete", "meadow", "--ungroup")
    t.check(rc == 0 and "deleted" in out, "group delete --ungroup")


def firmware_watch_stream(t, toit, cfg_dir):
    """`toit firmware`, `toit device watch`, `toit data stream`."""
    import base64
    key = os.path.join(cfg_dir, "fw.key")
    img = os.path.join(cfg_dir, "fw.bin")
    with open(img, "wb") as f:
        f.write(b"CLI-FIRMWARE" * 3000)
    rc, out, _ = toit("firmware", "keygen", "--out", key)
    t.check(rc == 0 and out.startswith("public key ") and "toit org set firmware_public_key=" in out, "firmware keygen")
    pub = out.split()[2]
    t.eq(os.stat(key).st_mode & 0o777, 0o600, "key file private")
    rc, _, err = toit("firmware", "keygen", "--out", key)
    t.check(rc == 1 and "must not exist" in err, "keygen never overwrites a key")
    rc, sig, _ = toit("firmware", "sign", img, "--key", key)
    t.eq((rc, len(base64.b64decode(sig.strip()))), (0, 64), "firmware sign")
    rc, _, err = toit("firmware", "upload", img, "--version", "1.0.0", "--target", "posix-sim", "--key", key)
    t.check(rc == 1 and "firmware_public_key" in err, "upload before the org has a key")
    rc, out, _ = toit("org", "set", "firmware_public_key=" + pub)
    t.eq(rc, 0, "org set firmware_public_key")
    rc, _, err = toit("firmware", "upload", img, "--version", "1.0.0", "--target", "posix-sim",
                      "--sig", base64.b64encode(bytes(64)).decode())
    t.check(rc == 2 and "signature does not verify" in err, "upload with a bad signature")
    rc, _, _ = toit("firmware", "upload", img, "--version", "1.0.0")
    t.eq(rc, 2, "upload without --target")
    rc, out, _ = toit("firmware", "upload", img, "--version", "1.0.0", "--target", "posix-sim", "--key", key,
                      "--notes", "first release")
    t.check(rc == 0 and out.startswith("uploaded firmware 1.0.0 for posix-sim (sha256 "), f"firmware upload: {out}")
    rc, out, _ = toit("firmware", "upload", img, "--version", "1.0.1", "--target", "posix-sim", "--sig", sig.strip(),
                      "--json")
    t.eq((rc, json.loads(out)["version"] if rc == 0 else None), (0, "1.0.1"), "firmware upload --sig --json")
    rc, out, _ = toit("firmware", "list")
    lines = out.splitlines()
    t.check(rc == 0 and lines[0].split()[:3] == ["VERSION", "TARGET", "SIZE"] and len(lines) == 3, f"firmware list: {out}")
    rc, out, _ = toit("firmware", "list", "--target", "esp32", "--json")
    t.eq((rc, json.loads(out)), (0, []), "firmware list --target --json")
    rc, out, _ = toit("firmware", "show", "1.0.0")
    t.check(rc == 0 and "firmware 1.0.0 for posix-sim" in out and "first release" in out, "firmware show")
    rc, _, _ = toit("firmware", "show", "9.9.9")
    t.eq(rc, 3, "show an unknown release")
    rc, out, _ = toit("firmware", "set", "1.0.0", "-d", "sim-1")
    t.check(rc == 0 and "set on 1 device(s)" in out, "firmware set -d")
    rc, _, err = toit("firmware", "set", "1.0.0", "--where", "name=sim-two")
    t.check(rc == 2 and "1 device(s)" in err and "--yes" in err, "firmware set --where asks for --yes")
    rc, out, _ = toit("firmware", "set", "1.0.1", "--where", "name=sim-two", "--yes", "--json")
    t.eq((rc, json.loads(out)["devices"] if rc == 0 else None), (0, 1), "firmware set --where --yes --json")
    rc, _, _ = toit("firmware", "set", "1.0.0", "-d", "sim-1", "--group", "g")
    t.eq(rc, 2, "firmware set with two targets")
    rc, out, _ = toit("device", "show", "-d", "sim-1", "--json")
    t.eq(json.loads(out)["goal"]["firmware"]["version"], "1.0.0", "the device's goal has the firmware")
    rc, out, _ = toit("rollout", "preview", "-d", "sim-1", "--firmware", "1.0.1@posix-sim", "--json")
    t.eq((rc, json.loads(out)["change"] if rc == 0 else None),
         (0, {"firmware": {"version": "1.0.1", "release_target": "posix-sim"}}), "rollout preview --firmware")
    rc, _, _ = toit("firmware", "delete", "1.0.0")
    t.eq(rc, 1, "delete a release in use")
    rc, out, _ = toit("firmware", "set", "1.0.1", "-d", "sim-1")
    rc, out, _ = toit("firmware", "delete", "1.0.0")
    t.check(rc == 0 and "deleted firmware 1.0.0" in out, "firmware delete once unused")
    # A release that only replaces 1.0.0 or later: the sim devices run v0.1.0.
    rc, out, _ = toit("firmware", "upload", img, "--version", "2.0.0", "--target", "posix-sim", "--sig", sig.strip(),
                      "--min-from", "1.0.0")
    t.eq(rc, 0, "firmware upload --min-from")
    rc, out, _ = toit("firmware", "set", "2.0.0", "--where", "name=sim-two", "--yes")
    t.check(rc == 0 and "set on 0 device(s)" in out and
            "skipped sim-two: it runs firmware older than the release's min_from_version" in out,
            f"firmware set --where skips a device below min_from_version: {out}")
    rc, _, err = toit("firmware", "set", "2.0.0", "-d", "sim-1")
    t.check(rc == 1 and "runs firmware v0.1.0" in err, f"firmware set -d refuses it: {err}")
    rc, _, _ = toit("firmware", "explode")
    t.eq(rc, 2, "unknown firmware command")

    # On a terminal: the upload's progress bar and the watch's live table.
    def toit_tty(*args):
        import pty
        import select
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("TOIT_SERVER", "TOIT_TOKEN")}
        env["TOIT_CONFIG"] = os.path.join(cfg_dir, "config.json")
        p = subprocess.Popen([TOIT_BIN[0], *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
        os.close(slave)
        out = b""
        deadline = time.time() + 20
        while time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                out += chunk
            elif p.poll() is not None:
                break
        os.close(master)
        return p.wait(5), out.decode(errors="replace")

    rc, out = toit_tty("firmware", "upload", img, "--version", "1.0.2", "--target", "esp32c3", "--key", key)
    t.check(rc == 0 and "upload [##############################] 100%" in out and "uploaded firmware 1.0.2" in out,
            f"firmware upload shows a progress bar on a terminal: {out!r}")
    rc, out = toit_tty("device", "list", "--watch", "--count", "2")
    t.check(rc == 0 and "\x1b[H\x1b[J" in out and "DEVICE" in out and "sim-1" in out and "sim-two" in out,
            f"device list --watch redraws the table on a terminal: {out!r}")

    # Watch: not a terminal here, so one line per change.
    rc, out, _ = toit("device", "watch", "--count", "2")
    lines = out.splitlines()
    t.check(rc == 0 and len(lines) == 2 and all(l.split()[1] == "added" for l in lines)
            and {l.split()[2] for l in lines} == {"sim-1", "sim-two"}, f"device watch --count: {out}")
    rc, out, _ = toit("device", "watch", "--where", "name=sim-1", "--count", "1", "--json")
    items = [json.loads(l) for l in out.splitlines()]
    t.eq((rc, [(i["type"], i.get("total"), i.get("device", {}).get("name")) for i in items]),
         (0, [("snapshot", 1, None), ("added", None, "sim-1")]), "device watch --where --json")
    rc, _, err = toit("device", "watch", "--where", "name ~ ")
    t.check(rc == 2 and "invalid_argument" in err, "device watch with a bad query")

    # Stream with acknowledgement.
    for payload in ["s1", "s2"]:
        toit("data", "publish", "telemetry/temp", payload)
    rc, out, _ = toit("data", "stream", "temps", "--count", "2", "--ack", "--max-inflight", "5")
    msgs = [json.loads(l) for l in out.splitlines()]
    t.eq((rc, [base64.b64decode(m["data"]).decode() for m in msgs]), (0, ["s1", "s2"]), "data stream --count --ack")
    rc, out, _ = toit("data", "fetch", "temps")
    t.eq((rc, out), (0, ""), "streamed and acked messages are done")
    rc, _, _ = toit("data", "stream", "nope", "--count", "1")
    t.eq(rc, 3, "stream an unknown subscription")


if __name__ == "__main__":
    main()
