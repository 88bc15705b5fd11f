"""``analyze``: the dimension of the variety of symmetric weights, with certificates.

Strategy (plain Groebner bases explode on these ideals):

1. **Exact families** inside ``V`` (:mod:`.families`) give rigorous lower
   bounds in milliseconds.
2. **Random slices** over ``GF(p)`` (:mod:`.slicing`): one empty slice of
   codimension ``lower + 1`` settles the dimension when a family attains it;
   otherwise bisection between the bounds.
3. A **full Groebner basis** (:mod:`.groebner`) when asked for, or by ``auto``
   for small systems, gives the dimension over ``QQ`` outright.
4. Optional **components** (Singular ``minAssGTZ`` on a slice) and a numerical
   **census** when the bounds do not meet.

Exclusions (:mod:`.exclusions`) are added by the Rabinowitsch trick.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Sequence

from ..errors import MethodError
from .engines import DEFAULT_PRIME, System, check_engine
from .report import VarietyReport

METHODS = ("auto", "groebner", "slice", "census")


def analyze(spec, group="symmetric", kind: str = "invariant", engine: str = "sympy",
            method: str = "auto", exclude: Sequence[str] = (), timeout: float = 60.0,
            seed: int = 0, full: bool = False, prime: int = DEFAULT_PRIME,
            components: bool = False, census_points: int | None = None,
            function_dim: bool = True) -> VarietyReport:
    """Dimension (or certified bounds), components, census and function-space dimension.

    Parameters
    ----------
    spec : str or NetworkSpec
        E.g. ``"2,q2,q1"``.
    group, kind : as in :func:`varieties.constraints.constraints`
    engine : {"sympy", "singular", "msolve"}
        Groebner engine for bases and slices (``msolve`` works over ``GF(p)``).
    method : {"auto", "groebner", "slice", "census"}
        ``auto`` uses families plus slices (and a full basis for tiny systems)
        and says in ``report.method`` what it used.
    exclude : list of str
        ``constant-output``, ``dead-unit``, or comma-separated weight names.
    timeout : float
        Total time budget in seconds; every engine call is killed at it.
    seed : int
        Seeds the slices, families, exclusions and census.
    full : bool
        The notes' full indexing.
    prime : int
        Prime for modular computations (slices, components).
    components : bool
        Also compute the top-dimensional components (Singular, on a slice).
    census_points : int, optional
        Number of census points (default: 40 with method ``census``, 0 else,
        20 when ``auto`` leaves a gap).
    function_dim : bool
        Compute the function-space dimension on the exact families.

    Examples
    --------
    >>> r = analyze("2,l1", timeout=30)
    >>> r.dim, r.status
    (1, 'ok')
    """
    from . import exclusions as ex
    from .families import families as get_families
    from .slicing import slice_bounds
    from .system import build_problem

    if method not in METHODS:
        raise MethodError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    try:
        timeout = float(timeout)
    except (TypeError, ValueError):
        timeout = float("nan")
    if not timeout > 0:
        raise MethodError(f"timeout {timeout!r} is invalid; give a time limit in seconds > 0")
    start = time.perf_counter()
    deadline = start + float(timeout)
    problem = build_problem(spec, group, kind, full)
    exclusion_objs = [ex.exclusion_poly(problem.spec, e, seed) for e in exclude]
    for e in exclusion_objs:
        ex.rabinowitsch(problem, e)
    N = problem.n_weights
    modular_engine = engine
    check_engine(engine, prime)
    rep = VarietyReport(spec=str(problem.spec), group=problem.group, kind=kind, n_weights=N,
                        n_constraints=len(problem.cs), engine=engine, method=method,
                        exclusions=[e.name for e in exclusion_objs])
    certs: list[str] = []
    lower, upper = 0, N
    lower_cert = "dim >= 0: the zero network is symmetric (V is nonempty)"
    upper_cert = f"dim <= {N}: number of weights"

    # 1. Exact families: rigorous lower bounds.
    fams = get_families(problem.spec, group, kind, problem.cs.polys, seed)
    best = None
    for f in fams:
        if not f.matrix:
            rep.families.append({"name": f.name, "note": f.note})
            continue
        excluded = any(ex.excluded_at(e, f.point, f.prime) for e in exclusion_objs)
        rep.families.append({"name": f.name, "params": f.n_params, "dim_lower": f.dim_lower,
                             "excluded": excluded})
        if not excluded and f.dim_lower is not None and f.dim_lower > lower:
            lower, best = f.dim_lower, f
            lower_cert = f"dim >= {lower}: " + f.certificate()
    if not problem.cs.constraints and not exclusion_objs:
        lower, lower_cert = N, f"dim = {N}: there are no constraints"

    used = []
    status, message = "ok", ""

    def settle():
        return lower >= upper

    # 2. Full Groebner basis (asked for, or tiny systems under auto).
    if not settle() and (method == "groebner" or (method == "auto" and N <= 8)):
        from .groebner import groebner

        char = prime if engine == "msolve" else 0
        budget = max(0.1, deadline - time.perf_counter())
        if method == "auto":
            budget = min(budget, max(1.0, timeout / 4))
        g = groebner(problem.system(char), engine, budget)
        rep.steps.append({"what": "groebner", "status": g.status, "seconds": round(g.seconds, 3),
                          "characteristic": char})
        used.append("groebner")
        if g.status == "ok":
            field_ = f"GF({prime}) (modular)" if char else "QQ (exact)"
            lower = upper = g.dim
            lower_cert = (f"dim = {g.dim}: reduced grevlex Groebner basis over {field_} by "
                          f"{engine}, {len(g.basis)} elements")
            upper_cert = ""
            rep.basis_size, rep.degree = len(g.basis), g.degree
        elif method == "groebner":
            status, message = g.status, g.message

    # 3. Slices over GF(p).
    if not settle() and method in ("auto", "slice"):
        system = problem.system(prime)
        sb = slice_bounds(system, lower, upper, modular_engine, seed,
                          timeout=max(0.1, deadline - time.perf_counter()), deadline=deadline,
                          n_weights=N)
        used.append("slice")
        for t in sb.tests:
            rep.steps.append({"what": "slice", "codim": t.codim, "engine": t.engine,
                              "status": t.status, "empty": t.empty,
                              "seconds": round(t.seconds, 3), "prime": t.prime, "seed": t.seed})
        for t in sb.tests:
            if t.empty and t.codim - 1 < upper:
                upper = t.codim - 1
                upper_cert = (f"dim <= {upper}: " + t.certificate()
                              + " (modular, probabilistic)")
            if t.empty is False and t.codim > lower:
                lower = t.codim
                lower_cert = (f"dim >= {lower}: " + t.certificate()
                              + " (modular, probabilistic)")
        if any(t.status != "ok" for t in sb.tests):
            status = "timeout" if any(t.status == "timeout" for t in sb.tests) else "error"
            bad = [t for t in sb.tests if t.status != "ok"]
            message = f"slice of codim {bad[0].codim}: {bad[0].status}"

    # 4. Census (numerical) when asked, or when auto leaves a gap.
    n_census = census_points
    if n_census is None:
        n_census = 40 if method == "census" else (20 if method == "auto" and not settle() else 0)
    if method == "census":
        used.append("census")
    if n_census and time.perf_counter() < deadline:
        from .census import census

        base = problem.system(0)
        # The census runs on V itself: the Rabinowitsch variable t is unbounded
        # near the excluded locus and would wreck the conditioning.
        polys = [{m[:N]: v for m, v in f.items()} for f in base.polys[:len(problem.cs)]]
        keep = None
        if exclusion_objs:
            # A landing point is kept when every exclusion polynomial is clearly
            # nonzero there: |g(w)| / sum|coefficients of g| > 1e-6 * (1 + max|w|)^deg g,
            # float64.
            evs = [_float_poly(e.poly, problem) for e in exclusion_objs]

            def keep(w):
                scale = 1.0 + float(abs(w).max())
                return all(abs(f(w)) > 1e-6 * scale ** d for f, d in evs)

        fmap = _tangent_function_dim(problem)
        c = census(System(tuple(problem.order), polys, 0), n_points=n_census, seed=seed,
                   keep=keep, deadline=deadline, function_map=fmap)
        data = c.to_dict()
        data["upper_bound"] = upper
        data["consistent"] = c.max_dim is None or c.max_dim <= upper
        data["note"] = ("numerical tangent-space dimension N - rank J; exceeds the true local "
                        "dimension at singular points; function_dims: largest rank of "
                        "J_F restricted to the tangent space, per local dimension")
        if exclusion_objs:
            data["note"] += ("; points in the excluded loci dropped (|g| <= 1e-6, relative to "
                             "g's coefficients and the point's size), counted as not converged")
        rep.census = data
        if "census" not in used:
            used.append("census")

    # 5. Components of top dimension (Singular on a slice of codim = dim).
    if components and status == "ok":
        from .components import minimal_primes

        c_codim = max(lower - 1, 0)  # curves: over GF(p) a 0-dim slice splits into Galois orbits
        # Leave a little time for the (fast) function-space dimension.
        budget = max(0.1, deadline - time.perf_counter() - 2.0)
        cr = minimal_primes(problem.system(prime), budget, c_codim, seed, n_weights=N)
        rep.steps.append({"what": "components", "codim": c_codim, "status": cr.status,
                          "seconds": round(cr.seconds, 3)})
        if cr.status == "ok":
            rep.components = [c.to_dict() for c in cr.components]
            certs.append("components: " + cr.certificate())
        else:
            message = (message + "; " if message else "") + (
                f"components (minAssGTZ on a slice of codim {c_codim}): {cr.status}")

    # 6. Function-space dimension on the best non-excluded family.
    if function_dim and fams:
        from .function_dim import function_dim as fdim

        cands = [f for f in fams if f.matrix and not any(
            ex.excluded_at(e, f.point, f.prime) for e in exclusion_objs)]
        vals = []
        for f in cands:
            if time.perf_counter() > deadline:
                break
            vals.append((fdim(problem.spec, subspace=f.matrix, seed=seed), f.name))
        if vals:
            v, name = max(vals)
            rep.function_dim = v
            certs.append(f"function_dim {v}: Jacobian rank of w -> x-coefficients on family "
                         f"'{name}', mod two primes (a lower bound for functions in V)")

    rep.dim_lower, rep.dim_upper = lower, upper
    rep.dim = lower if lower == upper else None
    rep.certificate = "; ".join([c for c in (lower_cert, upper_cert) if c] + certs)
    rep.method = "+".join(["families"] + used) if method == "auto" else method
    if status == "ok" and rep.dim is None and time.perf_counter() > deadline:
        status = "timeout"
        message = (message + "; " if message else "") + "time limit reached before the bounds met"
    rep.status, rep.message = status, message
    if exclusion_objs:
        rep.message = (rep.message + "; " if rep.message else "") + (
            "bounds are for V minus the excluded loci (Rabinowitsch)")
    rep.seconds = time.perf_counter() - start
    return rep


def _float_poly(poly, problem):
    """``(f, degree)``: ``f(w)`` is ``poly(w)`` over the sum of ``|coefficients|`` (problem's order)."""
    from ..polyeval import compile_polys

    names = [str(g) for g in poly.ring.gens]
    pos = [names.index(n) for n in problem.order]
    terms = {tuple(m[i] for i in pos): Fraction(int(v.numerator), int(v.denominator))
             for m, v in poly.items()}
    ev = compile_polys([terms], len(problem.order))
    deg = max((sum(m) for m in terms), default=0)
    # Divide by the coefficients' 1-norm: the exclusion's random coefficients
    # (up to 2^31) must not decide whether a value counts as zero.
    norm = float(sum(abs(v) for v in terms.values())) or 1.0
    return (lambda w: float(ev.values(w)[0]) / norm), deg


def _tangent_function_dim(problem, rank_tol: float = 1e-8):
    """``f(w, ev)``: rank of (Jacobian of w -> x-coefficients) on the tangent space of V at w.

    Numerical (float64): the tangent space is the null space of the constraint
    Jacobian (singular values below ``rank_tol * max`` count as zero), and the
    rank of ``J_F K`` uses the same relative tolerance.
    """
    import numpy as np

    from ..polyeval import compile_polys

    e = problem.cs.expansion
    pos = [list(e.weights).index(n) for n in problem.order]
    polys = []
    for out in e.coeffs:
        for m, c in out.items():
            if any(m):
                sp = e.to_sympy(c)
                polys.append({tuple(mm[i] for i in pos): Fraction(int(v.numerator), int(v.denominator))
                              for mm, v in sp.items()})
    fev = compile_polys(polys, len(problem.order))

    def f(w, ev):
        J = ev.jacobian(w)
        if J.size:
            _, sv, vt = np.linalg.svd(J)
            r = int((sv > rank_tol * max(sv.max(), 1e-300)).sum())
            K = vt[r:].T
        else:
            K = np.eye(len(w))
        JF = fev.jacobian(w) @ K
        if JF.size == 0:
            return 0
        s = np.linalg.svd(JF, compute_uv=False)
        return int((s > rank_tol * max(s.max(), 1e-300)).sum())

    return f
