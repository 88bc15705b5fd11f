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
    assert res.status == "timeout" and time.perf_counter() - start < 40  # child: 60 s
    pid = int(pidfile.read_text())
    deadline = time.time() + 5
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the grandchild survived the kill"


_PARENT_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from test_timelimit import _spawn_and_wait
from varieties.timelimit import call_in_child
call_in_child(_spawn_and_wait, ({pidfile!r}, 60, False), timeout={timeout})
"""


def _wait_for(path, seconds=30):
    deadline = time.time() + seconds
    while not (path.exists() and path.read_text()) and time.time() < deadline:
        time.sleep(0.05)
    return int(path.read_text())


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.time() + seconds
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


@pytest.mark.parametrize("how", ["parent killed", "parent stopped"])
def test_children_do_not_outlive_a_dead_or_stuck_parent(tmp_path, how):
    """The child's own watchdog: no orphaned engine survives a SIGKILLed or hung caller."""
    import pathlib
    import sys

    pidfile = tmp_path / "pid"
    timeout = 30 if how == "parent killed" else 1
    code = _PARENT_SCRIPT.format(tests=str(pathlib.Path(__file__).parent),
                                 pidfile=str(pidfile), timeout=timeout)
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        grandchild = _wait_for(pidfile)
        if how == "parent killed":
            parent.kill()
            assert _gone_within(grandchild, 5), "the engine survived its caller's death"
        else:
            # A stopped parent cannot kill anything: the child must do it at limit + GRACE.
            parent.send_signal(signal.SIGSTOP)
            from varieties.timelimit import GRACE

            assert _gone_within(grandchild, timeout + GRACE + 5)
    finally:
        parent.kill()
        parent.wait()


def test_a_sweep_subprocess_child_enforces_its_own_limit(tmp_path):
    """The subprocess isolation (inside daemonic Dask workers) has a watchdog too."""
    import json
    import sys

    from varieties.timelimit import GRACE

    pidfile = tmp_path / "pid"
    job = {"task": "probe_row", "timeout": 1,
           "config": {"spec": "2,l1", "spawn": 60, "pidfile": str(pidfile)}}
    child = subprocess.Popen([sys.executable, "-m", "varieties.sweep.child"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             start_new_session=True, text=True)
    try:
        child.stdin.write(json.dumps(job))
        child.stdin.close()
        grandchild = _wait_for(pidfile)
        # Nobody kills it from outside: it must end itself and its engine at 1 s + GRACE.
        assert child.wait(timeout=1 + GRACE + 10) == -signal.SIGKILL
        assert _gone_within(grandchild, 5)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- deadlines


def test_expansion_and_constraints_stop_at_a_passed_deadline():
    import time

    from varieties.constraints import constraints
    from varieties.expand import expand
    from varieties.timelimit import TimeLimit

    with pytest.raises(TimeLimit):
        expand("3,q3,q1", timeout=0)   # 0 s: the time is up at once
    # With the expansion given, the comparison of coefficients is what stops.
    e = expand("3,q3,q1")
    with pytest.raises(TimeLimit):
        constraints("3,q3,q1", expansion=e, timeout=0)
    far = 600
    assert (len(constraints("3,q3,q1", expansion=e, timeout=far))
            == len(constraints("3,q3,q1", expansion=e)))
    assert expand("3,q3,q1", timeout=far).coeffs == e.coeffs


def test_analyze_honours_its_timeout_while_building_constraints():
    import time

    from varieties.algebra import analyze
    from varieties.network import parse_spec

    spec = "4,q4,q4,q1"   # its constraints alone take about a minute on 2 cores
    t0 = time.perf_counter()
    rep = analyze(spec, timeout=0.5, function_dim=False)
    elapsed = time.perf_counter() - t0
    assert elapsed < 45, elapsed  # unbounded: a minute or more
    assert rep.status == "timeout" and "during constraints" in rep.message
    assert rep.n_constraints is None
    # Nothing was computed, so the bounds are the trivial ones.
    assert (rep.dim_lower, rep.dim_upper) == (0, len(parse_spec(spec).weights))
    assert rep.certainty == "exact" and rep.dim is None


@pytest.mark.parametrize("backend", ["sympy", "auto"])
def test_one_huge_product_does_not_outrun_the_deadline(backend):
    import time

    from varieties.expand import expand
    from varieties.timelimit import TimeLimit

    # Unbounded, 5,q5,q5,q1 runs for minutes and needs tens of GB: its deadline
    # must be honoured inside a single product of full polynomials.
    t0 = time.perf_counter()
    with pytest.raises(TimeLimit):
        expand("5,q5,q5,q1", backend=backend, timeout=1.0)
    assert time.perf_counter() - t0 < 60  # unbounded: minutes and tens of GB


@pytest.mark.parametrize("what", ["constant-output", "dead-unit"])
def test_exclusions_stop_at_the_deadline(what):
    import time

    from varieties.algebra.exclusions import exclusion_poly
    from varieties.timelimit import TimeLimit

    with pytest.raises(TimeLimit):
        exclusion_poly("3,q3,q1", what, deadline=time.perf_counter() - 1)
    assert exclusion_poly("3,q3,q1", what, deadline=time.perf_counter() + 600).poly != 0
