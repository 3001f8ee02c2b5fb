"""Real parts that a fault test can break: a private Redis, an SMTP sink, worker processes.

Nothing here touches the shared Redis on 6379: each test starts its own `redis-server` on a
free port, without persistence (a kill -9 loses every queued job, as a crash without AOF does).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.fixtures_app import ROOT, worker_environment

RQ = str(Path(sys.executable).with_name("rq"))
QUEUES = ["default", "documents", "mail", "simdet"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str, timeout: float = 60, alive=()) -> None:
    """Poll `condition` until true; fail naming `what` if it never comes or a process died."""
    deadline = time.monotonic() + timeout
    while not condition():
        for process in alive:
            assert process.poll() is None, f"{process.args[:2]} exited while waiting for {what}"
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)


class PrivateRedis:
    """A redis-server of the test's own, that the test may kill -9 and start again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from redis import Redis

        client = Redis(port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return client.ping()
            except Exception:
                return False

        wait_for(answers, "the private redis-server answering", 20, alive=[self.process])
        client.close()
        return self

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill9()


class SmtpSink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server that keeps what it receives.

    While `gate` is closed every new session waits before its greeting, so a job that sends
    mail stays "mid-job" for as long as the test wants. Recipients listed in `refuse` get 550.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.port = self.server_address[1]
        self.gate = threading.Event()
        self.gate.set()
        self.messages: list[bytes] = []
        self.sessions = 0
        self.refuse: set[str] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def message_ids(self) -> list[str]:
        with self.lock:
            found = [re.search(rb"^Message-ID: (.+?)\r?$", m, re.M | re.I) for m in self.messages]
        return [m.group(1).decode() for m in found if m]

    def recipients(self) -> list[str]:
        with self.lock:
            found = [re.search(rb"^To: (.+?)\r?$", m, re.M) for m in self.messages]
        return [m.group(1).decode() for m in found if m]

    def close(self) -> None:
        self.gate.set()
        self.shutdown()
        self.server_close()


class _SmtpSession(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: SmtpSink = self.server
        with server.lock:
            server.sessions += 1
        server.gate.wait()
        with contextlib.suppress(OSError):
            self._dialogue(server)

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def _dialogue(self, server: SmtpSink) -> None:
        self._reply("220 sink ESMTP")
        refused = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "DATA":
                self._reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                if not refused:
                    with server.lock:
                        server.messages.append(data)
                self._reply("250 queued")
            elif verb == "RCPT" and any(r in command for r in server.refuse):
                refused = True
                self._reply("550 no such mailbox")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")


def job_settings(redis: PrivateRedis, smtp: SmtpSink) -> dict[str, str]:
    """Short leases and sweeps for the tests (seconds), and mail through the sink."""
    return {
        "REDIS_URL": redis.url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_USE_TLS": "0",
        "OUTBOX_LEASE_SECONDS": "6",
        "OUTBOX_SWEEP_OLDER_THAN": "1",
        "OUTBOX_SWEEP_INTERVAL": "1",
        "WORKER_MONITOR_SECONDS": "1",
        "WORKER_RECONNECT_MAX_SECONDS": "1",
    }


def start_workers(app, settings: dict[str, str], log: Path, *, pool: int | None = None):
    """Start `rq worker-pool -n <pool>` (or one `rq worker`) in its own process group."""
    env = worker_environment(app)
    env.update(settings)
    kind = ["worker-pool", "--num-workers", str(pool)] if pool else ["worker", "--with-scheduler"]
    command = [RQ, *kind, "--url", settings["REDIS_URL"], "--path", str(ROOT)]
    command += ["--worker-class", "portal.jobs.worker.AppWorker", *QUEUES]
    with log.open("a") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def children(pid: int) -> set[int]:
    """The pids of a process's children (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL, grace: float = 5) -> None:
    """Signal a worker and the workers it forked (a work horse has its own session).

    A process still there after `grace` seconds is killed.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
