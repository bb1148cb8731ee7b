"""The real servers of the production proof, each a process group of its own that logs to a file.

Everything is started as a real install starts it (the worktree's .venv, configured only by environment
variables) and stopped at the end, even after a failure: `Service.stop()` ends the whole process group.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[2]
BIN = PROJECT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60, interval: float = 0.1) -> None:
    """Poll `check` until it is true; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def answers_http(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
    except requests.RequestException:
        return False
    return True


class Service:
    """One server: `command` run in its own session (so its process group is its own), output in `log`."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Service:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=PROJECT, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_for(self, check: Callable[[], bool], what: str, timeout: float = 60) -> Service:
        def ready() -> bool:
            if not self.running:
                raise AssertionError(f"{self.name} stopped while starting:\n{self.log_tail()}")
            return check()

        wait_until(ready, f"{self.name}: {what}", timeout)
        return self

    def wait_for_log(self, text: str, timeout: float = 60) -> Service:
        return self.wait_for(lambda: text in self.log.read_text(errors="replace"), f"{text!r} in its log", timeout)

    def group_pids(self) -> list[int]:
        """The processes of this service's group (a Celery worker and its pool's process, say), from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):  # a process that ended meanwhile
                if self.process is not None and int(stat.read_text().rsplit(")", 1)[1].split()[2]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def wait_for_connection(self, port: int, timeout: float = 30) -> None:
        """Return as soon as a process of the group holds an established TCP connection to 127.0.0.1:`port`: its
        socket inodes (/proc/PID/fd, cheap, polled) checked against /proc/net/tcp whenever a new one appears."""
        pids, remote, elsewhere, misses = self.group_pids(), f"0100007F:{port:04X}", set(), Counter()

        def sockets() -> set[str]:
            found = set()
            for pid in pids:
                with contextlib.suppress(OSError):
                    for fd in os.scandir(f"/proc/{pid}/fd"):
                        with contextlib.suppress(OSError):
                            target = os.readlink(fd.path)
                            if target.startswith("socket:["):
                                found.add(target[8:-1])
            return found

        def connected() -> bool:
            new = sockets() - elsewhere
            if not new:
                return False
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in new:
                    if fields[2] == remote and fields[3] == "01":  # 01: ESTABLISHED
                        return True
                    elsewhere.add(fields[9])  # the database, the broker: not looked up again
            for inode in new - elsewhere:  # not TCP (a unix socket), or still connecting: a few more looks
                misses[inode] += 1
                if misses[inode] >= 3:
                    elsewhere.add(inode)
            return False

        wait_until(connected, f"{self.name} connected to port {port}", timeout, interval=0.001)

    def kill(self) -> None:
        """SIGKILL to the whole group: the process and its children die at once, as when a host is lost."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the group, SIGKILL to what is left after `timeout` seconds."""
        stop_all([self], timeout)

    def log_tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def stop_all(services: list[Service], timeout: float = 20) -> None:
    """Stop `services` together: SIGTERM to every group, then SIGKILL to whatever is left after `timeout` seconds
    (a gunicorn or Celery worker process its leader left behind included)."""
    running = [s.process for s in services if s.process is not None]
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
