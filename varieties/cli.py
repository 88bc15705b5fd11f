"""Command-line interface: ``varieties SUBCOMMAND ...``.

Each subcommand lives in its own module under :mod:`varieties.commands`
with ``register(subparsers)`` (adding its parser, with ``func`` set to its
runner). Bad input raises a :class:`varieties.errors.VarietiesError`; the CLI
prints its one-line message and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import VarietiesError

SUBCOMMANDS = ("constraints", "tying", "analyze", "neurovariety", "train", "sweep")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit status 2."""

    def error(self, message: str):  # noqa: D102
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="varieties",
        description="Exact algebraic-variety analysis of symmetric polynomial neural networks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except VarietiesError as exc:
        print(f"varieties: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # A path the user named cannot be read or written (--plot, --out, --data).
        name = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"varieties: error: cannot use{name}: {exc.strerror or exc}; "
              "check that the path exists and is writable", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
