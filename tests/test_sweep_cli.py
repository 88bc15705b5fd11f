"""``varieties sweep CONFIG.toml``: end to end on a tiny config."""

from __future__ import annotations

import pandas as pd
import pytest

from varieties.cli import main

CONFIG = """
[[sweep]]
name = "tiny"
task = "constraint_row"
output = "tiny.csv"
timeout = 60

[[sweep.grid]]
n = [2, 3]
layer = ["l", "q"]
group = "cyclic"
kind = ["invariant", "equivariant"]
spec = "{n},{layer}{out}"
"""


def test_cli_runs_resumes_and_summarises(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(CONFIG)
    out = tmp_path / "out"
    argv = ["sweep", str(cfg), "--out", str(out), "--in-process", "--no-progress"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert "8 configurations, 0 already done, 8 run (ok 8" in first
    df = pd.read_csv(out / "tiny.csv")
    assert len(df) == 8 and set(df["status"]) == {"ok"}
    assert (out / "tiny.png").read_bytes()[:4] == b"\x89PNG"
    assert main(argv + ["--no-figures"]) == 0
    assert "8 already done, 0 run" in capsys.readouterr().out


def test_cli_bad_input_exits_2(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(CONFIG)
    assert main(["sweep", str(cfg), "--workers", "0"]) == 2


def test_script_entry_point_writes_to_its_out_folder_from_any_directory(tmp_path, monkeypatch):
    from varieties.commands.sweep import run_config_script

    cfg = tmp_path / "tiny.toml"
    cfg.write_text(CONFIG)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    flags = ["--in-process", "--no-progress", "--no-figures", "--limit", "1"]
    assert run_config_script(cfg, flags, tmp_path / "results") == 0
    assert len(pd.read_csv(tmp_path / "results" / "tiny.csv")) == 1
    # An explicit --out wins over the script's folder.
    assert run_config_script(cfg, flags + ["--out", str(tmp_path / "mine")], tmp_path / "x") == 0
    assert (tmp_path / "mine" / "tiny.csv").exists() and not (tmp_path / "x").exists()
    assert run_config_script(cfg, flags + [f"--out={tmp_path / 'eq'}"], tmp_path / "y") == 0
    assert (tmp_path / "eq" / "tiny.csv").exists() and not (tmp_path / "y").exists()
    assert not list(elsewhere.iterdir())


@pytest.mark.parametrize("flags, fragment", [
    (["--timeout", "0"], "--timeout 0.0 is invalid"),  # was silently ignored
    (["--timeout", "-5"], "--timeout -5.0 is invalid"),  # ran and recorded timeout rows
    (["--timeout", "nan"], "--timeout nan is invalid"),
    (["--timeout", "inf"], "--timeout inf is invalid"),
    (["--limit", "-1"], "--limit -1 is invalid"),  # ran all but the last
])
def test_bad_flags_are_one_line_errors_and_run_nothing(tmp_path, capsys, flags, fragment):
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(CONFIG)
    out = tmp_path / "out"
    argv = ["sweep", str(cfg), "--out", str(out), "--in-process", "--no-progress",
            "--no-figures", *flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_malformed_scheduler_address_is_a_one_line_error(tmp_path, capsys):
    pytest.importorskip("distributed")
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(CONFIG)
    argv = ["sweep", str(cfg), "--out", str(tmp_path / "out"), "--no-progress", "--no-figures",
            "--scheduler", "notanaddress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "cannot connect to the Dask scheduler at 'notanaddress'" in err
    assert err.count("\n") == 1


def test_limit_0_on_a_fresh_folder_is_not_an_error(tmp_path, capsys):
    """No rows yet: the summary says so and the figure is skipped, exit status 0."""
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(CONFIG)
    out = tmp_path / "out"
    argv = ["sweep", str(cfg), "--out", str(out), "--in-process", "--no-progress", "--limit", "0"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "8 configurations, 0 already done, 0 run" in captured.out
    assert "0 rows of this config" in captured.out
    assert "no figure" in captured.err and "no rows yet" in captured.err
    assert not (out / "tiny.png").exists()
    assert pd.read_csv(out / "tiny.csv").empty


CUSTOM = """
[[sweep]]
name = "custom"
task = "varieties.sweep.tasks:spec_columns"
output = "c.csv"

[[sweep.grid]]
spec = "2,q1"
alpha = [1, 2, 3]
"""


def test_a_custom_task_runs_every_configuration(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text(CUSTOM)
    out = tmp_path / "out"
    argv = ["sweep", str(cfg), "--out", str(out), "--in-process", "--no-progress", "--no-figures"]
    assert main(argv) == 0
    assert "3 configurations, 0 already done, 3 run (ok 3" in capsys.readouterr().out
    df = pd.read_csv(out / "c.csv")
    assert list(df["alpha"]) == [1, 2, 3]
    # the task says nothing about group/kind; the rows still do
    assert set(df["group"]) == {"symmetric"} and set(df["kind"]) == {"invariant"}


def test_two_sweeps_of_one_file_cannot_share_an_output(tmp_path, capsys):
    cfg = tmp_path / "two.toml"
    cfg.write_text("""
[[sweep]]
name = "a"
task = "constraint_row"
output = "all.csv"
[[sweep.grid]]
spec = "2,q1"

[[sweep]]
name = "b"
task = "probe_row"
output = "all.csv"
[[sweep.grid]]
spec = "2,q1"
""")
    argv = ["sweep", str(cfg), "--out", str(tmp_path / "out"), "--in-process", "--no-progress"]
    assert main(argv) == 2
    assert "sweeps 'a' and 'b' both write output 'all.csv'" in capsys.readouterr().err


def _snapshot(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("output", ["../../etc/x.csv", "../x.csv", "/tmp/elsewhere/x.csv",
                                    "sub/../../x.csv", "~/x.csv"])
def test_an_output_outside_the_out_folder_is_refused_and_nothing_is_written(
        tmp_path, capsys, output):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    cfg = work / "evil.toml"
    cfg.write_text(CONFIG.replace('output = "tiny.csv"', f'output = "{output}"'))
    before = _snapshot(tmp_path)
    assert main(["sweep", str(cfg), "--out", str(work / "out"), "--in-process",
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out folder" in err and repr(output) in err
    assert _snapshot(tmp_path) == before          # not even the --out folder
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "a" / "x.csv").exists()


def test_an_output_in_a_subfolder_of_out_is_fine(tmp_path, capsys):
    cfg = tmp_path / "sub.toml"
    cfg.write_text(CONFIG.replace('output = "tiny.csv"', 'output = "tables/t.csv"'))
    assert main(["sweep", str(cfg), "--out", str(tmp_path / "out"), "--in-process",
                 "--no-progress", "--no-figures", "--limit", "1"]) == 0
    assert (tmp_path / "out" / "tables" / "t.csv").exists()


def test_a_link_out_of_the_out_folder_is_refused(tmp_path, capsys):
    import os

    from varieties.errors import VarietiesError
    from varieties.sweep import run_sweep
    from varieties.sweep.config import parse_config

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "link")
    [sweep] = parse_config({"sweep": {"task": "probe_row", "output": "link/p.csv",
                                      "grid": {"spec": "2,l1"}}})
    with pytest.raises(VarietiesError, match="outside the --out folder"):
        run_sweep(sweep, out, mode="inprocess", progress=False)
    assert list(elsewhere.iterdir()) == []


def _main_job():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "main_job.py"
    spec = importlib.util.spec_from_file_location("main_job", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_main_job_computes_afresh_and_checks_against_results(tmp_path, capsys):
    """`make run` computes into its own folder (never finds the committed rows done)
    and catches a settled value that differs from results/."""
    from varieties import results as report

    job = _main_job()
    out = tmp_path / "run"
    flags = ["--out", str(out), "--only", "constraint_tables", "--limit", "4", "--in-process",
             "--no-progress", "--no-figures"]
    assert job.main(flags) == 0
    text = capsys.readouterr().out
    assert "0 already done, 4 run (ok 4" in text
    assert "4 rows compared, 0 settled values differ" in text
    df = report.load(out / "constraint_tables.csv")
    df.loc[0, "colors"] = int(df.loc[0, "colors"]) + 1
    report.save(df, out / "constraint_tables.csv")
    assert job.check_against_results(out) == 1
    assert "1 settled values differ" in capsys.readouterr().out
    assert job.out_folder([]) == job.ROOT / "runs" / "main"
