"""Shared test helpers: independent constructions that the library's answers are checked against."""

from __future__ import annotations

import random
from fractions import Fraction

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from varieties.network import NetworkSpec

# Hypothesis: no per-example deadline anywhere (a loaded 2-core machine is no
# reason to fail), and in CI (CI=true) derandomised, so that a failure there is
# reproduced by rerunning the same commit; elsewhere random, with the blob that
# reproduces a failure printed. HYPOTHESIS_PROFILE overrides the choice.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE",
                                     "ci" if os.environ.get("CI") else "dev"))

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

# For the learning tests: torch is an optional extra, CUDA a GPU few machines have.
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
needs_cuda = pytest.mark.skipif(torch is None or not torch.cuda.is_available(),
                                reason="no CUDA device")


def random_batch(spec: NetworkSpec, seed: int = 0, batch: int = 5):
    """``(w, X, y)``: uniform weights and inputs in [-1, 1], normal targets (float64)."""
    gen = np.random.default_rng(seed)
    w = gen.uniform(-1, 1, len(spec.weights))
    X = gen.uniform(-1, 1, (batch, spec.n_inputs))
    y = gen.normal(size=(batch, spec.n_outputs))
    return w, X, y


def random_fraction(rng: random.Random, span: int = 9) -> Fraction:
    return Fraction(rng.randint(-span, span), rng.randint(1, 5))


def random_weights(spec: NetworkSpec, rng: random.Random) -> dict[str, Fraction]:
    return {w: random_fraction(rng) for w in spec.weights}


def reynolds_weights(spec: NetworkSpec, elements, kinds, rng: random.Random) -> dict[str, Fraction]:
    """Layer-wise group-averaged random weights (the Reynolds operator), by brute force.

    ``kinds[l-1]`` says how the group acts on layer ``l``'s outputs: ``"perm"``
    (like the inputs), ``"fixed"``, or ``"fold"`` (output ``k`` -> ``g[k] mod width``); a layer's inputs carry the previous
    layer's action (the network inputs: ``"perm"``). Averaging
    ``w_{k,i,j} -> w_{g k, g i, g j}`` over all group elements gives weights
    that are equivariant layer by layer, independently of any constraint code.
    """
    raw = random_weights(spec, rng)
    out: dict[str, Fraction] = {}
    order = len(elements)
    in_kind = "perm"
    for l, layer in enumerate(spec.layers, start=1):
        out_kind = kinds[l - 1]
        for w in spec.layer_weights(l):
            acc = Fraction(0)
            for g in elements:
                k = {"perm": g[w.k], "fold": g[w.k] % layer.width}.get(out_kind, w.k)
                i = None if w.i is None else (g[w.i] if in_kind == "perm" else w.i)
                j = None if w.j is None else (g[w.j] if in_kind == "perm" else w.j)
                if w.part == "A":
                    if not spec.full and i > j:
                        i, j = j, i
                    name = f"A{l}_{k}_{i}_{j}"
                elif w.part == "B":
                    name = f"B{l}_{k}_{i}"
                else:
                    name = f"C{l}_{k}"
                acc += raw[name]
            out[w.name] = acc / order
        in_kind = out_kind
    return out


def act_on_input(g, x):
    """``(g.x)_i = x_{g^{-1}(i)}``: coordinate ``i`` moves to position ``g[i]``."""
    y = [None] * len(x)
    for i, gi in enumerate(g):
        y[gi] = x[i]
    return y


SYMMETRY_GROUPS = ("symmetric", "cyclic", "dihedral", "hyperoctahedral", "trivial")


def small_cases(ns=range(2, 7), layers="qsla"):
    """(spec, group, kind) for every layer kind, group and output kind at n in ns."""
    for n in ns:
        for layer in layers:
            for group in SYMMETRY_GROUPS:
                if group == "hyperoctahedral" and n % 2:
                    continue
                kinds = ["invariant", "equivariant"] + (["folded"] if group == "hyperoctahedral" else [])
                for kind in kinds:
                    width = {"invariant": 1, "equivariant": n, "folded": n // 2}[kind]
                    yield f"{n},{layer}{width}", group, kind


@pytest.fixture
def rng():
    return random.Random(12345)


def family_lower(spec, group, exclude=()) -> int:
    """The best exact family outside the excluded loci (a rigorous lower bound on dim V)."""
    from varieties.algebra.exclusions import excluded_at, exclusion_poly
    from varieties.algebra.families import families
    from varieties.algebra.system import build_problem

    ex = [exclusion_poly(spec, e, 0) for e in exclude]
    polys = build_problem(spec, group, "invariant").polys()   # members of V only
    return max(f.dim_lower for f in families(spec, group, "invariant", polys=polys, timeout=60)
               if f.dim_lower is not None and not any(excluded_at(e, f.point, f.prime)
                                                      for e in ex))


def v_slices(spec, group, lower, exclude=()):
    """Bounds on dim V from random slices of V itself (cubics in all the weights)."""
    from varieties.algebra.exclusions import exclusion_poly, rabinowitsch
    from varieties.algebra.slicing import slice_bounds
    from varieties.algebra.system import build_problem

    pb = build_problem(spec, group, "invariant")
    for e in exclude:
        rabinowitsch(pb, exclusion_poly(pb.spec, e, 0))
    return slice_bounds(pb.system(32003), lower=lower, timeout=60, n_weights=pb.n_weights)
