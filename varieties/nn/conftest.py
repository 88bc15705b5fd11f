"""Doctest collection of varieties.nn: every module imports torch, an optional extra."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("torch") else ["*.py"]
