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
    assert not list(elsewhere.iterdir())
