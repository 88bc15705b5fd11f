"""Hard time limits: results, exceptions, timeouts, deaths, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from varieties.errors import EngineError
from varieties.timelimit import call_in_child


def _raise():
    raise EngineError("no basis for you")


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


def _spawn_and_wait(pidfile: str, seconds: float, nested_session: bool) -> None:
    """Start a grandchild ``sleep`` (directly, or through a second child), then wait."""
    if nested_session:
        # A time-limited child inside a time-limited child, as the CLI does around sympy.
        call_in_child(_spawn_and_wait, (pidfile, seconds, False), seconds * 2, new_session=False)
        return
    proc = subprocess.Popen(["sleep", str(seconds)])
    with open(pidfile, "w") as fh:
        fh.write(str(proc.pid))
    proc.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is dead for our purpose.
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_value_exception_and_death_are_told_apart():
    ok = call_in_child(divmod, (17, 5), timeout=30)
    assert (ok.status, ok.value) == ("ok", (3, 2))
    raised = call_in_child(_raise, timeout=30)
    assert raised.status == "raised" and isinstance(raised.value, EngineError)
    assert "no basis" in str(raised.value)
    died = call_in_child(_die, timeout=30)
    assert died.status == "died" and died.exitcode == -signal.SIGKILL


@pytest.mark.parametrize("nested", [False, True])
def test_timeout_kills_the_child_and_everything_it_started(tmp_path, nested):
    pidfile = tmp_path / "pid"
    start = time.perf_counter()
    res = call_in_child(_spawn_and_wait, (str(pidfile), 60, nested), timeout=1.5)
    assert res.status == "timeout" and time.perf_counter() - start < 10
    pid = int(pidfile.read_text())
    deadline = time.time() + 5
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the grandchild survived the kill"
