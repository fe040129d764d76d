"""Run a command and watch its whole process tree (Linux /proc): wall time, CPU time and
peak memory of every process in it.

A crawl's worker processes are forked by a fork server, so they are not the command's
waited-for children and ``getrusage`` misses them; here every process of the tree is read
every 50 ms (its CPU time and peak resident set, ``VmHWM``), and the highest reading
counts (the last 50 ms of each process are missed).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


@dataclass
class Watched:
    wall: float
    cpu: dict[int, float] = field(default_factory=dict)  # pid → CPU seconds
    peak_kb: dict[int, int] = field(default_factory=dict)  # pid → peak RSS (KiB)
    names: dict[int, str] = field(default_factory=dict)  # pid → what the process is
    out: str = ""
    root: int = 0  # the command's own process

    @property
    def cpu_of_others(self) -> list[float]:
        """CPU seconds of each process but the command's own, the busiest first."""
        return sorted((cpu for pid, cpu in self.cpu.items() if pid != self.root), reverse=True)

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())

    def peaks_mb(self) -> list[tuple[str, float]]:
        """(name, peak MB) of every process, the biggest first."""
        rows = [(self.names.get(pid, "?"), kb / 1024) for pid, kb in self.peak_kb.items()]
        return sorted(rows, key=lambda row: -row[1])


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(child) for child in fh.read().split()]
        except OSError:
            continue
    return found


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            words = fh.read().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    line = " ".join(words)
    if "forkserver" in line:
        return "fork server/worker"
    if "resource_tracker" in line:
        return "resource tracker"
    if "spawn_main" in line:
        return "worker"
    return " ".join(w for w in words[1:4] if w)[:40] or words[0]


def _read(pid: int) -> tuple[float, int] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
        with open(f"/proc/{pid}/status") as fh:
            hwm = next((line for line in fh if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    except OSError:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu, int(hwm.split()[1])


def watch(command: list[str], env: dict[str, str] | None = None) -> Watched:
    """Run ``command`` to its end, watching its process tree; raises on a failure."""
    # Output goes to files, not pipes: a pipe nobody reads while polling fills up (64 kB)
    # and blocks a command that prints more than that (a diff of a big archive).
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out_file, stderr=err_file, env=env)
        watched = _poll(proc)
        watched.root = proc.pid
        watched.wall = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    watched.out = out.decode(errors="replace")
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, command, out, err)
    return watched


def _poll(proc: subprocess.Popen[bytes]) -> Watched:
    """CPU time and peak memory of each process of ``proc``'s tree, until it ends."""
    watched = Watched(0.0)
    while proc.poll() is None:
        for pid in tree(proc.pid):
            reading = _read(pid)
            if reading is None:
                continue
            name = _name(pid)
            if pid not in watched.names:
                watched.names[pid] = name
            elif name not in ("", "?", watched.names[pid]):
                # Forked, then exec'd (the fork server, the resource tracker): until the
                # exec it showed the crawl's command and the crawl's memory.
                watched.names[pid] = name
                watched.peak_kb.pop(pid, None)
            cpu, peak = reading  # a zombie (ended, not yet reaped) shows no memory: keep the max
            watched.cpu[pid] = max(cpu, watched.cpu.get(pid, 0.0))
            watched.peak_kb[pid] = max(peak, watched.peak_kb.get(pid, 0))
        time.sleep(0.05)
    return watched
