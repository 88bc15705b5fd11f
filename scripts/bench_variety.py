#!/usr/bin/env python
"""Benchmark ``varieties.algebra.analyze``: the old default engine against the new one.

On the hard cases of the issue on settling dimensions (``3,a3,q1``,
``3,q2,q1``, ``3,q3,q1``, ``4,q2,q1``, ``4,a4,q1``, ``4,q4,q1`` invariant,
``3,q3,q1`` with ``constant-output`` excluded, ``2,q2,q2`` equivariant), run
``analyze`` with the old default engine (``sympy``) and the new one
(``auto``: the fastest installed, msolve then Singular then sympy), and print
the dimension or bounds, the function-space dimension or its bounds, the
engines used, the median seconds over ``--repeat`` runs, the status, and the
ratio of each time to the new default's on the same case (the baseline,
measured in the same run; ``--engines`` takes any of
``sympy,singular,msolve,auto``).

``--strategies`` then measures, on the hard slices, what makes them
tractable, each as a ratio to a baseline timed in the same run:

* **normal form of the output** (:mod:`varieties.algebra.normal_form`,
  the reparametrisation group sliced away) against V's own slices, both
  proving ``dim <= `` the families' lower bound;
* **variable choice**: which weights a slice eliminates (the default keeps
  the output layer's, the alternative the first layer's);
* **msolve threads**: ``-t 2`` against ``-t 1`` on the same slice;
* **saturation** (Singular's ``sat``) against the Rabinowitsch variable for
  an exclusion, on the same slice;
* **the rank-2 image by factorisation** (:mod:`varieties.algebra.factor_images`)
  against that stratum's image slices (``3,q2,q1`` under ``C_3``);
* **the quadratic hidden layer's normal form** (:mod:`varieties.algebra.hidden_normal_form`)
  against V's slice (``3,q3,q3`` equivariant, ``dim <= 36``) and V's image
  slice (``2,q2,q2`` equivariant, ``function_dim <= 9``);
* **the three-layer normal form** (:mod:`varieties.algebra.deep_normal_form`)
  against V's slice (``3,q2,q2,q1``, ``dim <= 33``), and its central rank-1
  stratum split by characters (``y1 o g = +-y1``, cubics) against the
  squared system (``y1^2`` invariant, sextics) at codimension 18 with
  ``constant-output`` excluded; its rank-1 images on the root ``P = y1(z)``
  (cubics, plus one dimension for ``c``) against those on ``P^2 + c``
  (``4,q1,q1,q1``, ``function_dim <= 6``);
* **msolve's pairs per matrix** (``-m``, :data:`varieties.algebra.engines.MSOLVE_MAX_PAIRS`):
  chunks of 500, 2000 (the default) and 5000 critical pairs against all of a
  degree at once, on ``3,q3,q1``'s central rank-3 image test at codimension 10;
* **reusing one slice for the next codimension**: the reduced basis of V's
  slice at codimension ``d`` with one more random affine form substituted,
  against a fresh slice at ``d + 1`` (and the slice at ``d`` itself, the
  price of the reuse where nothing else needs it).

Target: every case settled (dim lower = upper) in under 60 s with the default.

Usage: ``python scripts/bench_variety.py [--timeout 60] [--repeat 1]
[--engines sympy,auto] [--cases "3,q3,q1;3,q3,q1|constant-output"] [--strategies
[--strategy-timeout 30]]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/scripts/", 1)[0])

from varieties.algebra import analyze  # noqa: E402

# spec|exclusion|kind
CASES = ["3,a3,q1", "3,q2,q1", "3,q3,q1", "4,q2,q1", "4,a4,q1", "4,q4,q1",
         "3,q3,q1|constant-output", "2,q2,q2||equivariant"]


def _case(text: str):
    spec, _, rest = text.partition("|")
    excl, _, kind = rest.partition("|")
    return spec, tuple(e for e in excl.split(",") if e), kind or "invariant"


def _bounds(value, lo, hi) -> str:
    return str(value) if value is not None else f"{lo}..{hi}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--engines", default="sympy,auto")
    ap.add_argument("--cases", default=";".join(CASES))
    ap.add_argument("--strategies", action="store_true",
                    help="also time the strategies on the hard slices")
    ap.add_argument("--strategy-timeout", type=float, default=30.0,
                    help="seconds per strategy test (default 30)")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    # Warm-up: imports and caches are paid here, not by the first timed case.
    analyze("2,a1,q1", timeout=30, function_dim=False)
    header = (f"{'case':28} {'engine':8} {'used':16} {'dim':9} {'function dim':12} "
              f"{'median s':>9} {'x auto':>7} {'status':8}")
    print(header)
    print("-" * len(header))
    settled = 0
    for text in args.cases.split(";"):
        spec, excl, kind = _case(text)
        results = {}
        for eng in sorted(engines, key=lambda e: e != "auto"):
            times, rep = [], None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rep = analyze(spec, "symmetric", kind, engine=eng, exclude=excl,
                              timeout=args.timeout, census_points=0)
                times.append(time.perf_counter() - t0)
            results[eng] = (rep, statistics.median(times))
        base = results.get("auto", (None, None))[1]
        for eng in engines:
            rep, med = results[eng]
            ratio = f"{med / base:7.2f}" if base else f"{'-':>7}"
            label = f"{spec} {kind}" + (f" -{','.join(excl)}" if excl else "")
            fdim = _bounds(rep.function_dim, rep.function_dim_lower, rep.function_dim_upper)
            print(f"{label:28} {eng:8} {rep.engine:16} "
                  f"{_bounds(rep.dim, rep.dim_lower, rep.dim_upper):9} {fdim:12} "
                  f"{med:9.2f} {ratio} {rep.status:8}", flush=True)
            if eng == "auto" and rep.dim is not None:
                settled += 1
    n = len(args.cases.split(";"))
    print(f"\nsettled by the default (auto) within {args.timeout:g} s: {settled} of {n}")
    if args.strategies:
        strategies(args.strategy_timeout, args.repeat)
    return 0


# The hard slices: spec|exclusion, each at the codimension lower + 1 that settles it.
HARD = ["4,q4,q1", "4,q4,q1|constant-output", "4,q3,q1|constant-output",
        "5,q2,q1|constant-output", "3,q3,q1|constant-output"]


def _timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def _answer(empty) -> str:
    return {True: "empty", False: "nonempty", None: "timeout"}[empty]


def strategies(timeout: float, repeat: int) -> None:
    from varieties.algebra import engines
    from varieties.algebra.exclusions import exclusion_poly, excluded_at, rabinowitsch
    from varieties.algebra.families import families
    from varieties.algebra.normal_form import normal_form_bounds
    from varieties.algebra.slicing import slice_test
    from varieties.algebra.system import build_problem

    print(f"\nstrategies on the hard slices (timeout {timeout:g} s; ratio = baseline / strategy, "
          "'>=' where the baseline timed out)")
    head = (f"{'case':26} {'strategy':34} {'vars':>4} {'answer':14} {'median s':>9} "
            f"{'baseline s':>10} {'ratio':>7}")
    print(head)
    print("-" * len(head))

    base_timed_out = [False]

    def row(case, name, nv, answer, t, base):
        ge = ">=" if base_timed_out[0] else ""
        ratio = f"{ge + format(base / t, '.1f'):>7}" if t > 0 else f"{'-':>7}"
        print(f"{case:26} {name:34} {nv:4} {answer:14} {t:9.3f} {base:10.3f} {ratio}",
              flush=True)

    for text in HARD:
        spec, excl, kind = _case(text)
        ex = [exclusion_poly(spec, e, 0) for e in excl]
        low = max(f.dim_lower for f in families(spec, "symmetric", kind, timeout=timeout)
                  if f.dim_lower is not None
                  and not any(excluded_at(e, f.point, f.prime) for e in ex))
        pb = build_problem(spec, "symmetric", kind)
        for e in ex:
            rabinowitsch(pb, e)
        system = pb.system(engines.DEFAULT_PRIME)
        n_w = pb.n_weights
        v, tv = _timed(lambda: slice_test(system, low + 1, "msolve", 0, timeout,
                                          n_weights=n_w), repeat)
        nvars = n_w + len(pb.extra_vars) - (low + 1)
        label = spec + (" -" + ",".join(excl) if excl else "")
        base_timed_out[0] = False
        row(label, "V slice (baseline)", nvars, _answer(v.empty), tv, tv)
        base_timed_out[0] = v.empty is None
        nf, tn = _timed(lambda: normal_form_bounds(spec, "symmetric", kind, dim_lower=low,
                                                   exclude=excl, timeout=timeout,
                                                   function_dim=False), repeat)
        ok = "dim <= %d" % nf.dim_upper if nf.complete else "incomplete"
        row(label, f"normal form ({len(nf.strata)} strata)",
            max(s.n_unknowns for s in nf.strata), ok, tn, tv)
        # The other variable choice: eliminate the output layer's weights first.
        keep_first = list(range(0, low + 1))
        alt, ta = _timed(lambda: slice_test(system, low + 1, "msolve", 0, timeout,
                                            eliminate=keep_first, n_weights=n_w), repeat)
        row(label, "V slice, output weights eliminated", nvars, _answer(alt.empty), ta, tv)
        engines.MSOLVE_THREADS = 2
        try:
            t2, tt = _timed(lambda: slice_test(system, low + 1, "msolve", 0, timeout,
                                               n_weights=n_w), repeat)
        finally:
            engines.MSOLVE_THREADS = 1
        row(label, "V slice, msolve -t 2", nvars, _answer(t2.empty), tt, tv)
        if ex and engines.singular_binary():
            sat, ts = _timed(lambda: _saturation_test(pb, low + 1, timeout), repeat)
            row(label, "V slice, Singular sat (no t)", nvars - 1, _answer(sat), ts, tv)
    new_strategies(timeout, repeat, row, base_timed_out)


def new_strategies(timeout: float, repeat: int, row, base_timed_out) -> None:
    """The rank-2 image by factorisation and the quadratic hidden layer's normal form."""
    from varieties.algebra import engines
    from varieties.algebra.factor_images import rank2_image
    from varieties.algebra.function_bounds import image_slice
    from varieties.algebra.normal_form import normal_form_bounds
    from varieties.algebra.system import build_problem

    # 3,q2,q1 under C_3: the central rank-2 stratum's image, by its slices and exactly.
    spec, group = "3,q2,q1", "cyclic"
    nf, tv = _timed(lambda: normal_form_bounds(spec, group, function_lower=8, timeout=timeout,
                                               factorise=False), repeat)
    st = next(s for s in nf.strata if s.central and s.r == 2)
    label = f"{spec} {group} rank-2 image"
    base_timed_out[0] = False
    row(label, "stratum image slices (baseline)", st.n_unknowns + 1,
        f"in [{st.function_lower}, {st.function_upper}]", tv, tv)
    base_timed_out[0] = st.function_lower != st.function_upper
    im, tf = _timed(lambda: rank2_image(spec, group), repeat)
    row(label, f"factorisation ({im.types} types)", 0, f"= {im.value}", tf, tv)
    # 3,q3,q3 equivariant under S_3: dim <= 36 (the families), V's slice against the strata.
    spec, kind = "3,q3,q3", "equivariant"
    label = f"{spec} {kind} dim"
    pb, system, tv = _v_slice_baseline(spec, kind, 37, label, timeout, repeat, row,
                                       base_timed_out)

    hb, th = _timed(lambda: _hidden(spec, kind, pb, system, 36, None, timeout), repeat)
    row(label, f"hidden normal form ({len(hb.strata)} strata)",
        max(s.n_unknowns for s in hb.strata), f"dim <= {hb.dim_upper}", th, tv)
    # 2,q2,q2 equivariant: function_dim <= 9 (the families), V's image slice against the strata.
    spec = "2,q2,q2"
    pb = build_problem(spec, "symmetric", kind)
    system = pb.system(engines.DEFAULT_PRIME)
    t, tv = _timed(lambda: image_slice(pb, system, 10, engine=engines.resolve_engine(
        "auto", engines.DEFAULT_PRIME), timeout=timeout), repeat)
    label = f"{spec} {kind} function dim"
    base_timed_out[0] = False
    row(label, "V image slice (baseline)", pb.n_weights, _answer(t.empty), tv, tv)
    base_timed_out[0] = t.empty is None
    hb, th = _timed(lambda: _hidden(spec, kind, pb, system, 15, 9, timeout), repeat)
    row(label, f"hidden normal form ({len(hb.strata)} strata)",
        max(s.n_unknowns for s in hb.strata), f"fn dim <= {hb.function_upper}", th, tv)
    deep_strategies(timeout, repeat, row, base_timed_out)
    subspace_strategies(timeout, repeat, row, base_timed_out)
    root_strategies(timeout, repeat, row, base_timed_out)
    reuse_strategies(timeout, repeat, row, base_timed_out)
    pairs_strategies(timeout, repeat, row, base_timed_out)


def deep_strategies(timeout: float, repeat: int, row, base_timed_out) -> None:
    """The three-layer normal form against V's slice, and its rank-1 split by characters."""
    from varieties.algebra import deep_normal_form as dnf
    from varieties.algebra.slicing import slice_test

    # 3,q2,q2,q1 under S_3: dim <= 33 (the families), V's slice against the deep strata.
    spec = "3,q2,q2,q1"
    label = f"{spec} dim"
    _, _, tv = _v_slice_baseline(spec, "invariant", 34, label, timeout, repeat, row,
                                 base_timed_out)
    db, td = _timed(lambda: dnf.deep_normal_form_bounds(spec, "symmetric", dim_lower=33,
                                                        timeout=timeout, function_dim=False),
                    repeat)
    row(label, f"deep normal form ({len(db.strata)} strata)",
        max(s.n_unknowns for s in db.strata), f"dim <= {db.dim_upper}", td, tv)
    # Minus the constant output, the central rank-1 fibre at codimension 18:
    # y1^2 invariant (sextics) against y1 o g = +-y1 (cubics, one system per sign pattern).
    squared, nw = dnf.squared_rank_one_system(spec, "symmetric", exclude_constant=True)
    sq, ts = _timed(lambda: slice_test(squared, 18, "msolve", 0, timeout, n_weights=nw,
                                       in_child=True), repeat)
    label = f"{spec} -constant-output rank 1"
    base_timed_out[0] = False
    row(label, "y1^2 invariant (baseline)", nw + 1 - 18, _answer(sq.empty), ts, ts)
    base_timed_out[0] = sq.empty is None
    pieces = [st for st in dnf.strata(spec, "symmetric", exclude=("constant-output",))
              if st.central and st.r == 1]

    def split():
        return [slice_test(st.system, 18, "msolve", 0, timeout, n_weights=st.n_unknowns,
                           in_child=True).empty for st in pieces]

    answers, tc = _timed(split, repeat)
    answer = ("nonempty" if False in answers else
              "timeout" if None in answers else "empty")
    row(label, f"y1 o g = +-y1 ({len(pieces)} sign patterns)", nw + 1 - 18, answer, tc, ts)


def subspace_strategies(timeout: float, repeat: int, row, base_timed_out) -> None:
    """Image slices of the output's strata: fibre equations + dense forms against subspaces of Inv."""
    import random

    from varieties.algebra import engines
    from varieties.algebra.normal_form import (_generic_rank, _orthogonal_cut, _slice_test,
                                               image_test_system, strata)

    engine = engines.resolve_engine("auto", engines.DEFAULT_PRIME)
    # 4,q3,q1 parabolic rank 2 at codim 6 (fn dim <= 9 there) and 3,q3,q1 central
    # rank 3 at codim 10 (fn dim <= 9: with the other strata, the row's function dim).
    for spec, prefix, c in (("4,q3,q1", "parabolic rank 2", 6), ("3,q3,q1", "central rank 3", 10)):
        st = next(s for s in strata(spec, "symmetric") if s.name.startswith(prefix))
        p = st.system.characteristic
        nw = st.n_unknowns + (1 if st.central else 0)
        e = nw - _generic_rank(st.image, nw, p, random.Random(0))
        cut = _orthogonal_cut(st, e, p, random.Random(1))
        label = f"{spec} {prefix} image"
        for par in (False, True):
            what, system, codim, n_w, extra = image_test_system(
                st, c, e, cut, p, random.Random(2), parametrise=par)
            (empty, _), t = _timed(lambda: _slice_test(system, codim, n_w, engine, 0, timeout,
                                                       extra), repeat)
            if not par:
                base_timed_out[0] = False
                row(label, "equations + dense forms (baseline)", system.nvars - codim,
                    _answer(empty), t, t)
                base_timed_out[0], tv = empty is None, t
            else:
                row(label, "parametrised subspace of Inv", system.nvars, _answer(empty), t, tv)


def pairs_strategies(timeout: float, repeat: int, row, base_timed_out) -> None:
    """msolve's pairs per F4 matrix (``-m``): all of a degree at once against chunks."""
    import random

    from varieties.algebra import engines
    from varieties.algebra.normal_form import (_generic_rank, _orthogonal_cut, _slice_test,
                                               image_test_system, strata)

    if not engines.msolve_binary():
        return
    # 3,q3,q1 central rank 3 at codim 10: the test that settles the row's function dim 9.
    st = next(s for s in strata("3,q3,q1", "symmetric") if s.name.startswith("central rank 3"))
    p = st.system.characteristic
    nw = st.n_unknowns + 1
    e = nw - _generic_rank(st.image, nw, p, random.Random(0))
    cut = _orthogonal_cut(st, e, p, random.Random(1))
    what, system, codim, n_w, extra = image_test_system(st, 10, e, cut, p, random.Random(2))
    label = "3,q3,q1 central rank 3 image"
    default, tv = engines.MSOLVE_MAX_PAIRS, None
    try:
        for m in (0, 500, default, 5000):
            engines.MSOLVE_MAX_PAIRS = m
            (empty, _), t = _timed(lambda: _slice_test(system, codim, n_w, "msolve", 0, timeout,
                                                       extra), repeat)
            name = f"msolve -m {m}" + (" (default)" if m == default else "")
            if m == 0:
                base_timed_out[0] = False
                row(label, "msolve, all pairs (baseline)", system.nvars, _answer(empty), t, t)
                base_timed_out[0], tv = empty is None, t
            else:
                row(label, name, system.nvars, _answer(empty), t, tv)
    finally:
        engines.MSOLVE_MAX_PAIRS = default


def root_strategies(timeout: float, repeat: int, row, base_timed_out) -> None:
    """The three-layer split rank-1 image: slices on ``P^2 + c`` against slices on ``P``."""
    import random

    from varieties.algebra import engines
    from varieties.algebra.deep_normal_form import strata
    from varieties.algebra.normal_form import _generic_rank, _slice_test, image_test_system

    engine = engines.resolve_engine("auto", engines.DEFAULT_PRIME)
    # 4,q1,q1,q1 under S_4, the trivial character's piece: fn dim <= 6 is the
    # codimension-7 test (P's own codimension 6, plus one for c).
    spec, label = "4,q1,q1,q1", "4,q1,q1,q1 rank-1 (+) image"
    for root in (False, True):
        st = next(s for s in strata(spec, "symmetric", root_image=root)
                  if s.central and s.r == 1)
        p = st.system.characteristic
        nw = st.n_unknowns + 1
        e = nw - _generic_rank(st.image, nw, p, random.Random(0))
        what, system, codim, n_w, extra = image_test_system(
            st, 7 - st.image_extra, e, [], p, random.Random(2))
        (empty, _), t = _timed(lambda: _slice_test(system, codim, n_w, engine, 0, timeout,
                                                   extra), repeat)
        if not root:
            base_timed_out[0] = False
            row(label, "slices on P^2 + c (baseline)", system.nvars - codim, _answer(empty), t, t)
            base_timed_out[0], tv = empty is None, t
        else:
            row(label, "slices on P (root), + 1 for c", system.nvars - codim, _answer(empty), t,
                tv)


def _one_more_form(basis, sl, n_kept_weights: int, p: int, seed: int):
    """The slice's basis with its last kept weight replaced by a random affine form in the others."""
    from varieties.algebra.engines import System
    from varieties.algebra.slicing import slice_system

    return slice_system(System(sl.variables, basis, p), 1, seed,
                        eliminate=[n_kept_weights - 1], n_weights=n_kept_weights)


def reuse_strategies(timeout: float, repeat: int, row, base_timed_out) -> None:
    """One slice reused for the next codimension: its basis plus one random form, against a fresh slice."""
    from varieties.algebra import engines
    from varieties.algebra.slicing import slice_system
    from varieties.algebra.system import build_problem

    engine = engines.resolve_engine("auto", engines.DEFAULT_PRIME)
    for spec, d in (("3,q3,q1", 31), ("4,q2,q1", 31)):
        pb = build_problem(spec, "symmetric", "invariant")
        system = pb.system(engines.DEFAULT_PRIME)
        p = system.characteristic
        label = f"{spec} V slice {d} -> {d + 1}"
        fresh, tf = _timed(lambda: engines.run_groebner(
            slice_system(system, d + 1, 0, n_weights=pb.n_weights), engine, timeout), repeat)
        base_timed_out[0] = False
        row(label, f"fresh slice at {d + 1} (baseline)", pb.n_weights - d - 1,
            _answer(fresh.is_unit if fresh.ok else None), tf, tf)
        base_timed_out[0] = not fresh.ok
        sl = slice_system(system, d, 0, n_weights=pb.n_weights)
        prev, tp = _timed(lambda: engines.run_groebner(sl, engine, timeout), repeat)
        row(label, f"the slice at {d} itself", sl.nvars,
            _answer(prev.is_unit if prev.ok else None), tp, tf)
        if not prev.ok or prev.is_unit:
            continue
        nxt = _one_more_form(prev.basis, sl, pb.n_weights - d, p, 5)
        res, tr = _timed(lambda: engines.run_groebner(nxt, engine, timeout), repeat)
        row(label, f"its basis + 1 form (reuse)", nxt.nvars,
            _answer(res.is_unit if res.ok else None), tr, tf)


def _v_slice_baseline(spec, kind, codim, label, timeout, repeat, row, base_timed_out):
    """Time V's own slice of ``codim`` (S_n) as a baseline row; ``(problem, system, seconds)``."""
    from varieties.algebra import engines
    from varieties.algebra.slicing import slice_test
    from varieties.algebra.system import build_problem

    pb = build_problem(spec, "symmetric", kind)
    system = pb.system(engines.DEFAULT_PRIME)
    v, tv = _timed(lambda: slice_test(system, codim, "msolve", 0, timeout,
                                      n_weights=pb.n_weights), repeat)
    base_timed_out[0] = False
    row(label, "V slice (baseline)", pb.n_weights - codim, _answer(v.empty), tv, tv)
    base_timed_out[0] = v.empty is None
    return pb, system, tv


def _hidden(spec, kind, pb, system, dim_lower, function_lower, timeout):
    """The hidden normal form's bounds of ``spec`` (S_n): dims, then functions if a target is given."""
    from varieties.algebra.hidden_normal_form import prepare, search_dims, search_functions
    from varieties.network import parse_spec

    hb = prepare(parse_spec(spec), "symmetric", kind, system)
    search_dims(hb, dim_lower, stop=time.perf_counter() + timeout)
    if function_lower is not None:
        search_functions(hb, pb, function_lower, stop=time.perf_counter() + timeout)
    return hb


def _saturation_test(pb, codim, timeout):
    """The slice of V (no Rabinowitsch variable) saturated by the exclusion's ``g`` in Singular."""
    import os
    import tempfile

    from varieties.algebra.engines import (DEFAULT_PRIME, System, poly_to_text,
                                           run_singular_script)
    from varieties.algebra.slicing import slice_system

    full = pb.system(DEFAULT_PRIME)
    n_w = pb.n_weights
    sl = slice_system(full, codim, 0, n_weights=n_w)
    # The last variable of the slice is t; the t*g - 1 relation is the last polynomial.
    names = list(sl.variables)
    t = names.index(pb.extra_vars[-1])
    rel = sl.polys[-1]
    g = {m[:t] + m[t + 1:]: c for m, c in rel.items() if m[t] == 1}
    polys = [{m[:t] + m[t + 1:]: c for m, c in f.items()} for f in sl.polys[:-1]]
    sub = System(tuple(names[:t] + names[t + 1:]), polys, DEFAULT_PRIME)
    var = [f"x({i + 1})" for i in range(sub.nvars)]
    ideal = ",".join(poly_to_text(f, var) for f in sub.polys) or "0"
    with tempfile.TemporaryDirectory() as d:
        outfile = os.path.join(d, "out.txt")
        # sat returns a list (ideal, exponent) in older Singular, an ideal in newer.
        script = (f"LIB \"elim.lib\";\nring r = {DEFAULT_PRIME}, (x(1..{sub.nvars})), dp;\n"
                  f"ideal I = {ideal};\npoly g = {poly_to_text(g, var)};\n"
                  "def S = sat(I, ideal(g));\nideal J;\n"
                  "if (typeof(S) == \"list\") { J = S[1]; } else { J = S; }\nJ = std(J);\n"
                  f"write(\":w {outfile}\", string(dim(J)) + \" \" + string(size(J)));\n"
                  "quit;\n")
        status, text, _secs = run_singular_script(script, outfile, timeout)
    if status != "ok" or not text.strip():
        return None
    dim, size = text.split()[:2]
    return int(dim) == -1


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    sys.exit(_benchdoc.run(main, "bench_variety"))
