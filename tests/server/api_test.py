"""API tests of the fleet server's HTTP/JSON front door: authentication,
authorization by role, tenancy isolation, validation, limits, events.
Run against SQLite (--db sqlite) or a PostgreSQL URL (--db postgres://...)."""
import json
import sys
import time
import threading

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fleetlib import run_suite  # noqa: E402


def error_code(j):
    return (j or {}).get("error", {}).get("code")


def main():
    run_suite(run)


def run(t, s):
    # Open endpoints.
    st, j, _ = s.call("GET", "/healthz")
    t.eq(st, 200, "healthz")
    st, j, _ = s.call("GET", "/readyz")
    t.eq((st, j["status"]), (200, "ready"), "readyz")

    # Every API route wants credentials; errors are JSON with a request id.
    for method, path in [("GET", "/me"), ("GET", "/org"), ("GET", "/org/apikeys"), ("POST", "/orgs"),
                         ("GET", "/events"), ("DELETE", "/org/apikeys/x"), ("GET", "/info")]:
        st, j, h = s.api(method, path, {} if method != "GET" else None)
        t.eq(st, 401, f"{method} {path} without credentials")
        t.eq(error_code(j), "unauthenticated", f"{method} {path} error code")
        t.check(len(j["error"]["request_id"]) == 16 and h.get("X-Request-Id") == j["error"]["request_id"],
                "request id in body and header")
    for bad in ["Bearer nonsense", "Bearer tk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "Basic abc",
                "Bearer ts_" + "0" * 64, "Bearer " + "x" * 5000]:
        st, j, _ = s.api("GET", "/me", headers={"Authorization": bad})
        t.eq(st, 401, f"bad credential {bad[:30]}")

    # Login.
    st, j, _ = s.api("POST", "/auth/login", {"email": "admin@localhost", "password": "wrong"})
    t.eq((st, error_code(j)), (401, "unauthenticated"), "wrong password")
    t.check("token" not in (j or {}), "no token on failure")
    st, j, _ = s.api("POST", "/auth/login", {"email": "nobody@localhost", "password": "x"})
    t.eq(st, 401, "unknown email")
    st, j, _ = s.api("POST", "/auth/login", {"email": "admin@localhost"})
    t.eq((st, j["error"]["details"]), (400, {"field": "password"}), "missing password names the field")
    st, j, _ = s.api("POST", "/auth/login", {"email": 5, "password": "x"})
    t.eq((st, j["error"]["details"]), (400, {"field": "email"}), "email of the wrong type")
    st, login, _ = s.api("POST", "/auth/login", {"email": "ADMIN@localhost", "password": "admin-pass-1"})
    t.eq(st, 200, "login (email case-insensitive)")
    admin = login["token"]
    t.check(login["expires_at"].endswith("Z") and login["refresh_token"].startswith("tr_"), "login answer shape")

    st, me, _ = s.api("GET", "/me", token=admin)
    t.eq((st, me["role"], me["org"]["name"], me["user"]["email"], me["api_key"]),
         (200, "admin", "default", "admin@localhost", None), "whoami")
    org_a = me["org"]["id"]

    # Malformed and oversized requests.
    st, j, _ = s.api("POST", "/orgs", token=admin, raw=b"{not json")
    t.eq((st, error_code(j)), (400, "invalid_argument"), "malformed JSON")
    t.check("line 1" in j["error"]["message"], "malformed JSON says where")
    st, j, _ = s.api("POST", "/orgs", token=admin, raw=b"[1,2]")
    t.eq(st, 400, "non-object body")
    st, j, _ = s.api("POST", "/orgs", token=admin, raw=b'{"name":"a","name":"b"}')
    t.eq(st, 400, "duplicate keys")
    st, j, _ = s.api("POST", "/orgs", token=admin, raw=b'{"name":"' + b"x" * (1100 * 1024) + b'"}')
    t.eq((st, error_code(j)), (413, "too_large"), "oversized body")
    st, j, _ = s.api("POST", "/orgs", {"name": ""}, token=admin)
    t.eq((st, j["error"]["details"]), (400, {"field": "name"}), "empty org name")
    st, j, _ = s.api("POST", "/orgs", {"name": "a\u0000b"}, token=admin)
    t.eq(st, 400, "control character in name")
    st, j, _ = s.api("POST", "/orgs", {"name": "n" * 65}, token=admin)
    t.eq(st, 400, "name too long")
    st, j, _ = s.api("GET", "/nope", token=admin)
    t.eq((st, error_code(j)), (404, "not_found"), "unknown route")
    st, j, _ = s.api("PUT", "/org", {}, token=admin)
    t.eq(st, 405, "wrong method")
    st, j, _ = s.call("GET", "/etc/passwd")
    t.eq(st, 404, "unknown path outside the API")

    # Org settings: validation, conditional update, event with actor.
    st, org, _ = s.api("GET", "/org", token=admin)
    t.eq((st, org["settings"]["log_retention_d"], org["rev"]), (200, 14, 1), "org defaults")
    st, j, _ = s.api("PATCH", "/org", {"settings": {"log_retention_d": 0}}, token=admin)
    t.eq((st, j["error"]["details"]), (400, {"field": "settings.log_retention_d"}), "setting out of range")
    st, j, _ = s.api("PATCH", "/org", {"settings": {"bogus": 1}}, token=admin)
    t.eq(st, 400, "unknown setting")
    st, j, _ = s.api("PATCH", "/org", {"settings": {"log_retention_d": "30"}}, token=admin)
    t.eq(st, 400, "setting of the wrong type")
    st, j, _ = s.api("PATCH", "/org", {"name": "Acme"}, token=admin, headers={"If-Match": "7"})
    t.eq((st, error_code(j)), (409, "conflict"), "stale If-Match")
    st, j, _ = s.api("PATCH", "/org", {"name": "Acme", "settings": {"log_retention_d": 30}}, token=admin,
                     headers={"If-Match": "1"})
    t.eq((st, j["name"], j["rev"], j["settings"]["log_retention_d"]), (200, "Acme", 2, 30), "update org")
    st, ev, _ = s.api("GET", "/events?kind=org.updated", token=admin)
    t.eq(len(ev["items"]), 1, "org.updated event recorded")
    e = ev["items"][0]
    t.eq((e["actor"]["type"], e["actor"]["display"], e["before"]["name"], e["after"]["name"]),
         ("user", "admin@localhost", "default", "Acme"), "event actor and before/after")

    # API keys: secret once, hashed, role-limited.
    keys = {}
    for role in ["admin", "member", "viewer", "device-provisioner", "data-publisher"]:
        st, k, _ = s.api("POST", "/org/apikeys", {"name": "k-" + role, "role": role}, token=admin)
        t.eq((st, k["role"]), (201, role), f"create {role} key")
        t.check(k["secret"].startswith("tk_" + k["prefix"] + "_") and len(k["secret"]) == 44, "secret format")
        keys[role] = k
    st, j, _ = s.api("POST", "/org/apikeys", {"name": "x", "role": "root"}, token=admin)
    t.eq((st, j["error"]["details"]), (400, {"field": "role"}), "unknown role")
    st, j, _ = s.api("POST", "/org/apikeys", {"name": "x", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"},
                     token=admin)
    t.eq(st, 400, "expiry in the past")
    st, lst, _ = s.api("GET", "/org/apikeys", token=admin)
    t.eq(len(lst["items"]), 5, "list keys")
    t.check(all("secret" not in k for k in lst["items"]), "list never shows secrets")
    st, me2, _ = s.api("GET", "/me", token=keys["viewer"]["secret"])
    t.eq((st, me2["user"], me2["api_key"]["name"], me2["role"]), (200, None, "k-viewer", "viewer"), "whoami with key")
    # Tampered secret: same prefix, different tail.
    sec = keys["admin"]["secret"]
    st, _, _ = s.api("GET", "/me", token=sec[:-1] + ("a" if sec[-1] != "a" else "b"))
    t.eq(st, 401, "tampered key secret")

    # Role matrix over the routes so far.
    matrix = [
        ("GET", "/org", None, {"admin": 200, "member": 200, "viewer": 200, "device-provisioner": 403, "data-publisher": 403}),
        ("GET", "/org/members", None, {"admin": 200, "member": 200, "viewer": 200, "device-provisioner": 403, "data-publisher": 403}),
        ("GET", "/events", None, {"admin": 200, "member": 200, "viewer": 200, "device-provisioner": 403, "data-publisher": 403}),
        ("GET", "/org/apikeys", None, {"admin": 200, "member": 403, "viewer": 403, "device-provisioner": 403, "data-publisher": 403}),
        ("PATCH", "/org", {}, {"admin": 200, "member": 403, "viewer": 403, "device-provisioner": 403, "data-publisher": 403}),
        ("GET", "/org/invites", None, {"admin": 200, "member": 403, "viewer": 403, "device-provisioner": 403, "data-publisher": 403}),
        ("GET", "/me", None, {"admin": 200, "member": 200, "viewer": 200, "device-provisioner": 200, "data-publisher": 200}),
        ("POST", "/orgs", {"name": "x"}, {"admin": 403, "member": 403, "viewer": 403, "device-provisioner": 403, "data-publisher": 403}),
    ]
    for method, path, body, want in matrix:
        for role, status in want.items():
            st, j, _ = s.api(method, path, body, token=keys[role]["secret"])
            t.eq(st, status, f"{role} key: {method} {path}")
            if status == 403:
                t.eq(error_code(j), "permission_denied", f"{role} key: {method} {path} code")

    # Revoked keys stop working; revoking twice is not_found.
    st, _, _ = s.api("DELETE", "/org/apikeys/" + keys["member"]["id"], token=admin)
    t.eq(st, 200, "revoke key")
    st, _, _ = s.api("GET", "/me", token=keys["member"]["secret"])
    t.eq(st, 401, "revoked key refused")
    st, _, _ = s.api("DELETE", "/org/apikeys/" + keys["member"]["id"], token=admin)
    t.eq(st, 404, "revoke twice")
    st, ev, _ = s.api("GET", "/events?kind=apikey.created", token=admin)
    t.eq(len(ev["items"]), 5, "apikey.created events")
    t.check(all("secret" not in json.dumps(e) for e in ev["items"]), "events never hold secrets")

    # Invites: a new user joins as member.
    st, inv, _ = s.api("POST", "/org/invites", {"email": "Bo@Example.com", "role": "member"}, token=admin)
    t.eq((st, inv["email"], inv["role"]), (201, "bo@example.com", "member"), "invite")
    st, j, _ = s.api("POST", "/org/invites", {"email": "not-an-email"}, token=admin)
    t.eq(st, 400, "invite with bad email")
    st, lst, _ = s.api("GET", "/org/invites", token=admin)
    t.check(len(lst["items"]) == 1 and "token" not in lst["items"][0], "list invites without token")
    st, j, _ = s.api("POST", f"/invites/{inv['token']}/accept", {"password": "short"})
    t.eq(st, 400, "too short a password")
    st, j, _ = s.api("POST", "/invites/ti_bogus/accept", {"password": "long-enough"})
    t.eq(st, 404, "unknown invite token")
    st, bo, _ = s.api("POST", f"/invites/{inv['token']}/accept", {"name": "Bo", "password": "bo-password"})
    t.eq(st, 200, "accept invite")
    st, j, _ = s.api("POST", f"/invites/{inv['token']}/accept", {"name": "Bo", "password": "bo-password"})
    t.eq(st, 404, "invite is single-use")
    bo_tok = bo["token"]
    st, me_b, _ = s.api("GET", "/me", token=bo_tok)
    t.eq((me_b["role"], me_b["org"]["id"]), ("member", org_a), "new member's session")
    st, _, _ = s.api("GET", "/org/apikeys", token=bo_tok)
    t.eq(st, 403, "member may not list keys")

    # Last-admin rule.
    admin_id = me["user"]["id"]
    st, j, _ = s.api("PATCH", f"/org/members/{admin_id}", {"role": "member"}, token=admin)
    t.eq((st, error_code(j)), (412, "failed_precondition"), "last admin cannot be demoted")
    st, j, _ = s.api("DELETE", f"/org/members/{admin_id}", token=admin)
    t.eq(st, 412, "last admin cannot be removed")
    bo_id = me_b["user"]["id"]
    st, j, _ = s.api("PATCH", f"/org/members/{bo_id}", {"role": "owner"}, token=admin)
    t.eq(st, 400, "unknown member role")
    st, j, _ = s.api("PATCH", f"/org/members/{bo_id}", {"role": "viewer"}, token=admin)
    t.eq((st, j["role"]), (200, "viewer"), "demote member to viewer")
    st, _, _ = s.api("PATCH", "/org", {}, token=bo_tok)
    t.eq(st, 403, "viewer session may not update org")

    # Bo creates org B; isolation between A and B.
    st, ob, _ = s.api("POST", "/orgs", {"name": "Bravo"}, token=bo_tok)
    t.eq(st, 201, "create org B")
    st, sw, _ = s.api("POST", "/auth/switch-org", {"org_id": ob["id"]}, token=bo_tok)
    t.eq(st, 200, "switch to org B")
    bo_b = sw["token"]
    st, me_bb, _ = s.api("GET", "/me", token=bo_b)
    t.eq((me_bb["org"]["name"], me_bb["role"], len(me_bb["orgs"])), ("Bravo", "admin", 2), "acting in B")
    st, me_ba, _ = s.api("GET", "/me", token=bo_tok)
    t.eq(me_ba["org"]["id"], org_a, "the calling session is unchanged")
    st, j, _ = s.api("POST", "/auth/switch-org", {"org_id": "00000000-0000-4000-8000-000000000000"}, token=bo_tok)
    t.eq(st, 404, "switch to a foreign org")
    st, kb, _ = s.api("POST", "/org/apikeys", {"name": "b-admin", "role": "admin"}, token=bo_b)
    b_key = kb["secret"]
    # Org B's credentials on org A's objects: not found, nothing leaked, nothing changed.
    st, lst, _ = s.api("GET", "/org/apikeys", token=b_key)
    t.eq([k["name"] for k in lst["items"]], ["b-admin"], "B lists only its keys")
    st, _, _ = s.api("DELETE", "/org/apikeys/" + keys["admin"]["id"], token=b_key)
    t.eq(st, 404, "B cannot revoke A's key")
    st, _, _ = s.api("GET", "/me", token=keys["admin"]["secret"])
    t.eq(st, 200, "A's key still works")
    st, _, _ = s.api("PATCH", f"/org/members/{admin_id}", {"role": "viewer"}, token=b_key)
    t.eq(st, 404, "B cannot change A's member")
    st, _, _ = s.api("DELETE", f"/org/members/{admin_id}", token=b_key)
    t.eq(st, 404, "B cannot remove A's member")
    st, lst, _ = s.api("GET", "/org/invites", token=admin)
    st2, _, _ = s.api("POST", "/org/invites", {"email": "c@example.com"}, token=admin)
    st, lst, _ = s.api("GET", "/org/invites", token=admin)
    inv_a = lst["items"][0]["id"]
    st, _, _ = s.api("DELETE", "/org/invites/" + inv_a, token=b_key)
    t.eq(st, 404, "B cannot revoke A's invite")
    st, ev, _ = s.api("GET", "/events?limit=500", token=b_key)
    t.check(all("Acme" not in json.dumps(e) and "k-admin" not in json.dumps(e) for e in ev["items"]),
            "B's events hold nothing of A")
    st, ev_a, _ = s.api("GET", "/events?limit=500", token=admin)
    t.check(all(e["summary"] != "organization Bravo created by bo@example.com" for e in ev_a["items"]),
            "A's events hold nothing of B")
    st, org_b, _ = s.api("GET", "/org", token=b_key)
    t.eq(org_b["name"], "Bravo", "B's key sees B")
    st, _, _ = s.api("DELETE", "/org/invites/" + inv_a, token=admin)
    t.eq(st, 200, "A revokes its invite")

    # Refresh rotates; logout ends the session.
    st, r1, _ = s.api("POST", "/auth/refresh", {"refresh_token": login["refresh_token"]})
    t.eq(st, 200, "refresh")
    st, _, _ = s.api("POST", "/auth/refresh", {"refresh_token": login["refresh_token"]})
    t.eq(st, 401, "old refresh token is spent")
    st, _, _ = s.api("GET", "/me", token=admin)
    t.eq(st, 401, "old session ended by refresh")
    admin = r1["token"]
    st, _, _ = s.api("POST", "/auth/logout", token=admin)
    t.eq(st, 200, "logout")
    st, _, _ = s.api("GET", "/me", token=admin)
    t.eq(st, 401, "session ends at logout")
    admin = s.login("admin@localhost", "admin-pass-1")

    # Event paging: pages do not overlap and cover everything.
    st, all_ev, _ = s.api("GET", "/events?limit=500", token=admin)
    ids, tok = [], ""
    for _ in range(100):
        st, page, _ = s.api("GET", f"/events?limit=3&page_token={tok}", token=admin)
        ids += [e["id"] for e in page["items"]]
        tok = page["next_page_token"]
        if not tok:
            break
    t.eq(ids, [e["id"] for e in all_ev["items"]], "event pages cover the list")
    st, _, _ = s.api("GET", "/events?limit=0", token=admin)
    t.eq(st, 400, "limit 0")
    st, _, _ = s.api("GET", "/events?limit=abc", token=admin)
    t.eq(st, 400, "limit not a number")
    st, _, _ = s.api("GET", "/events?page_token=zzz", token=admin)
    t.eq(st, 400, "bogus page token")
    st, inv_ev, _ = s.api("GET", "/events?kind=org.member_joined", token=admin)
    t.eq((len(inv_ev["items"]), inv_ev["items"][0]["actor"]["type"]), (1, "system"), "member_joined event")

    # Rate limit per credential (20/s, burst 40).
    st, fresh, _ = s.api("POST", "/org/apikeys", {"name": "burst", "role": "viewer"}, token=admin)
    key = fresh["secret"]
    statuses = []
    lock = threading.Lock()

    def burst():
        for _ in range(20):
            st, j, h = s.api("GET", "/me", token=key)
            with lock:
                statuses.append((st, h.get("Retry-After")))
    th = [threading.Thread(target=burst) for _ in range(4)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    limited = [x for x in statuses if x[0] == 429]
    t.check(len(limited) > 0, f"rate limit reached ({len(limited)} of 80 refused)")
    t.check(all(r == "1" for _, r in limited), "429 carries Retry-After")
    t.check(sum(1 for x in statuses if x[0] == 200) >= 40, "burst allowed")
    st, _, _ = s.api("GET", "/me", token=keys["admin"]["secret"])
    t.eq(st, 200, "other credentials unaffected")

    # Device syncs: 1/s per device on average, burst 10 (default limits).
    st, pk, _ = s.api("POST", "/org/apikeys", {"name": "flash", "role": "device-provisioner"}, token=admin)
    st, hw, _ = s.call("POST", "/d/v1/provision", {}, headers={"Authorization": "Bearer " + pk["secret"]})
    auth = {"Authorization": f"Hardware {hw['hardware_id']}.{hw['secret']}"}
    codes = [s.call("POST", "/d/v1/sync", {"v": 1, "boot": "b", "req": i}, headers=auth) for i in range(15)]
    t.check(sum(1 for c in codes if c[0] == 200) in (10, 11), "device burst of 10 allowed")
    refused = [c for c in codes if c[0] == 429]
    t.check(len(refused) >= 4 and all(c[1] == {"error": "resource_exhausted"} and c[2].get("Retry-After") == "1"
                                      for c in refused), "device sync rate limit with Retry-After")

    # Failed logins: 5 per minute per email.
    for i in range(5):
        s.api("POST", "/auth/login", {"email": "bo@example.com", "password": "nope"})
    st, j, _ = s.api("POST", "/auth/login", {"email": "bo@example.com", "password": "bo-password"})
    t.eq((st, error_code(j)), (429, "resource_exhausted"), "login locked after 5 failures")
    st, ev, _ = s.api("GET", "/events?kind=auth.login_failed", token=admin)
    t.check(len(ev["items"]) >= 1, "failed logins recorded")


if __name__ == "__main__":
    main()
