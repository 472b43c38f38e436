"""A private PostgreSQL cluster for tests: initdb + pg_ctl in a temporary
directory, listening only on a unix socket there. As root the server runs as
the `postgres` user (PostgreSQL refuses root)."""
import glob
import os
import shutil
import subprocess
import tempfile


def _bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    return None


def available():
    return _bindir() is not None


class Cluster:
    def __init__(self):
        self.bin = _bindir()
        if not self.bin:
            raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql)")
        self.dir = tempfile.mkdtemp(prefix="fleet-pg-")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            os.chmod(self.dir, 0o777)
        self.data = os.path.join(self.dir, "data")
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")
        self._run("initdb", "-D", self.data, "-U", self.user, "-A", "trust", "--no-sync", "-E", "UTF8")
        opts = f"-k {self.dir} -c listen_addresses='' -p 5432 -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "start")
        self.n = 0

    def _run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.dir)

    def new_database(self):
        """Creates an empty database and returns its libpq URL."""
        self.n += 1
        name = f"fleet{self.n}"
        self._run("createdb", "-h", self.dir, "-p", "5432", "-U", self.user, name)
        return f"postgres:///{name}?host={self.dir}&port=5432&user={self.user}"

    def stop(self):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
