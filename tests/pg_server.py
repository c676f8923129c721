"""Real PostgreSQL servers for the tests: started in a temporary folder on 127.0.0.1, stopped after.

Uses ``initdb`` / ``pg_ctl`` / ``pg_basebackup`` from the Debian ``postgresql`` package
(``/usr/lib/postgresql/*/bin``). PostgreSQL refuses to run as root, so as root every server
command runs as the ``postgres`` user (``runuser``) in a folder it owns. Logins over TCP
need a password (scram-sha-256), so wrong passwords and redaction can be tested; the
Unix socket (in the server's folder) trusts local users.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

PASSWORD = "s3cret-Pw"
SUPERUSER = "postgres"
INSTALL_HINT = "apt-get install postgresql postgresql-15-rum"


def bin_dir() -> Optional[Path]:
    """The folder of ``initdb`` and ``pg_ctl``, newest version first; None when missing."""
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(found).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> List[str]:
    """The prefix that runs a command as the server's user (``postgres`` when we are root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SUPERUSER, "--"]
    return []


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SUPERUSER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


class PgServer:
    """One PostgreSQL server in its own temporary folder."""

    def __init__(self, root: Optional[Path] = None, name: str = "primary") -> None:
        found = bin_dir()
        if found is None:
            raise FileNotFoundError(f"PostgreSQL binaries not found; {INSTALL_HINT}")
        self.bin = found
        self.owns_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="searcher-pg-")) if root is None else root
        os.chmod(self.root, 0o755)
        self.data = self.root / name
        self.sockets = self.root / f"{name}-sock"
        self.log = self.root / f"{name}.log"
        self.port = free_port()
        self.running = False

    # -- running commands ------------------------------------------------------------------

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = _as_server_user() + [str(self.bin / args[0]), *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if check and done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def _prepare_dirs(self) -> None:
        for folder in (self.data, self.sockets):
            folder.mkdir(mode=0o700, exist_ok=True)
            _chown(folder)
        self.log.touch()
        _chown(self.log)

    # -- lifecycle ---------------------------------------------------------------------------

    def init(self) -> "PgServer":
        """A new cluster, password logins over TCP, ready for replicas."""
        self._prepare_dirs()
        pwfile = self.root / f"{self.data.name}.pw"
        pwfile.write_text(PASSWORD + "\n")
        _chown(pwfile)
        self.run("initdb", "-D", str(self.data), "-U", SUPERUSER, f"--pwfile={pwfile}", "-E", "UTF8",
                 "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
        pwfile.unlink()
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 scram-sha-256\n")
        self._configure()
        return self

    def _configure(self) -> None:
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.sockets}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "wal_level": "replica",
            "max_wal_senders": "5",
            "shared_buffers": "64MB",
            "max_connections": "60",
            "deadlock_timeout": "100ms",
        }
        with open(self.data / "postgresql.auto.conf", "a") as conf:
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")

    def start(self) -> "PgServer":
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
            self.running = False

    def cleanup(self) -> None:
        self.stop()
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def replica_of(self, primary: "PgServer") -> "PgServer":
        """Make this server a streaming replica of ``primary`` (``pg_basebackup -R``)."""
        self._prepare_dirs()
        env_pass = self.root / f"{self.data.name}.pgpass"
        env_pass.write_text(f"127.0.0.1:{primary.port}:*:{SUPERUSER}:{PASSWORD}\n")
        os.chmod(env_pass, 0o600)
        _chown(env_pass)
        command = _as_server_user() + ["env", f"PGPASSFILE={env_pass}", str(self.bin / "pg_basebackup"),
                                       "-h", "127.0.0.1", "-p", str(primary.port), "-U", SUPERUSER,
                                       "-D", str(self.data), "-R", "-X", "stream", "--no-sync"]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {done.stderr.strip()}")
        # The copy holds the primary's settings; give it its own port and sockets, and the
        # password file for streaming.
        with open(self.data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {self.port}\nunix_socket_directories = '{self.sockets}'\n")
            conf.write("hot_standby = on\n")
            conf.write(f"primary_conninfo = 'host=127.0.0.1 port={primary.port} user={SUPERUSER} "
                       f"password={PASSWORD}'\n")
        return self

    # -- using it ----------------------------------------------------------------------------

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: Optional[str] = PASSWORD) -> str:
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run SQL as the superuser through the Unix socket; its output."""
        done = self.run("psql", "-h", str(self.sockets), "-p", str(self.port), "-U", SUPERUSER, "-d", database,
                        "-v", "ON_ERROR_STOP=1", "-At", "-c", statement)
        return done.stdout.strip()

    def create_database(self, name: str) -> str:
        """A new empty database; its URL (with the superuser's password)."""
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)


def wait_for(predicate, timeout: float = 30.0, step: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
