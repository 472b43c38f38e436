"""Schema upgrade in place: a database made at an older schema version (here
6, before rollouts) and holding data is opened by the current server, which
migrates it to the newest version without losing anything; the new features
work on the old rows. Run for SQLite here; pg_test.py runs it on PostgreSQL."""
import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fleetlib import Checks, Server  # noqa: E402

OLD = 6
ORG = "0b7c5a4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d"
DEV = "5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
GRP = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
SECRET = "tk_olddbkey_abcdefghijklmnopqrstuvwxyz234567"


def old_rows():
    h = hashlib.sha256(SECRET.encode()).hexdigest()
    return [
        f"INSERT INTO orgs (id, name, created_at, settings) VALUES ('{ORG}', 'Legacy', 1700000000000, '{{}}')",
        "INSERT INTO api_keys (id, org_id, name, prefix, secret_hash, role, created_at) VALUES"
        f" ('6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c', '{ORG}', 'old', 'olddbkey', '{h}', 'admin', 1700000000000)",
        f"INSERT INTO groups (id, org_id, name, created_at, layer) VALUES ('{GRP}', '{ORG}', 'field', 1700000000000,"
        " '{\"max_offline_s\": 900}')",
        "INSERT INTO hardware (hardware_id, org_id, created_at, secret_hash, claim_code, free_since, bound_device_id)"
        f" VALUES ('hw-legacy-1', '{ORG}', 1700000000000, '{'0' * 64}', 'ABCD2345', 0, '{DEV}')",
        "INSERT INTO devices (id, org_id, hardware_id, name, group_id, tags, created_at, claimed_at) VALUES"
        f" ('{DEV}', '{ORG}', 'hw-legacy-1', 'old-timer', '{GRP}', '{{\"site\": \"north\"}}', 1700000000000,"
        " 1700000000000)",
        f"INSERT INTO events (org_id, time, kind, actor_type, summary) VALUES ('{ORG}', 1700000000000,"
        " 'org.updated', 'system', 'from the old days')",
    ]


def run(t, toit, url, execute, query):
    """execute(list of SQL) and query(SQL) -> first value reach the database."""
    p = subprocess.run([toit, "serve", "--db", url, "--migrate-to", str(OLD)], capture_output=True, text=True)
    t.eq((p.returncode, p.stdout.strip()), (0, f"schema version {OLD}"), "make a database at the old schema")
    t.eq(str(query("SELECT MAX(version) FROM schema_version")), str(OLD), "the database is at the old version")
    execute(old_rows())
    s = Server(toit, url)
    try:
        t.eq(str(query("SELECT MAX(version) FROM schema_version")) != str(OLD), True, "opening it migrated it")
        st, me, _ = s.api("GET", "/me", token=SECRET)
        t.eq((st, me["org"]["name"]), (200, "Legacy"), "old API key still works")
        st, d, _ = s.api("GET", "/devices/" + DEV, token=SECRET)
        t.eq((st, d["name"], d["tags"]), (200, "old-timer", {"site": "north"}), "old device kept")
        st, g, _ = s.api("GET", f"/devices/{DEV}/goal", token=SECRET)
        t.eq((g["goal"]["max_offline_s"], g["layers"]["rollout"]), (900, None), "goal from the old group layer")
        st, ev, _ = s.api("GET", "/events", token=SECRET)
        t.check(any(e["summary"] == "from the old days" for e in ev["items"]), "old events kept")
        st, ro, _ = s.api("POST", "/rollouts", {"target": {"group": "field"}, "change": {"config": {"log_level": "info"}},
                                                "start": True}, token=SECRET)
        t.eq((st, ro["state"], ro["counters"]["admitted"]), (201, "running", 1), "a new feature works on old rows")
        # Firmware releases (schema 8) on the upgraded database.
        from firmware_test import Signer
        signer = Signer(toit)
        st, _, _ = s.api("PATCH", "/org", {"settings": {"firmware_public_key": signer.public}}, token=SECRET)
        image = b"LEGACY-FW" * 100
        st, fw, _ = s.api("POST", "/firmware?version=2.0.0&target=esp32c3", raw=image, token=SECRET,
                          headers={"X-Firmware-Spec": '{"sig": "%s"}' % signer.sign(image)})
        t.eq(st, 201, "firmware upload on the upgraded database")
        st, r, _ = s.api("POST", "/firmware/set", {"target": {"device": DEV}, "version": "2.0.0"}, token=SECRET)
        st, g, _ = s.api("GET", f"/devices/{DEV}/goal", token=SECRET)
        t.eq((g["goal"].get("firmware") or {}).get("version"), "2.0.0", "SetFirmware on an old device")
    finally:
        s.stop()
    s = Server(toit, url)  # a second start migrates nothing
    try:
        st, lst, _ = s.api("GET", "/rollouts", token=SECRET)
        t.eq((st, len(lst["items"])), (200, 1), "restart after the upgrade")
    finally:
        s.stop()
    p = subprocess.run([toit, "serve", "--db", url, "--migrate-to", "99"], capture_output=True, text=True)
    t.eq(p.returncode, 2, "--migrate-to beyond the newest version is a usage error")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toit", required=True)
    a = ap.parse_args()
    t = Checks()
    d = tempfile.mkdtemp(prefix="fleet-migrate-")
    path = os.path.join(d, "old.db")

    def execute(stmts):
        con = sqlite3.connect(path)
        for q in stmts:
            con.execute(q)
        con.commit()
        con.close()

    def query(q):
        con = sqlite3.connect(path)
        v = con.execute(q).fetchone()[0]
        con.close()
        return v

    run(t, a.toit, "sqlite:" + path, execute, query)
    t.finish()


if __name__ == "__main__":
    main()
