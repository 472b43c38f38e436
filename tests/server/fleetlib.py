"""Helpers for the fleet server tests: start a server on a free port with a
temporary database, call the HTTP/JSON API, count checks."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, file=sys.stderr)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, f"{what}: got {got!r}, want {want!r}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


class Server:
    """A `toit serve` child on 127.0.0.1 with a free port."""

    def __init__(self, toit, db_url=None, password="admin-pass-1", extra=(), env=None):
        self.dir = tempfile.mkdtemp(prefix="fleet-test-")
        self.port_file = os.path.join(self.dir, "port")
        extra = [x.replace("GRPC_PORT", os.path.join(self.dir, "grpc_port")) if x == "GRPC_PORT" else x for x in extra]
        args = [toit, "serve", "--http", "127.0.0.1:0", "--port-file", self.port_file,
                "--data", os.path.join(self.dir, "data"), "--test-hooks", *extra]
        if db_url:
            args += ["--db", db_url]
        e = dict(os.environ)
        e["TOIT_ADMIN_PASSWORD"] = password
        e.update(env or {})
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=e)
        deadline = time.time() + 20
        self.port = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with open(self.port_file) as f:
                    txt = f.read().strip()
                if txt:
                    self.port = int(txt)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        if not self.port:
            self.log.seek(0)
            raise RuntimeError("server did not start:\n" + self.log.read())
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def call(self, method, path, body=None, token=None, raw=None, headers=None):
        """Returns (status, parsed JSON or None, response headers)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                txt = r.read()
                return r.status, (json.loads(txt) if txt else None), dict(r.headers)
        except urllib.error.HTTPError as e:
            txt = e.read()
            try:
                j = json.loads(txt) if txt else None
            except ValueError:
                j = {"unparsed": txt.decode(errors="replace")}
            return e.code, j, dict(e.headers)

    def api(self, method, path, body=None, token=None, **kw):
        return self.call(method, "/api/v1" + path, body, token, **kw)

    def login(self, email, password):
        st, j, _ = self.api("POST", "/auth/login", {"email": email, "password": password})
        if st != 200:
            raise RuntimeError(f"login {email}: {st} {j}")
        return j["token"]


class Follower:
    """Reads an SSE stream in a thread and keeps the items it got."""

    def __init__(self, port, path, token):
        self.items = []
        self.ended = False
        self.cond = threading.Condition()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.request("GET", path, headers={"Authorization": "Bearer " + token})
        self.resp = self.conn.getresponse()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for line in self.resp:
                line = line.decode().strip()
                if line.startswith("data: "):
                    with self.cond:
                        self.items.append(json.loads(line[6:]))
                        self.cond.notify_all()
        except Exception:  # closed
            pass
        with self.cond:
            self.ended = True
            self.cond.notify_all()

    def wait(self, pred, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for it in self.items:
                    if pred(it):
                        return it
                left = deadline - time.time()
                if left <= 0 or self.ended:
                    return None
                self.cond.wait(left)

    def wait_end(self, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while not self.ended and time.time() < deadline:
                self.cond.wait(max(0.01, deadline - time.time()))
            return self.ended

    def close(self):
        try:
            self.conn.sock.shutdown(2)
        except OSError:
            pass
        self.conn.close()


def run_suite(run, extra=(), pass_toit=False):
    """The main of a suite: `--toit PATH --db sqlite|URL`, then run(t, s) (or
    run(t, s, toit)) against a fresh server; exits with the checks' result."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--toit", required=True)
    ap.add_argument("--db", default="sqlite")
    a = ap.parse_args()
    t = Checks()
    s = Server(a.toit, None if a.db == "sqlite" else a.db, extra=extra)
    try:
        if pass_toit:
            run(t, s, a.toit)
        else:
            run(t, s)
    finally:
        s.stop()
    t.finish()
