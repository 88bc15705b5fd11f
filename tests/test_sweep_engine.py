"""The sweep engine: time limits, failures, resumption after interruption, Dask = in-process."""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from varieties.errors import VarietiesError
from varieties.sweep import engine
from varieties.sweep.config import parse_config
from varieties.sweep.engine import RowStore, atomic_write_csv, run_isolated, run_sweep

ROOT = pathlib.Path(__file__).resolve().parent.parent


def probe_sweep(values, **extra):
    grid = {"spec": "2,l1", "value": list(values), **extra}
    [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "p.csv", "timeout": 20,
                                      "grid": grid}})
    return sweep


def read_rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def without_timing(path):
    rows = read_rows(path)
    for r in rows:
        r.pop("seconds")
    return rows


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie awaiting its reaper is dead for our purposes
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("isolation", ["fork", "subprocess"])
def test_timeout_kills_the_task_and_what_it_started(tmp_path, isolation):
    pidfile = tmp_path / "pid"
    row = run_isolated("probe_row", {"spec": "2,l1", "spawn": 60, "pidfile": str(pidfile)},
                       timeout=3 if isolation == "subprocess" else 1.5, isolation=isolation)
    assert row["status"] == "timeout" and "time limit" in row["message"]
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "the engine process the task started survived its time limit"


@pytest.mark.parametrize("isolation", ["fork", "subprocess"])
def test_failure_is_a_row_not_an_exception(isolation):
    row = run_isolated("probe_row", {"spec": "2,l1", "fail": True}, timeout=20,
                       isolation=isolation)
    assert row["status"] == "error" and "probe asked to fail" in row["message"]


def test_timeouts_and_failures_are_recorded(tmp_path):
    [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "p.csv", "timeout": 1,
                                      "grid": [{"spec": "2,l1", "value": [1, 2]},
                                               {"spec": "2,l1", "value": 3, "sleep": 30},
                                               {"spec": "2,l1", "value": 4, "fail": True}]}})
    res = run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    assert res.counts == {"ok": 2, "timeout": 1, "error": 1}
    rows = {r["value"]: r for r in read_rows(tmp_path / "p.csv")}
    assert set(rows) == {"1", "2", "3", "4"}
    assert rows["3"]["status"] == "timeout" and rows["3"]["spec"] == "2,l1"
    assert rows["4"]["status"] == "error" and "fail" in rows["4"]["message"]
    # the grid leaves group and kind to the task's defaults; failed rows still say them
    for r in rows.values():
        assert (r["group"], r["kind"]) == ("symmetric", "invariant"), r
    # a rerun keeps them; --retry-failed runs exactly those two again
    again = run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    assert again.ran == 0 and again.already_done == 4
    retry = run_sweep(sweep, tmp_path, mode="inprocess", progress=False, retry_failed=True)
    assert retry.ran == 2 and len(read_rows(tmp_path / "p.csv")) == 4


def test_retry_unsettled_reruns_exactly_the_rows_without_a_dimension(tmp_path):
    [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "p.csv",
                                      "grid": [{"spec": "2,l1", "value": 1, "dim": 5},
                                               {"spec": "2,l1", "value": 2, "dim": ""}]}})
    first = run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    assert first.ran == 2
    plain = run_sweep(sweep, tmp_path, mode="inprocess", progress=False, retry_failed=True)
    assert plain.ran == 0
    again = run_sweep(sweep, tmp_path, mode="inprocess", progress=False, retry_unsettled=True)
    assert again.ran == 1 and again.already_done == 1
    assert len(read_rows(tmp_path / "p.csv")) == 2


def _write_gated_config(path, n_free, n_gated, gate):
    """``n_free`` probe tasks that finish at once, then ``n_gated`` held at ``gate``."""
    path.write_text(f"""
[[sweep]]
name = "probe"
task = "probe_row"
output = "p.csv"
timeout = 120
[[sweep.grid]]
spec = "2,l1"
value = {list(range(n_free))}
[[sweep.grid]]
spec = "2,l1"
value = {list(range(n_free, n_free + n_gated))}
gate = "{gate}"
gate_s = 100
""")


def wait_until(predicate, seconds: float, what: str) -> None:
    """Poll ``predicate`` until it holds; failing to within ``seconds`` fails the test."""
    limit = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > limit:
            pytest.fail(f"gave up after {seconds} s waiting for {what}")
        time.sleep(0.02)


def journal_rows(journal) -> int:
    return journal.read_text().count("\n") if journal.exists() else 0


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_run_resumes_without_duplicates_or_losses(tmp_path, sig):
    """Four tasks finish; the other eight are held at a gate file until the run is
    interrupted, so the signal always lands mid-run (no race with the clock)."""
    config, gate = tmp_path / "probe.toml", tmp_path / "gate"
    _write_gated_config(config, 4, 8, gate)
    out = tmp_path / "out"
    args = ["sweep", str(config), "--out", str(out), "--in-process", "--workers", "2",
            "--no-progress", "--no-figures"]
    cmd = [sys.executable, "-m", "varieties", *args]
    # A shell's background job (`cmd &`, nohup) starts with SIGINT ignored, and Python
    # then never raises KeyboardInterrupt: give the run Python's own handler back.
    launch = [sys.executable, "-c", "import runpy, signal, sys; "
              "signal.signal(signal.SIGINT, signal.default_int_handler); "
              f"sys.argv = ['varieties'] + {args!r}; "
              "runpy.run_module('varieties', run_name='__main__', alter_sys=True)"]
    proc = subprocess.Popen(launch, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / "p.csv.journal"
    try:
        wait_until(lambda: journal_rows(journal) >= 4 or proc.poll() is not None, 120,
                   "four journal rows")
    finally:
        if proc.poll() is None:
            proc.send_signal(sig)
    proc.wait(60)
    assert proc.returncode != 0, proc.stderr.read().decode()
    finished = set()
    if journal.exists():  # SIGKILL: whatever the journal holds must survive
        for line in journal.read_text().splitlines():
            try:
                finished.add(json.loads(line)["key"])
            except json.JSONDecodeError:
                pass
    if (out / "p.csv").exists():  # never half-written: every row is whole
        rows = read_rows(out / "p.csv")
        assert all(r["status"] == "ok" and r["seconds"] for r in rows)
        finished |= {r["key"] for r in rows}
    assert len(finished) == 4, finished  # the four free tasks, none of the held ones
    gate.write_text("")
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "4 already done" in rerun.stdout
    rows = read_rows(out / "p.csv")
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)) == 12
    assert [int(r["value"]) for r in rows] == list(range(12))  # in config order
    assert all(r["status"] == "ok" for r in rows)
    assert not journal.exists()


def test_an_interrupt_while_storing_a_row_stops_the_running_tasks(tmp_path, monkeypatch):
    """SIGINT can land in the main thread while it stores a row rather than while it waits
    for one; the held task must still be stopped, not left running in its thread."""
    import threading

    from varieties.sweep.config import load_config

    config, gate = tmp_path / "probe.toml", tmp_path / "gate"
    _write_gated_config(config, 1, 1, gate)
    [sweep] = load_config(config)

    def interrupted(self, row):
        raise KeyboardInterrupt

    monkeypatch.setattr(RowStore, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, tmp_path / "out", mode="inprocess", workers=2, progress=False)
    alive = [t.name for t in threading.enumerate()
             if t.name.startswith("ThreadPoolExecutor") and t.is_alive()]
    gate.write_text("")   # should the check fail, let the held task end
    assert not alive, alive


def test_journal_with_a_torn_last_line_is_recovered(tmp_path):
    sweep = probe_sweep(range(5))
    run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    full = without_timing(tmp_path / "p.csv")
    # Simulate a kill: CSV holds rows 0-1, journal rows 2-3 and half of row 4.
    rows = read_rows(tmp_path / "p.csv")
    atomic_write_csv(tmp_path / "p.csv", list(rows[0]), rows[:2])
    lines = [json.dumps(r) for r in rows[2:]]
    (tmp_path / "p.csv.journal").write_text("\n".join(lines[:2]) + "\n" + lines[2][:20])
    res = run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    assert res.already_done == 4 and res.ran == 1
    assert without_timing(tmp_path / "p.csv") == full


def test_csv_is_never_half_written(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    atomic_write_csv(path, ["key", "v"], [{"key": "a", "v": 1}])
    before = path.read_bytes()

    def broken_rows():
        yield {"key": "b", "v": 2}
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write_csv(path, ["key", "v"], broken_rows())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_store_merges_and_orders_rows(tmp_path):
    store = RowStore(tmp_path / "s.csv", ["key", "x", "status", "message", "seconds"],
                     order=["b", "a"], checkpoint_s=0)
    store.add({"key": "a", "x": 1, "status": "ok"})
    store.add({"key": "b", "x": None, "status": "error", "message": "boom"})
    store.close()
    rows = read_rows(tmp_path / "s.csv")
    assert [r["key"] for r in rows] == ["b", "a"] and rows[0]["x"] == ""


def _small_constraint_sweep():
    [sweep] = parse_config({"sweep": {"task": "constraint_row", "output": "c.csv", "timeout": 60,
                                      "grid": {"n": [2, 3, 4], "layer": ["q", "l"],
                                               "group": ["symmetric", "hyperoctahedral"],
                                               "kind": ["invariant", "equivariant", "folded"],
                                               "spec": "{n},{layer}{out}"}}})
    return sweep


def test_dask_and_inprocess_write_identical_csvs(tmp_path):
    pytest.importorskip("distributed")
    sweep = _small_constraint_sweep()
    a = run_sweep(sweep, tmp_path / "inprocess", mode="inprocess", progress=False)
    b = run_sweep(sweep, tmp_path / "dask", mode="dask", processes=False, workers=2,
                  progress=False)
    assert a.counts["ok"] == b.counts["ok"] == len(sweep.configs)
    rows_a = without_timing(tmp_path / "inprocess" / "c.csv")
    rows_b = without_timing(tmp_path / "dask" / "c.csv")
    assert rows_a == rows_b
    assert len(rows_a) == len(sweep.configs)


@pytest.mark.slow
def test_dask_worker_processes_run_and_time_out(tmp_path):
    pytest.importorskip("distributed")
    [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "p.csv", "timeout": 1.5,
                                      "grid": [{"spec": "2,l1", "value": [1, 2, 3]},
                                               {"spec": "2,l1", "value": 4, "sleep": 30}]}})
    res = run_sweep(sweep, tmp_path, mode="dask", workers=2, progress=False)
    assert res.counts == {"ok": 3, "timeout": 1, "error": 0}


def test_unknown_mode_and_missing_dask(tmp_path, monkeypatch):
    from varieties.errors import VarietiesError

    sweep = probe_sweep([1])
    with pytest.raises(VarietiesError, match="unknown mode"):
        run_sweep(sweep, tmp_path, mode="fast")
    monkeypatch.setattr(engine, "dask_available", lambda: False)
    res = run_sweep(sweep, tmp_path, mode="auto", progress=False)  # falls back silently
    assert res.mode == "inprocess" and res.counts["ok"] == 1
    with pytest.raises(VarietiesError, match="needs dask"):
        run_sweep(probe_sweep([2]), tmp_path, mode="dask")


def test_progress_bar_shows_counts(tmp_path, capsys):
    run_sweep(probe_sweep([1, 2]), tmp_path, mode="inprocess", progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "ok=2" in err


def test_existing_scheduler_is_used(tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep = probe_sweep([1, 2, 3])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        res = run_sweep(sweep, tmp_path, scheduler=cluster.scheduler_address, progress=False)
        assert res.mode == "dask" and res.counts["ok"] == 3
        assert len(cluster.scheduler.task_prefixes) >= 1  # the tasks went through it
    assert [r["value"] for r in read_rows(tmp_path / "p.csv")] == ["1", "2", "3"]


def test_written_csv_has_ordinary_permissions(tmp_path):
    path = tmp_path / "r.csv"
    atomic_write_csv(path, ["key"], [{"key": "a"}])
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_timed_out_dimension_rows_still_say_how_big_the_network_was(tmp_path):
    pytest.importorskip("varieties.algebra")
    # The analysis' own limit (a grid key, so the task sees it) is far below what
    # any step takes, so the row times out on every machine; the kill is 30 s away.
    [sweep] = parse_config({"sweep": {"task": "dimension_row", "output": "d.csv", "timeout": 30,
                                      "grid": {"spec": "4,q4,q1", "timeout": 1e-3}}})
    res = run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    [row] = read_rows(tmp_path / "d.csv")
    assert res.counts["timeout"] == 1 and row["status"] == "timeout"
    # 4 hidden units x (10 + 4 + 1) weights, plus 1 x (10 + 4 + 1) in the output layer
    assert row["weights"] == str(4 * 15 + 15) and row["n"] == "4" and row["layers"] == "q-q"


def test_two_sweeps_cannot_write_one_csv(tmp_path):
    from varieties.errors import VarietiesError

    cols = ["key", "status", "message", "seconds"]
    first = RowStore(tmp_path / "s.csv", cols, order=[])
    with pytest.raises(VarietiesError, match="another sweep is writing"):
        RowStore(tmp_path / "s.csv", cols, order=[])
    first.close()
    RowStore(tmp_path / "s.csv", cols, order=[]).close()  # free again once the first is done
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


def test_runs_in_pieces_equal_one_run(tmp_path):
    """Stopping after any number of tasks and resuming gives the one-shot CSV."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    sweep = probe_sweep(range(7))
    run_sweep(sweep, tmp_path / "whole", mode="inprocess", progress=False)
    whole = without_timing(tmp_path / "whole" / "p.csv")
    counter = iter(range(10**6))

    @settings(max_examples=8, deadline=None)
    @given(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    def pieces(limits):
        out = tmp_path / f"piece{next(counter)}"
        done = 0
        for k in limits:
            res = run_sweep(sweep, out, mode="inprocess", progress=False, limit=k)
            assert res.already_done == done and res.ran == min(k, 7 - done)
            done += res.ran
        run_sweep(sweep, out, mode="inprocess", progress=False)
        assert without_timing(out / "p.csv") == whole

    pieces()


def test_a_subset_sweep_leaves_the_full_file_alone(tmp_path):
    """`make run` after the full scripts must not rewrite (or reorder) their CSV."""
    full = probe_sweep([3, 1, 4, 5, 9, 2, 6])
    run_sweep(full, tmp_path, mode="inprocess", progress=False)
    before = (tmp_path / "p.csv").read_bytes()
    res = run_sweep(probe_sweep([4, 2]), tmp_path, mode="inprocess", progress=False)
    assert res.ran == 0 and (tmp_path / "p.csv").read_bytes() == before
    # a new configuration goes in; the rows of the other sweep keep their order
    run_sweep(probe_sweep([4, 8]), tmp_path, mode="inprocess", progress=False)
    values = [r["value"] for r in read_rows(tmp_path / "p.csv")]
    assert values == ["4", "8", "3", "1", "5", "9", "2", "6"]


def test_a_lock_file_replaced_while_locking_is_not_a_lock(tmp_path, monkeypatch):
    """A sweep that locks a lock file after its owner removed it must not count as holding it."""
    import fcntl

    cols = ["key", "status", "message", "seconds"]
    lock = tmp_path / "s.csv.lock"
    real = fcntl.flock
    third = []

    def flock_after_swap(fh, op):
        if not third:  # between our open() and flock(): the owner finishes, a third sweep starts
            lock.unlink()
            third.append(open(lock, "a"))
            real(third[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
        return real(fh, op)

    monkeypatch.setattr(fcntl, "flock", flock_after_swap)
    with pytest.raises(VarietiesError, match="another sweep is writing"):
        RowStore(tmp_path / "s.csv", cols, order=[])
    third[0].close()


def test_a_lock_file_removed_while_locking_is_locked_anew(tmp_path, monkeypatch):
    import fcntl

    cols = ["key", "status", "message", "seconds"]
    lock = tmp_path / "s.csv.lock"
    real = fcntl.flock
    calls = []

    def flock_after_unlink(fh, op):
        if not calls:
            lock.unlink()
        calls.append(op)
        return real(fh, op)

    monkeypatch.setattr(fcntl, "flock", flock_after_unlink)
    store = RowStore(tmp_path / "s.csv", cols, order=[])
    assert len(calls) == 2  # the stale file, then the one at the path
    assert os.fstat(store._lockfile.fileno()).st_ino == os.stat(lock).st_ino
    with pytest.raises(VarietiesError, match="another sweep is writing"):
        RowStore(tmp_path / "s.csv", cols, order=[])
    store.close()


def test_close_removes_the_lock_file_before_releasing_it(tmp_path):
    """Else a sweep waiting on the old file and one creating a new one could both hold a lock."""
    cols = ["key", "status", "message", "seconds"]
    store = RowStore(tmp_path / "s.csv", cols, order=[])
    lock = tmp_path / "s.csv.lock"

    class Spy:  # the lock file object, noting whether the file was still there at release
        def __init__(self, fh):
            self.fh, self.name, self.there_at_release = fh, fh.name, None

        def fileno(self):
            return self.fh.fileno()

        def close(self):
            self.there_at_release = lock.exists()
            self.fh.close()

    spy = store._lockfile = Spy(store._lockfile)
    store.close()
    assert spy.there_at_release is False and not lock.exists()


@pytest.mark.parametrize("seconds", [1.95, 0.1])
def test_a_child_that_dies_is_an_error_even_near_its_limit(monkeypatch, seconds):
    """The parent reports timeouts itself; a child that dies without an answer crashed."""
    from varieties.timelimit import ChildResult

    from varieties.sweep import isolation

    monkeypatch.setattr(isolation, "call_in_child",
                        lambda *a, **k: ChildResult("died", None, seconds, -9))
    row = run_isolated("probe_row", {"spec": "2,l1"}, timeout=2.0, isolation="fork")
    assert row["status"] == "error" and "exit code -9" in row["message"]


def test_bad_limits_and_timeouts_are_refused(tmp_path):
    from varieties.sweep.config import ConfigError

    with pytest.raises(VarietiesError, match="limit -1 is invalid"):
        run_sweep(probe_sweep([1]), tmp_path, mode="inprocess", progress=False, limit=-1)
    sweep = probe_sweep([1])
    sweep.timeout = float("nan")
    with pytest.raises(ConfigError, match="timeout nan is invalid"):
        run_sweep(sweep, tmp_path, mode="inprocess", progress=False)
    assert not (tmp_path / "p.csv").exists()


def test_malformed_scheduler_address_is_a_varieties_error():
    pytest.importorskip("distributed")
    with pytest.raises(VarietiesError, match="cannot connect to the Dask scheduler"):
        engine.start_dask(1, "notanaddress")


def test_floats_a_task_returns_are_written_in_full(tmp_path):
    """Only the timing column is cut to 4 decimals; a task's 1e-05 is not 0.0."""
    from varieties import results as report

    run_sweep(probe_sweep([1e-5, 0.123456789, 3]), tmp_path, mode="inprocess", progress=False)
    rows = read_rows(tmp_path / "p.csv")
    assert [r["value"] for r in rows] == ["1e-05", "0.123456789", "3"]
    for r in rows:
        assert len(r["seconds"].partition(".")[2]) <= 4
    df = report.load(tmp_path / "p.csv")
    assert list(df["value"]) == [1e-5, 0.123456789, 3.0]
    copy = report.save(df, tmp_path / "copy.csv")
    assert copy.read_bytes() == (tmp_path / "p.csv").read_bytes()


def test_a_row_interrupted_while_journaling_still_reaches_the_csv(tmp_path, monkeypatch):
    """Ctrl-C lands in the fsync of the journal: close() must still write that row."""
    from varieties.sweep import rows

    cols = ["key", "status", "message", "seconds"]
    store = RowStore(tmp_path / "s.csv", cols, order=["a", "b"])
    store.add({"key": "a", "status": "ok", "message": "", "seconds": 0.1})
    real = rows.os.fsync

    def interrupted(fd):
        real(fd)
        raise KeyboardInterrupt  # delivered as the system call returns

    monkeypatch.setattr(rows.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.add({"key": "b", "status": "ok", "message": "", "seconds": 0.2})
    monkeypatch.setattr(rows.os, "fsync", real)
    store.close()
    assert [r["key"] for r in read_rows(tmp_path / "s.csv")] == ["a", "b"]
