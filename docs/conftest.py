"""The doctests of docs/*.md run from the repository root, so that their paths
(``results/constraint_tables.csv``) read as they would in a shell there."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _run_from_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)
