"""``--write-docs`` for the ``scripts/bench_*.py`` scripts.

``run(main, "bench_tying")`` runs a benchmark's ``main`` as before, its output
still printed, and with ``--write-docs`` on the command line (removed before
``main`` parses its own arguments) replaces the script's section of
``docs/benchmarks.md``, between ``<!-- bench_tying:start -->`` and
``<!-- bench_tying:end -->``, with the printed table and the machine
(``platform``, cores), the date and ``git rev-parse --short HEAD``. What the
benchmark measures is unchanged.
"""

from __future__ import annotations

import datetime
import io
import os
import pathlib
import platform
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
# BENCHDOC_FILE: write into another copy of the page (a trial run).
DOC = pathlib.Path(os.environ.get("BENCHDOC_FILE", ROOT / "docs" / "benchmarks.md"))
FLAG = "--write-docs"


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for s in self.streams:
            s.write(text)
        return len(text)

    def flush(self):
        for s in self.streams:
            s.flush()


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def section(name: str, command: str, output: str) -> str:
    """The text that goes between the markers of ``name``."""
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (f"Written by `{command} --write-docs` on {platform.platform()} "
            f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}), "
            f"{when}, commit `{commit()}`:\n\n```text\n{output.rstrip()}\n```\n")


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i:
        raise SystemExit(f"{DOC}: no markers {start} ... {end}")
    return text[: i + len(start)] + "\n" + body + text[j:]


def write(name: str, command: str, output: str, doc: pathlib.Path = DOC) -> None:
    doc.write_text(replace_section(doc.read_text(), name, section(name, command, output)))
    print(f"wrote the {name} section of {doc}", file=sys.stderr)


def run(main, name: str):
    """Run ``main()``; with ``--write-docs``, put what it printed into ``docs/benchmarks.md``."""
    wanted = FLAG in sys.argv[1:]
    if not wanted:
        return main()
    sys.argv = [a for a in sys.argv if a != FLAG]
    command = " ".join(["python", f"scripts/{name}.py", *sys.argv[1:]])
    buf = io.StringIO()
    stdout = sys.stdout
    sys.stdout = _Tee(stdout, buf)
    try:
        rc = main()
    finally:
        sys.stdout = stdout
    if not rc:
        write(name, command, buf.getvalue())
    return rc
