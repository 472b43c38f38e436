"""Staged rollouts (FLEET.md §3.4) over the HTTP/JSON API, with scripted
devices that apply their goal and report state and events: preview, stages,
soak, automatic halt on failures and on health regression, pause/resume,
abort, rollback, conflicts, validation, roles and tenancy."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from fleetlib import Follower, run_suite  # noqa: E402

FAST = ("--api-rate", "100000", "--device-rate", "100000", "--sweep-ms", "50")


def error_code(j):
    return (j or {}).get("error", {}).get("code")


class Dev:
    """A protocol-level device: claims, syncs, applies its goal at once."""

    def __init__(self, s, pkey, admin, name, group=None):
        self.s = s
        st, hw, _ = s.call("POST", "/d/v1/provision", {}, headers={"Authorization": "Bearer " + pkey})
        item = {"claim_code": hw["claim_code"], "name": name}
        if group:
            item["group"] = group
        st, cl, _ = s.api("POST", "/devices/claim", {"items": [item]}, token=admin)
        assert cl["items"][0]["status"] == "claimed", cl
        self.id = cl["items"][0]["device_id"]
        self.name = name
        self.req = 0
        self.fw = "v1"  # the firmware it reports running
        self.goal = None
        self.seq = 0
        self.auth = f"Hardware {hw['hardware_id']}.{hw['secret']}"
        self.sync()

    def sync(self, events=(), apply=True, apps_state=None, metrics=()):
        self.req += 1
        body = {"v": 1, "boot": "boot-1", "req": self.req, "up": 1000}
        if self.goal:
            body["goal"] = {"rev": self.goal["rev"], "sum": self.goal["sum"]}
            state = {"applied_rev": self.goal["rev"], "applied_sum": self.goal["sum"] if apply else "0" * 32,
                     "firmware": {"running_version": self.fw}, "power": {"battery_pct": 90, "plugged": True}}
            if apps_state:
                state["apps"] = apps_state
            body["state"] = state
            body["state_sum"] = f"{self.goal['sum'][:24]}{self.req:08x}"
        if events:
            items = []
            for k in events:
                self.seq += 1
                items.append({"seq": self.seq, "kind": k, "up": 900, "data": {}})
            body["up_events"] = {"items": items}
        if metrics:
            items = []
            for n, v in metrics:
                self.mseq = getattr(self, "mseq", 0) + 1
                items.append({"seq": self.mseq, "n": n, "k": "g", "v": v, "up": 900})
            body["up_metrics"] = {"items": items}
        st, r, _ = self.s.call("POST", "/d/v1/sync", body, headers={"Authorization": self.auth})
        assert st == 200, (st, r)
        if r.get("auth"):
            self.auth = f"Device {r['auth']['device_id']}.{r['auth']['token']}"
        if r.get("goal"):
            self.goal = r["goal"]
        return r


def wait_state(s, tok, rid, want, devs=(), timeout=10, **kw):
    deadline = time.time() + timeout
    ro = None
    while time.time() < deadline:
        for d in devs:
            d.sync(**kw)
        st, ro, _ = s.api("GET", "/rollouts/" + rid, token=tok)
        if ro["state"] in want:
            return ro
        time.sleep(0.1)
    return ro


def main():
    run_suite(run, extra=FAST)


def run(t, s):
    admin = s.login("admin@localhost", "admin-pass-1")
    st, pk, _ = s.api("POST", "/org/apikeys", {"name": "flash", "role": "device-provisioner"}, token=admin)
    st, vk, _ = s.api("POST", "/org/apikeys", {"name": "watcher", "role": "viewer"}, token=admin)
    viewer = vk["secret"]
    for g in ["drones", "sensors", "pumps", "valves"]:
        st, _, _ = s.api("POST", "/groups", {"name": g}, token=admin)
        t.eq(st, 201, f"group {g}")
    drones = [Dev(s, pk["secret"], admin, f"drone-{i}", "drones") for i in range(10)]
    sensors = [Dev(s, pk["secret"], admin, f"sensor-{i}", "sensors") for i in range(6)]
    pumps = [Dev(s, pk["secret"], admin, f"pump-{i}", "pumps") for i in range(6)]
    valves = [Dev(s, pk["secret"], admin, f"valve-{i}", "valves") for i in range(4)]
    for d in drones + sensors + pumps + valves:
        d.sync()

    # An app to roll out.
    st, up, _ = s.api("POST", "/apps/blink/versions", raw=b"IMAGE-v1" * 100,
                      headers={"X-App-Spec": '{"version": "1.0.0"}', "Content-Type": "application/octet-stream"},
                      token=admin)
    t.eq(st, 201, "upload blink 1.0.0")

    # --- Validation -------------------------------------------------------
    cfg = {"max_offline_s": 600}
    for body, field in [
        ({}, "target"),
        ({"target": {"group": "drones", "query": "x"}, "change": {"config": cfg}}, "target"),
        ({"target": {"devices": ["not-an-id"]}, "change": {"config": cfg}}, "target.devices"),
        ({"target": {"group": "drones"}}, "change"),
        ({"target": {"group": "drones"}, "change": {"config": {"bogus": 1}}}, "change.config.bogus"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "stages": [50, 20, 100]}, "stages"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "stages": [10, 50]}, "stages"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "stages": [100] * 11}, "stages"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "policy": {"max_failed_pct": 250}}, "policy.max_failed_pct"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "policy": {"on_halt": "explode"}}, "policy.on_halt"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "policy": {"sneaky": 1}}, "policy.sneaky"),
        ({"target": {"group": "drones"}, "change": {"config": cfg}, "name": "x" * 100}, "name"),
        ({"target": {"query": "name ~ "}, "change": {"config": cfg}}, "target.query"),
    ]:
        st, j, _ = s.api("POST", "/rollouts/preview", body, token=admin)
        t.eq((st, error_code(j), (j["error"]["details"] or {}).get("field")), (400, "invalid_argument", field),
             f"preview rejects {field}: {j}")
    st, j, _ = s.api("POST", "/rollouts", {"target": {"group": "nope"}, "change": {"config": cfg}}, token=admin)
    t.eq(st, 404, "unknown group: not found")
    st, j, _ = s.api("POST", "/rollouts", {"target": {"group": "drones"}, "change": {"install": {"app": "nope"}}}, token=admin)
    t.eq(st, 404, "unknown app: not found")
    st, j, _ = s.api("POST", "/rollouts", {"target": {"group": "drones"}, "change": {"config": cfg}}, token=viewer)
    t.eq((st, error_code(j)), (403, "permission_denied"), "viewer may not create a rollout")
    st, j, _ = s.api("POST", "/rollouts", {"target": {"group": "drones"}, "change": {"config": cfg}})
    t.eq(st, 401, "no credentials")
    st, j, _ = s.api("POST", "/rollouts/preview", raw=b"{" + b"x" * (2 << 20) + b"}", token=admin)
    t.eq(st, 413, "oversized rollout body")

    # --- Preview: deterministic, same stages as the run -------------------
    # One drone overrides max_offline_s itself: the change has no effect there.
    st, _, _ = s.api("PATCH", f"/devices/{drones[9].id}/config", {"max_offline_s": 120}, token=admin)
    spec = {"name": "slow sync", "target": {"group": "drones"}, "change": {"config": {"max_offline_s": 600}},
            "stages": [{"percent": 10, "soak_s": 0}, {"percent": 50, "soak_s": 0}, {"percent": 100, "soak_s": 0}],
            "policy": {"min_sample": 1}}
    st, p1, _ = s.api("POST", "/rollouts/preview", spec, token=viewer)
    t.eq(st, 200, "viewer may preview")
    t.eq([x["count"] for x in p1["stages"]], [1, 4, 4], "stage sizes 10/50/100 % of 9 eligible")
    t.eq([(x["name"], x["reason"]) for x in p1["excluded"]], [("drone-9", "no_effect")], "device override excluded")
    st, p2, _ = s.api("POST", "/rollouts/preview", spec, token=admin)
    t.eq(p1["stages"], p2["stages"], "preview is deterministic")
    t.eq(p1["offline"], [], "nobody offline")
    s.call("POST", "/test/clock", {"advance_ms": 3600 * 1000})  # an hour without check-ins
    st, p3, _ = s.api("POST", "/rollouts/preview", spec, token=viewer)
    t.eq((len(p3["offline"]), p3["stages"]), (9, p1["stages"]),
         "an hour later every drone is offline, with when it is due; the stages stay")
    t.check(all(x["due_at"] > x["last_seen_at"] for x in p3["offline"]), "due after last seen")
    for d in drones + sensors + pumps + valves:
        d.sync()
    st, j, _ = s.api("POST", "/rollouts/preview", dict(spec, change={"install": {"app": "blink"}}), token=admin)
    t.eq((j["download_bytes"], j["eligible"]), (800 * 10, 10), "download bytes of an app install")

    # Diversify: the first stage takes one device of each firmware|group combination.
    div = {"target": {"query": ""}, "change": {"config": {"log_level": "info"}}, "stages": [1, 100]}
    st, pd, _ = s.api("POST", "/rollouts/preview", div, token=admin)
    t.eq(pd["stages"][0]["count"], 1, "1 % of 26 devices: one")
    st, pd, _ = s.api("POST", "/rollouts/preview", dict(div, policy={"diversify": True}), token=admin)
    first = {d["name"].split("-")[0] for d in pd["stages"][0]["devices"]}
    t.eq((pd["stages"][0]["count"], first), (4, {"drone", "sensor", "pump", "valve"}),
         "diversify: one device of each group first")
    t.eq(pd["stages"][0]["count"] + pd["stages"][1]["count"], pd["eligible"], "every eligible device has a stage")

    # --- Happy path: three stages to completion ----------------------------
    st, ro, _ = s.api("POST", "/rollouts", spec, token=admin)
    t.eq((st, ro["state"]), (201, "draft"), "create makes a draft")
    t.eq([x["count"] for x in ro["preview"]["stages"]], [1, 4, 4], "create's stages equal the preview")
    t.eq(ro["preview"]["stages"], p1["stages"], "same devices per stage as the preview")
    rid = ro["id"]
    st, j, _ = s.api("POST", f"/rollouts/{rid}/start", {}, token=viewer)
    t.eq(st, 403, "viewer may not start")
    st, ro, _ = s.api("POST", f"/rollouts/{rid}/start", {}, token=admin)
    t.eq((st, ro["state"], ro["counters"]["admitted"]), (200, "running", 1), "start admits stage 1")
    st, j, _ = s.api("POST", f"/rollouts/{rid}/start", {}, token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "start twice")
    first = p1["stages"][0]["devices"][0]["id"]
    st, goal, _ = s.api("GET", f"/devices/{first}/goal", token=admin)
    t.eq((goal["goal"]["max_offline_s"], goal["layers"]["rollout_id"]), (600, rid), "stage 1 device pinned")
    later = p1["stages"][2]["devices"][0]["id"]
    st, goal, _ = s.api("GET", f"/devices/{later}/goal", token=admin)
    t.eq((goal["goal"]["max_offline_s"], goal["layers"]["rollout"]), (300, None), "stage 3 device not yet")
    ro = wait_state(s, admin, rid, ("completed", "halted"), drones)
    t.eq(ro["state"], "completed", f"rollout completes: {ro.get('halt')}")
    t.eq((ro["counters"]["healthy"] + ro["counters"]["applied"], ro["counters"]["failed"]), (9, 0), "all 9 applied")
    st, g, _ = s.api("GET", "/groups/drones", token=admin)
    t.eq(g["config"].get("max_offline_s"), 600, "completion writes the group layer")
    st, goal, _ = s.api("GET", f"/devices/{later}/goal", token=admin)
    t.eq((goal["goal"]["max_offline_s"], goal["layers"]["rollout"]), (600, None), "pins removed, value kept")
    st, ev, _ = s.api("GET", "/events?kind=rollout.stage_advanced", token=admin)
    adv = [e for e in ev["items"] if rid in (e["actor"]["id"] or "")]
    t.eq((len(adv), adv[0]["actor"]["type"] if adv else None), (2, "rollout"), "two stage advances by the rollout")
    st, ev, _ = s.api("GET", "/events?kind=rollout.started", token=admin)
    t.eq(ev["items"][0]["actor"]["display"], "admin@localhost", "start recorded with its user")
    st, ev, _ = s.api("GET", "/events?kind=rollout.completed", token=admin)
    t.eq(len(ev["items"]), 1, "completion event")
    st, ro, _ = s.api("GET", f"/rollouts/{rid}?members=1", token=viewer)
    t.eq(sorted(m["status"] for m in ro["members"]), ["healthy"] * 9, "member table")

    # --- Automatic halt: failed installs in stage 1 ------------------------
    spec2 = {"target": {"group": "sensors"}, "change": {"install": {"app": "blink", "version": "1.0.0"}},
             "stages": [{"percent": 33, "soak_s": 0}, {"percent": 100, "soak_s": 0}],
             "policy": {"min_sample": 2, "max_failed_pct": 20}, "start": True}
    st, ro, _ = s.api("POST", "/rollouts", spec2, token=admin)
    t.eq((st, ro["state"], ro["name"]), (201, "running", "install blink@1.0.0"), "create --start; default name")
    rid2 = ro["id"]
    stage1 = {d["id"] for d in ro["preview"]["stages"][0]["devices"]}
    t.eq(len(stage1), 2, "stage 1 holds 33 % of 6")
    bad = [d for d in sensors if d.id in stage1]
    rest = [d for d in sensors if d.id not in stage1]
    for d in bad:
        d.sync()
        d.sync(events=["dev.app_install_failed"], apply=False)
    ro = wait_state(s, admin, rid2, ("halted",), rest)
    t.eq(ro["state"], "halted", "failed installs halt the rollout")
    h = ro["halt"] or {}
    t.eq((h.get("reason"), h.get("failed"), h.get("admitted"), h.get("stage")), ("failed_pct", 2, 2, 1), "halt numbers")
    t.eq(ro["counters"]["waiting"], 4, "later stages never admitted")
    st, goal, _ = s.api("GET", f"/devices/{rest[0].id}/goal", token=admin)
    t.check("blink" not in (goal["goal"].get("apps") or {}), "waiting device untouched")
    st, ev, _ = s.api("GET", "/events?kind=rollout.halted", token=admin)
    t.eq((ev["items"][0]["actor"]["type"], ev["items"][0]["data"]["reason"]), ("rollout", "failed_pct"),
         "halt event by the rollout, with why")
    # Resume: the failures are still there, so it halts again.
    st, ro, _ = s.api("POST", f"/rollouts/{rid2}/resume", {}, token=admin)
    t.eq((st, ro["state"]), (200, "running"), "resume a halted rollout")
    ro = wait_state(s, admin, rid2, ("halted",))
    t.eq(ro["state"], "halted", "halts again while failures persist")
    st, ro, _ = s.api("POST", f"/rollouts/{rid2}/rollback", {"reason": "bad build"}, token=admin)
    t.eq((st, ro["state"], ro["counters"]["reverted"]), (200, "rolled_back", 2), "rollback reverts admitted members")
    st, goal, _ = s.api("GET", f"/devices/{bad[0].id}/goal", token=admin)
    t.check("blink" not in (goal["goal"].get("apps") or {}) and goal["layers"]["rollout"] is None, "pin gone after rollback")
    st, j, _ = s.api("POST", f"/rollouts/{rid2}/resume", {}, token=admin)
    t.eq(st, 412, "a rolled-back rollout cannot resume")

    # --- Automatic halt: health regression vs the waiting devices ----------
    spec3 = {"target": {"query": "name ~ pump"}, "change": {"config": {"log_level": "debug"}},
             "stages": [{"percent": 33, "soak_s": 0}, {"percent": 100, "soak_s": 0}],
             "policy": {"min_sample": 2, "max_health_drop_pts": 25, "on_halt": "rollback"}, "start": True}
    st, ro, _ = s.api("POST", "/rollouts", spec3, token=admin)
    rid3 = ro["id"]
    stage1 = {d["id"] for d in ro["preview"]["stages"][0]["devices"]}
    crashy = [d for d in pumps if d.id in stage1]
    calm = [d for d in pumps if d.id not in stage1]
    for d in crashy:
        d.sync()
        d.sync(events=["dev.app_crashed"])
    ro = wait_state(s, admin, rid3, ("rolled_back", "completed"), calm)
    t.eq(ro["state"], "rolled_back", "crashes after applying halt and roll back (on_halt: rollback)")
    h = ro["halt"] or {}
    t.eq((h.get("reason"), h.get("applied_unhealthy_pct"), h.get("baseline_unhealthy_pct")),
         ("health_regression", 100.0, 0.0), "health numbers: 100 % vs baseline 0 %")
    st, goal, _ = s.api("GET", f"/devices/{crashy[0].id}/goal", token=admin)
    t.check(goal["layers"]["rollout"] is None and "log_level" not in goal["goal"], "rolled back to the prior goal")

    # --- Automatic halt: a watched metric rises above k × the baseline ------
    spec6 = {"target": {"group": "pumps"}, "change": {"config": {"metrics_level": "info"}},
             "stages": [{"percent": 33, "soak_s": 600}, {"percent": 100, "soak_s": 0}],
             "policy": {"min_sample": 2, "max_health_drop_pts": 100, "watch_metric": {"name": "heap.used", "k": 2}},
             "start": True}
    st, j, _ = s.api("POST", "/rollouts", dict(spec6, policy={"watch_metric": {"name": "Heap!"}}), token=admin)
    t.eq((st, j["error"]["details"]["field"]), (400, "policy.watch_metric"), "watch_metric validation")
    st, ro, _ = s.api("POST", "/rollouts", spec6, token=admin)
    rid6 = ro["id"]
    stage1 = {d["id"] for d in ro["preview"]["stages"][0]["devices"]}
    hungry = [d for d in pumps if d.id in stage1]
    calm = [d for d in pumps if d.id not in stage1]
    for d in hungry:
        d.sync()
    ro = wait_state(s, admin, rid6, ("halted",), hungry, timeout=3)  # applied, metric fine so far: no halt
    t.eq((ro["state"], ro["counters"]["applied"] + ro["counters"]["healthy"]), ("running", 2), "applied; no halt without the metric")
    for d in calm:
        d.sync(metrics=[("heap.used", 100.0)])
    for d in hungry:
        d.sync(metrics=[("heap.used", 900.0)])
    ro = wait_state(s, admin, rid6, ("halted",))
    h = ro["halt"] or {}
    t.eq((ro["state"], h.get("reason"), h.get("metric"), h.get("metric_applied_avg"), h.get("metric_baseline_avg")),
         ("halted", "metric_regression", "heap.used", 900.0, 100.0), "watched metric: 900 vs 100 with k = 2 halts")
    st, ro, _ = s.api("POST", f"/rollouts/{rid6}/abort", {}, token=admin)

    # --- Pause, resume, abort; soak with the test clock; conflicts ---------
    spec4 = {"target": {"group": "valves"}, "change": {"config": {"metrics_level": "debug"}},
             "stages": [{"percent": 50, "soak_s": 3600}, {"percent": 100, "soak_s": 0}], "policy": {"min_sample": 1}}
    st, ro4, _ = s.api("POST", "/rollouts", spec4, token=admin)
    st, ro5, _ = s.api("POST", "/rollouts", dict(spec4, name="rival"), token=admin)
    st, ro, _ = s.api("POST", f"/rollouts/{ro4['id']}/start", {}, token=admin)
    t.eq(ro["state"], "running", "start valves rollout")
    st, j, _ = s.api("POST", f"/rollouts/{ro5['id']}/start", {}, token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "a rival on the same devices cannot start")
    st, pv, _ = s.api("POST", "/rollouts/preview", dict(spec4, name="third"), token=admin)
    t.eq({x["reason"] for x in pv["excluded"]}, {"in_other_rollout"}, "preview names the conflict")
    deadline = time.time() + 8
    while time.time() < deadline:
        for d in valves:
            d.sync()
        time.sleep(0.1)
        st, ro, _ = s.api("GET", f"/rollouts/{ro4['id']}", token=admin)
        if ro["counters"]["applied"] == 2:
            break
    t.eq((ro["current_stage"], ro["counters"]["applied"]), (0, 2), "soaking: applied, stage not advanced")
    watch = Follower(s.port, f"/api/v1/rollouts/{ro4['id']}?follow=1", admin)  # WatchRollout as SSE
    t.check(watch.wait(lambda r: r["state"] == "running", 5) is not None, "watch: the rollout now")
    st, ro, _ = s.api("POST", f"/rollouts/{ro4['id']}/pause", {}, token=admin)
    t.eq(ro["state"], "paused", "pause")
    t.check(watch.wait(lambda r: r["state"] == "paused", 3) is not None, "watch: sees the pause")
    s.call("POST", "/test/clock", {"advance_ms": 3601 * 1000})
    time.sleep(0.3)
    st, ro, _ = s.api("GET", f"/rollouts/{ro4['id']}", token=admin)
    t.eq((ro["state"], ro["current_stage"]), ("paused", 0), "paused: no advance after the soak")
    st, ro, _ = s.api("POST", f"/rollouts/{ro4['id']}/resume", {}, token=admin)
    deadline = time.time() + 5
    while ro["current_stage"] == 0 and time.time() < deadline:
        time.sleep(0.1)
        st, ro, _ = s.api("GET", f"/rollouts/{ro4['id']}", token=admin)
    t.eq((ro["state"], ro["current_stage"]), ("running", 1), "resumed: soak over, stage 2")
    st, ro, _ = s.api("POST", f"/rollouts/{ro4['id']}/abort", {"reason": "changed my mind"}, token=admin)
    t.eq((st, ro["state"]), (200, "cancelled"), "abort")
    st, goal, _ = s.api("GET", f"/devices/{valves[0].id}/goal", token=admin)
    t.check(goal["layers"]["rollout"] is None and "metrics_level" not in goal["goal"], "abort removes the pins")
    t.check(watch.wait(lambda r: r["state"] == "cancelled", 3) is not None and watch.wait_end(3),
            "watch: sees the stage advance and the abort, then ends")
    t.check(any(r["current_stage"] == 1 and r["state"] == "running" for r in watch.items), "watch: saw stage 2 running")
    watch.close()
    w2 = Follower(s.port, f"/api/v1/rollouts/{ro4['id']}?follow=1", viewer)
    t.check(w2.wait_end(3) and [r["state"] for r in w2.items] == ["cancelled"],
            "a viewer may watch; a finished rollout gives one item and ends")
    w2.close()
    st, ev, _ = s.api("GET", "/events?kind=rollout.cancelled", token=admin)
    t.eq((ev["items"][0]["data"], ev["items"][0]["actor"]["type"]), ({"reason": "changed my mind"}, "user"),
         "abort recorded with actor and reason")
    st, ro, _ = s.api("POST", f"/rollouts/{ro5['id']}/start", {}, token=admin)
    t.eq(ro["state"], "running", "the rival starts once the first is gone")
    st, ro, _ = s.api("POST", f"/rollouts/{ro5['id']}/halt", {"reason": "manual"}, token=admin)
    t.eq((ro["state"], ro["halt"]["reason"]), ("halted", "manual"), "manual halt")

    # --- The target is resolved again at start ------------------------------
    st, _, _ = s.api("POST", "/groups", {"name": "fans"}, token=admin)
    fans = [Dev(s, pk["secret"], admin, f"fan-{i}", "fans") for i in range(2)]
    st, ro, _ = s.api("POST", "/rollouts", {"target": {"group": "fans"}, "change": {"config": {"log_level": "warn"}},
                                            "stages": [100], "soak_s": 0}, token=admin)
    t.eq(ro["counters"]["targeted"], 2, "draft with two fans")
    fans.append(Dev(s, pk["secret"], admin, "fan-2", "fans"))
    st, ro, _ = s.api("POST", f"/rollouts/{ro['id']}/start", {}, token=admin)
    t.eq((ro["state"], ro["counters"]["targeted"], ro["counters"]["admitted"]), ("running", 3, 3),
         "a fan claimed after the draft is in the rollout when it starts")
    ro = wait_state(s, admin, ro["id"], ("completed",), fans)
    t.eq(ro["state"], "completed", "fans rollout completes")

    # Default stages over 3 devices hold 1, 1, 1 and 0 devices: each soak of an
    # hour is waited out (test clock), the empty last stage is not.
    st, ro, _ = s.api("POST", "/rollouts", {"target": {"group": "fans"}, "change": {"config": {"log_level": "error"}},
                                            "soak_s": 3600, "policy": {"min_sample": 1}, "start": True}, token=admin)
    t.eq([x["count"] for x in ro["stages"]], [1, 1, 1, 0], "default stages over three devices")
    advances = 0
    for _ in range(6):
        deadline = time.time() + 5
        while time.time() < deadline:
            for d in fans:
                d.sync()
            st, cur, _ = s.api("GET", f"/rollouts/{ro['id']}", token=admin)
            if cur["counters"]["admitted"] == 0:
                break
            time.sleep(0.05)
        time.sleep(0.5)  # a few sweeps: what needs no waiting happens now
        st, cur, _ = s.api("GET", f"/rollouts/{ro['id']}", token=admin)
        if cur["state"] == "completed":
            break
        s.call("POST", "/test/clock", {"advance_ms": 3601 * 1000})
        advances += 1
        deadline = time.time() + 5
        while time.time() < deadline:
            st, nxt, _ = s.api("GET", f"/rollouts/{ro['id']}", token=admin)
            if nxt["current_stage"] != cur["current_stage"] or nxt["state"] != "running":
                break
            time.sleep(0.05)
    t.eq((cur["state"], advances), ("completed", 3), "three soaks; the empty stage passes at once")

    # --- Listing, paging, tenancy -------------------------------------------
    st, lst, _ = s.api("GET", "/rollouts?page_size=2", token=viewer)
    t.eq((len(lst["items"]), bool(lst["next_page_token"])), (2, True), "list pages")
    st, lst, _ = s.api("GET", "/rollouts?state=completed", token=viewer)
    t.eq(len(lst["items"]), 3, "list by state")
    st, org2, _ = s.api("POST", "/orgs", {"name": "Other"}, token=admin)
    st, sw, _ = s.api("POST", "/auth/switch-org", {"org_id": org2["id"]}, token=admin)
    other = sw["token"]
    for method, path, body in [("GET", f"/rollouts/{rid}", None), ("POST", f"/rollouts/{rid}/pause", {}),
                               ("POST", f"/rollouts/{ro5['id']}/abort", {}), ("POST", f"/rollouts/{rid}/start", {})]:
        st, j, _ = s.api(method, path, body, token=other)
        t.eq((st, error_code(j)), (404, "not_found"), f"other org: {method} {path}")
    st, lst, _ = s.api("GET", "/rollouts", token=other)
    t.eq(lst["items"], [], "other org lists nothing")
    st, j, _ = s.api("POST", "/rollouts/preview", {"target": {"devices": [drones[0].id]}, "change": {"config": cfg}},
                     token=other)
    t.eq((st, j["matched"]), (200, 0), "other org cannot target our devices")
    st, j, _ = s.api("POST", "/rollouts/preview", {"target": {"group": "drones"}, "change": {"config": cfg}}, token=other)
    t.eq(st, 404, "other org cannot target our group")
    st, ro, _ = s.api("GET", f"/rollouts/{ro5['id']}", token=admin)
    t.eq(ro["state"], "halted", "nothing changed by the other org")


if __name__ == "__main__":
    main()
