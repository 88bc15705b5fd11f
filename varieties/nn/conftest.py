"""Doctest collection of varieties.nn: every module imports torch, an optional extra."""

try:
    import torch  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    collect_ignore_glob = ["*.py"]
