"""``analyze``: the dimension of the variety of symmetric weights, with certificates.

Strategy (plain Groebner bases explode on these ideals):

1. **Exact families** inside ``V`` (:mod:`.families`) give rigorous lower
   bounds in milliseconds.
2. **Random slices** over ``GF(p)`` (:mod:`.slicing`): one empty slice of
   codimension ``lower + 1`` settles the dimension when a family attains it;
   otherwise bisection between the bounds. Modular and probabilistic.
3. A **full Groebner basis** (:mod:`.groebner`) when asked for, or by ``auto``
   for small systems, gives the dimension over ``QQ`` outright.
4. Optional **components** (Singular ``minAssGTZ`` on a slice, mod ``p``: the
   GF(p)-irreducible components) and a numerical **census** when the bounds
   do not meet.

Exclusions (:mod:`.exclusions`) are added by the Rabinowitsch trick; the
degree and components are then computed after eliminating ``t``.

How sure each answer is goes into :attr:`VarietyReport.certainty`
(``exact``, ``probabilistic`` or ``modular``; see :class:`VarietyReport`).
"""

from __future__ import annotations

import time
from typing import Sequence

from .._deprecate import deprecated_call
from ..actions import resolve_kind
from ..errors import MethodError
from ..groups import get_group
from ..network import parse_spec
from ..timelimit import check_timeout, time_left
from .engines import (DEFAULT_ENGINE, DEFAULT_PRIME, MAX_PRIME, System, TimeLimit,
                      check_deadline, check_engine, check_prime, resolve_engine)
from .variety_report import CERTAINTIES, VarietyReport

METHODS = ("auto", "groebner", "slice", "census")
# Seconds of analyze's total budget when none is given (the command line reads it too).
DEFAULT_TIMEOUT = 60.0
#: Seconds the output's normal-form images leave to the function bounds that
#: follow them (the neurovariety's rank and V's image slices, which take
#: milliseconds where the strata did not settle).
NF_RESERVE = 3.0

# How sure a bound is, weakest last: the report's certainty is the weakest
# of its two bounds.
_RANK = {c: i for i, c in enumerate(CERTAINTIES)}


@deprecated_call(positional=("engine", "method", "exclude", "timeout", "seed", "full", "prime",
                             "components", "census_points", "function_dim", "progress"))
def analyze(spec, group="symmetric", kind: str | None = None, *, engine: str = DEFAULT_ENGINE,
            method: str = "auto", exclude: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT,
            seed: int = 0, full: bool = False, prime: int = DEFAULT_PRIME,
            components: bool = False, census_points: int | None = None,
            function_dim: bool = True, progress: bool = False) -> VarietyReport:
    """Dimension (or certified bounds), components, census and function-space dimension.

    Parameters
    ----------
    spec : str or NetworkSpec
        E.g. ``"2,q2,q1"``.
    group, kind : as in :func:`varieties.constraints.constraints`
        ``kind`` defaults to :func:`~varieties.actions.default_kind`
        (invariant for one output, equivariant for ``n``).
    engine : {"auto", "sympy", "singular", "msolve"}
        Groebner engine for bases and slices (``msolve`` works over ``GF(p)``).
        ``auto`` (the default) takes for each computation the fastest one
        installed that can do it: msolve, else Singular, else sympy over
        ``GF(p)`` (slices); Singular, else sympy over ``QQ`` (exact bases).
        ``report.engine`` names the engine(s) used, ``+``-joined.
    method : {"auto", "groebner", "slice", "census"}
        ``auto`` uses families plus slices (and a full basis for tiny systems)
        and says in ``report.method`` what it used.
    exclude : list of str
        ``constant-output``, ``dead-unit``, or comma-separated weight names.
    timeout : float
        Total time budget in seconds. In this in-process API only the engine
        calls (killed at their limit) and the phase boundaries are limited:
        the deadline is checked before each phase (constraints, exclusions,
        families, Groebner basis, slices, census, components, function-space
        dimension) and inside every phase (between the polynomial products of
        the expansion, the coefficients compared for the constraints,
        families, census points and Jacobian rows), and a phase that passes
        it ends the analysis with status ``timeout`` and what was done (the
        trivial bounds when it was the constraints). One polynomial product
        or conversion can still run past the deadline; the command line
        (``varieties analyze --timeout``) runs the analysis in a child process
        and kills it, so there the limit is hard.
    seed : int
        Seeds the slices, families, exclusions and census.
    full : bool
        The notes' full indexing.
    prime : int
        Prime for modular computations (slices, components, msolve), with
        ``2^10 < prime < 2^31``.
    components : bool
        Also compute the top-dimensional components (Singular, on a slice,
        mod ``prime``: GF(p)-irreducible components), cross-checked with a
        second prime when time allows.
    census_points : int, optional
        Number of census points, ``>= 0`` (default: 40 with method ``census``,
        0 else, 20 when ``auto`` leaves a gap).
    function_dim : bool
        Compute the function-space dimension on the exact families.
    progress : bool
        Show progress bars of building the constraints (the expansion and the
        comparison) on standard error, when it is a terminal.

    Examples
    --------
    >>> r = analyze("2,l1", timeout=30)
    >>> r.dim, r.status, r.certainty
    (1, 'ok', 'exact')
    """
    if method not in METHODS:
        raise MethodError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    timeout = check_timeout(timeout, "timeout", MethodError)
    if census_points is not None and (isinstance(census_points, bool)
                                      or not isinstance(census_points, int)
                                      or census_points < 0):
        raise MethodError(f"census_points {census_points!r} is invalid; give a number of "
                          "points >= 0 (or None for the default)")
    prime = check_prime(prime)
    if engine != "auto":
        check_engine(engine, prime)
    kind = resolve_kind(kind, spec)
    start = time.perf_counter()
    run = _Analysis(spec, group, kind, engine, method, tuple(exclude), timeout, seed, full,
                    prime, components, census_points, function_dim, start, progress)
    try:
        run.go()
    except TimeLimit:
        run.stopped = ("during " if run.started else "before ") + run.phase
    return run.finish()


class _Analysis:
    """One run of :func:`analyze`: the phases, and the state they share."""

    def __init__(self, spec, group, kind, engine, method, exclude, timeout, seed, full, prime,
                 components, census_points, function_dim, start, progress=False):
        self.spec, self.group, self.kind, self.engine = spec, group, kind, engine
        self.method, self.exclude, self.timeout, self.seed = method, exclude, timeout, seed
        self.full, self.prime, self.want_components = full, prime, components
        self.census_points, self.want_function_dim = census_points, function_dim
        self.start = start
        self.deadline = start + timeout
        self.progress = progress
        self.phase, self.started = "constraints", True
        self.skipped: list[str] = []   # phases cut short by the time limit, the run went on
        self.stopped = ""              # "during X" / "before X": where the time limit ended it
        self.status, self.notes = "ok", []
        self.certs: list[str] = []
        self.used: list[str] = []
        self.engines_used: list[str] = []
        self.rep: VarietyReport | None = None
        self.exclusion_objs: list = []
        self.problem = None            # set by the constraints phase
        self.fams: list = []           # exact families, set by the families phase
        self.systems: dict = {}
        # Bounds, their certificates and how sure each is (see CERTAINTIES).
        self.lower, self.upper = 0, None
        self.lower_cert = self.upper_cert = ""
        self.lower_how = self.upper_how = "exact"
        self.modular_prime: int | None = None
        self.nf = None                 # normal-form strata (two-layer networks, quadratic output)
        self.hb = None                 # the hidden layer's normal-form strata

    # ------------------------------------------------------------------ helpers

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def groebner_budget(self, method: str) -> float:
        """Seconds for one full Groebner basis: what is left, at most a quarter for ``auto``.

        ``auto`` must leave time for the slices should the basis not finish.
        """
        budget = max(0.1, self.left())
        if method == "auto":
            budget = min(budget, max(1.0, self.timeout / 4))
        return budget

    def enter(self, phase: str) -> None:
        """Start ``phase``, or raise :class:`TimeLimit` when the deadline has passed."""
        self.phase, self.started = phase, False
        check_deadline(self.deadline)
        self.started = True

    def system(self, characteristic: int) -> System:
        # Converting a big constraint set costs seconds: build each field's system once.
        if characteristic not in self.systems:
            self.systems[characteristic] = self.problem.system(characteristic, self.deadline)
        return self.systems[characteristic]

    def engine_for(self, characteristic: int) -> str:
        """The engine of one computation over ``GF(characteristic)`` (``0``: QQ), recorded."""
        e = resolve_engine(self.engine, characteristic)
        if e not in self.engines_used:
            self.engines_used.append(e)
        return e

    def settled(self) -> bool:
        return self.upper is not None and self.lower >= self.upper

    def set_lower(self, value, cert, how, prime=None):
        self.lower, self.lower_cert, self.lower_how = value, cert, how
        if how == "modular":
            self.modular_prime = prime

    def set_upper(self, value, cert, how, prime=None):
        self.upper, self.upper_cert, self.upper_how = value, cert, how
        if how == "modular":
            self.modular_prime = prime

    def note(self, text: str) -> None:
        self.notes.append(text)

    def fail(self, status: str, text: str) -> None:
        """Record a computation that did not finish (``timeout`` outranks ``error``)."""
        if status == "timeout" or self.status == "ok":
            self.status = status
        self.note(text)

    def trivial_bounds(self, n_weights: int) -> None:
        self.set_upper(n_weights, f"dim <= {n_weights}: number of weights", "exact")
        # With an exclusion the zero network is excluded, so nothing shows that
        # V minus the locus is nonempty until a family or a nonempty slice does.
        if self.exclude:
            self.set_lower(-1, "dim >= -1: trivial (V minus the excluded loci may be empty)",
                           "exact")
        else:
            self.set_lower(0, "dim >= 0: the zero network is symmetric (V is nonempty)",
                           "exact")

    # ------------------------------------------------------------------ phases

    def go(self) -> None:
        from . import exclusions as ex
        from .system import build_problem

        spec = parse_spec(self.spec, full=self.full)
        N = len(spec.weights)
        # The report exists before the constraints: building them is the first
        # step that can pass the deadline, and then the trivial bounds are the answer.
        self.rep = VarietyReport(spec=str(spec), group=str(get_group(self.group, spec.n_inputs)),
                                 kind=self.kind, n_weights=N, n_constraints=None,
                                 engine=self.engine, method=self.method,
                                 exclusions=list(self.exclude))
        self.trivial_bounds(N)
        self.problem = problem = build_problem(spec, self.group, self.kind, full=self.full,
                                               timeout=time_left(self.deadline),
                                               progress=self.progress)
        self.rep.n_constraints = len(problem.cs)
        # The exclusions' polynomials wait until the families are bounded: the
        # families need only their values at a point, by evaluation, while the
        # polynomials of a 3-layer network take tens of seconds to expand.
        self.exclusion_objs = [ex.exclusion(problem.spec, e, self.seed) for e in self.exclude]
        self.rep.exclusions = [e.name for e in self.exclusion_objs]
        if not problem.cs.constraints and not self.exclusion_objs:
            self.set_lower(N, f"dim = {N}: there are no constraints", "exact")
        self.phase_families()
        self.enter("exclusions")
        for e in self.exclusion_objs:
            ex.rabinowitsch(problem, e, deadline=self.deadline)
        self.phase_normal_form()
        self.phase_hidden_normal_form()
        self.phase_groebner()
        self.phase_slices()
        self.phase_census()
        self.phase_components()
        self.phase_function_dim()

    def phase_families(self) -> None:
        from . import exclusions as ex
        from .families import TIME_LIMIT_NOTE, families

        self.enter("families")
        fams = families(self.problem.spec, self.group, self.kind, polys=self.problem.polys(),
                        seed=self.seed, timeout=time_left(self.deadline))
        self.fams = fams
        unchecked = [f.name for f in fams if f.note == TIME_LIMIT_NOTE]
        if unchecked:
            self.skipped.append(f"families ({', '.join(unchecked)} not checked)")
        for f in fams:
            if not f.matrix:
                self.rep.families.append({"name": f.name, "note": f.note})
                continue
            excluded = any(ex.excluded_at(e, f.point, f.prime, self.deadline)
                           for e in self.exclusion_objs)
            self.rep.families.append({"name": f.name, "params": f.n_params,
                                      "dim_lower": f.dim_lower, "excluded": excluded})
            # A family point where every exclusion polynomial g is nonzero puts the
            # family's orbit outside {g = 0}, which contains the excluded locus: the
            # bound holds for V minus the locus whatever the random combination g.
            if not excluded and f.dim_lower is not None and f.dim_lower > self.lower:
                self.set_lower(f.dim_lower, f"dim >= {f.dim_lower}: " + f.certificate(),
                               "exact")

    def phase_normal_form(self) -> None:
        """Two- and three-layer networks with a quadratic output: the output's normal forms."""
        from . import deep_normal_form as deep
        from .normal_form import applies, prepare, search_dims

        if self.settled() or self.method not in ("auto", "slice"):
            return
        what = "normal form"
        if applies(self.problem.spec, self.kind, self.exclude):
            if deep.applies(self.problem.spec, self.kind, self.exclude):
                return
            unknowns = deep.fibre_unknowns(self.problem.spec)
            if unknowns > deep.ANALYZE_MAX_UNKNOWNS:
                self.note(f"deep normal form skipped: its largest fibre has {unknowns} unknowns "
                          f"(more than {deep.ANALYZE_MAX_UNKNOWNS}; run deep_normal_form_bounds "
                          "with a longer timeout)")
                return
            what = "deep normal form"
        self.enter(what)
        # Half of what is left: V's own slices follow should the strata not settle it
        # (three layers had a quarter, which 4,q2,q2,q1's strata need 12-14 s past).
        share = 2
        stop = time.perf_counter() + max(0.1, self.left() / share)
        excl = [e.name for e in self.exclusion_objs]
        if what == "normal form":
            nf = prepare(self.problem.spec, self.group, exclude=excl, prime=self.prime,
                         seed=self.seed)
        else:
            try:
                nf = deep.prepare(self.problem.spec, self.group, exclude=excl, prime=self.prime,
                                  seed=self.seed, deadline=stop)
            except TimeLimit:
                self.skipped.append("deep normal form (its strata were not all built)")
                return
        self.nf = nf
        search_dims(nf, self.lower, engine=self.engine_for(self.prime), stop=stop)
        self.record_normal_form(0)
        self.take_strata(what, nf, nf.certificate("dim"))

    def phase_hidden_normal_form(self) -> None:
        """Two-layer networks with an affine hidden layer: its echelon normal forms."""
        from .hidden_normal_form import applies, prepare, search_dims

        if (self.settled() or self.method not in ("auto", "slice")
                or applies(self.problem.spec, self.kind, self.exclude)):
            return
        self.enter("hidden normal form")
        system = self.system(self.prime)
        stop = time.perf_counter() + max(0.1, self.left() / 2)
        try:
            # A quadratic hidden layer has many patterns (1471 for 4,q4,...).
            hb = prepare(self.problem.spec, self.group, self.kind, system, seed=self.seed,
                         deadline=stop)
        except TimeLimit:
            self.skipped.append("hidden normal form (its strata were not all built)")
            return
        search_dims(hb, self.lower, engine=self.engine_for(self.prime), stop=stop)
        self.hb = hb
        self.record_strata_tests("hidden-normal-form", hb.tests)
        self.take_strata("hidden normal form", hb, hb.certificate())

    def take_strata(self, what: str, bounds, certificate: str) -> None:
        """Record the method and take a normal form's bounds (modular) where they improve."""
        self.used.append(what.replace(" ", "-"))
        how = "" if certificate.endswith("(modular, probabilistic)") else " (modular, probabilistic)"
        if bounds.dim_upper < self.upper:
            self.set_upper(bounds.dim_upper, f"dim <= {bounds.dim_upper}: " + certificate + how,
                           "modular", self.prime)
        if bounds.dim_lower > self.lower:
            self.set_lower(bounds.dim_lower, f"dim >= {bounds.dim_lower}: " + certificate + how,
                           "modular", self.prime)
        if not bounds.complete:
            self.skipped.append(f"{what} (some strata not searched)")

    def record_normal_form(self, start: int) -> None:
        """The normal-form tests from number ``start`` on, as report steps."""
        self.record_strata_tests(self.nf.method.replace(" ", "-"), self.nf.tests[start:])

    def record_strata_tests(self, prefix: str, tests) -> None:
        for t in tests:
            self.rep.steps.append({"what": f"{prefix} {t.what}", "stratum": t.stratum,
                                   "codim": t.codim, "status": t.status, "empty": t.empty,
                                   "seconds": t.seconds, "prime": self.prime})

    def phase_groebner(self) -> None:
        method, engine = self.method, self.engine
        if self.settled() or not (method == "groebner"
                                  or (method == "auto" and self.problem.n_weights <= 8)):
            return
        from .groebner import elimination, groebner

        self.enter("groebner")
        # QQ (exact) where the engine can; msolve, named explicitly, works mod p.
        char = self.prime if engine == "msolve" else 0
        engine = self.engine_for(char)
        system = self.system(char)
        g = groebner(system, engine=engine, timeout=self.groebner_budget(method))
        self.rep.steps.append({"what": "groebner", "status": g.status,
                               "seconds": round(g.seconds, 3), "characteristic": char})
        self.used.append("groebner")
        if g.status != "ok":
            if method == "groebner":
                self.fail(g.status, f"groebner: {g.status}" + (f" ({g.message})"
                                                               if g.message else ""))
            return
        if char:
            field_, how_lo, how_up = f"GF({self.prime}) (modular)", "modular", "modular"
        elif self.exclusion_objs:
            # dim of V minus {g = 0} is at most that of V minus the locus, whatever
            # the random combination g; equality needs g generic.
            field_, how_lo, how_up = "QQ", "exact", "probabilistic"
        else:
            field_, how_lo, how_up = "QQ (exact)", "exact", "exact"
        cert = (f"dim = {g.dim}: reduced grevlex Groebner basis over {field_} by {engine}, "
                f"{len(g.basis)} elements")
        if self.exclusion_objs:
            cert += (", of V minus {g = 0} for g a random combination of each locus' "
                     "equations (V minus the loci for generic g: with high probability)")
        self.set_lower(g.dim, cert, how_lo, char or None)
        self.set_upper(g.dim, "", how_up, char or None)
        self.rep.basis_size = len(g.basis)
        if not self.exclusion_objs:
            self.rep.degree = g.degree
            return
        # The basis is in (w, t): its Hilbert degree is that of the graph of
        # t = 1/g. Eliminating t gives the saturation, whose degree is wanted.
        if g.dim == -1:
            self.rep.degree = 0
            return
        self.enter("degree")
        k = len(self.problem.extra_vars)
        el = elimination(system, k, engine=engine, timeout=self.groebner_budget(method))
        self.rep.steps.append({"what": "elimination", "status": el.status,
                               "seconds": round(el.seconds, 3), "characteristic": char,
                               "eliminated": k})
        if el.status != "ok":
            self.fail(el.status, f"degree not computed: eliminating the Rabinowitsch "
                                 f"variable(s) from the basis gave {el.status}")
        elif el.dim != g.dim:
            self.fail("error", f"the saturation has dim {el.dim}, the Rabinowitsch ideal "
                               f"{g.dim}; they must agree (engine {engine} misbehaved)")
        elif el.degree is None:
            self.note("degree not computed: the saturation's Hilbert series is too large")
        else:
            self.rep.degree = el.degree
            self.certs.append(f"degree {el.degree}: Hilbert series of the saturation "
                              f"(Rabinowitsch variables eliminated by {engine})")

    def phase_slices(self) -> None:
        from .slicing import slice_bounds

        if self.settled() or self.method not in ("auto", "slice"):
            return
        self.enter("slices")
        system = self.system(self.prime)
        N = self.problem.n_weights
        sb = slice_bounds(system, lower=self.lower, upper=self.upper,
                          engine=self.engine_for(self.prime), seed=self.seed,
                          timeout=max(0.1, self.left()), total_timeout=self.left(), n_weights=N)
        self.used.append("slice")
        for t in sb.tests:
            self.rep.steps.append({"what": "slice", "codim": t.codim, "engine": t.engine,
                                   "status": t.status, "empty": t.empty,
                                   "seconds": round(t.seconds, 3), "prime": t.prime,
                                   "seed": t.seed})
        for t in sb.tests:
            if t.empty and t.codim - 1 < self.upper:
                self.set_upper(t.codim - 1, f"dim <= {t.codim - 1}: " + t.certificate()
                               + " (modular, probabilistic)", "modular", t.prime)
            if t.empty is False and t.codim > self.lower:
                self.set_lower(t.codim, f"dim >= {t.codim}: " + t.certificate()
                               + " (modular, probabilistic)", "modular", t.prime)
        bad = [t for t in sb.tests if t.status != "ok"]
        if bad:
            status = "timeout" if any(t.status == "timeout" for t in bad) else "error"
            self.fail(status, f"slice of codim {bad[0].codim}: {bad[0].status}")

    def phase_census(self) -> None:
        n_census = self.census_points
        method = self.method
        if n_census is None:
            n_census = 40 if method == "census" else (20 if method == "auto"
                                                       and not self.settled() else 0)
        if method == "census":
            self.used.append("census")
        if not n_census:
            return
        from .census import census
        from .slicing import SLICE_SECONDS_PER_TERM

        self.enter("census")
        problem, N = self.problem, self.problem.n_weights
        base = self.system(0)
        terms = sum(len(f) for f in base.polys)
        if terms * SLICE_SECONDS_PER_TERM > self.left():
            # Compiling a system this large for float evaluation alone outlasts the budget.
            self.skipped.append(f"census (the {terms}-term system is too large for the "
                                f"{max(self.left(), 0):.0f} s left)")
            return
        # The census runs on V itself: the Rabinowitsch variable t is unbounded
        # near the excluded locus and would wreck the conditioning.
        polys = [{m[:N]: v for m, v in f.items()} for f in base.polys[:len(problem.cs)]]
        keep = None
        if self.exclusion_objs:
            # A landing point is kept when every exclusion polynomial is clearly
            # nonzero there: |g(w)| / sum|coefficients of g| > 1e-6 * (1 + max|w|)^deg g,
            # float64.
            evs = [_float_poly(e.native(self.deadline), problem) for e in self.exclusion_objs]

            def keep(w):
                scale = 1.0 + float(abs(w).max())
                return all(abs(f(w)) > 1e-6 * scale ** d for f, d in evs)

        fmap = _tangent_function_dim(problem, deadline=self.deadline)
        c = census(System(tuple(problem.order), polys, 0), n_points=n_census, seed=self.seed,
                   keep=keep, timeout=time_left(self.deadline), function_map=fmap)
        data = c.to_dict()
        data["upper_bound"] = self.upper
        data["consistent"] = c.max_dim is None or c.max_dim <= self.upper
        data["note"] = ("numerical tangent-space dimension N - rank J; exceeds the true local "
                        "dimension at singular points; function_dims: largest rank of "
                        "J_F restricted to the tangent space, per local dimension")
        if self.exclusion_objs:
            data["note"] += ("; points in the excluded loci dropped (|g| <= 1e-6, relative to "
                             "g's coefficients and the point's size), counted as not converged")
        self.rep.census = data
        if "census" not in self.used:
            self.used.append("census")
        if c.n_points < n_census:
            self.skipped.append(f"census (stopped after {c.n_points} of {n_census} points)")

    def phase_components(self) -> None:
        if not self.want_components or self.status != "ok":
            return
        if self.lower < 0:
            self.note("components: none computed, no point of V outside the excluded loci "
                      "is known")
            return
        from sympy import nextprime, prevprime

        from .components import minimal_primes

        self.enter("components")
        N = self.problem.n_weights
        c_codim = max(self.lower - 1, 0)  # curves: a 0-dim slice splits into Galois orbits
        # Leave a little time for the (fast) function-space dimension.
        budget = max(0.1, self.left() - 2.0)
        cr = minimal_primes(self.system(self.prime), timeout=budget, codim=c_codim,
                            seed=self.seed, n_weights=N)
        self.rep.steps.append({"what": "components", "codim": c_codim, "status": cr.status,
                               "seconds": round(cr.seconds, 3), "prime": self.prime})
        if cr.status != "ok":
            self.fail(cr.status, f"components (minAssGTZ on a slice of codim {c_codim}): "
                                 f"{cr.status}")
            return
        self.rep.components = [c.to_dict() for c in cr.components]
        self.certs.append("components: " + cr.certificate())
        # A GF(p)-irreducible component may split over another prime (and over C):
        # compare the (dim, degree) lists from a second prime when there is time.
        q = nextprime(self.prime)
        q = q if q < MAX_PRIME else prevprime(self.prime)
        try:
            sys_q = self.system(q)
        except TimeLimit:
            sys_q = None
        budget = self.left() - 2.0
        if sys_q is None or budget < 0.5:
            self.note("components not cross-checked mod a second prime (time limit)")
            return
        cq = minimal_primes(sys_q, timeout=budget, codim=c_codim, seed=self.seed, n_weights=N)
        self.rep.steps.append({"what": "components", "codim": c_codim, "status": cq.status,
                               "seconds": round(cq.seconds, 3), "prime": q})
        if cq.status != "ok":
            self.note(f"components not cross-checked mod {q} ({cq.status})")
        elif cq.signature() != cr.signature():
            self.note(f"components: (dim, degree) mod {self.prime} {cr.signature()} and mod "
                      f"{q} {cq.signature()} differ: some component splits differently "
                      "mod different primes (it is not irreducible over C), or a prime or "
                      "slice is unlucky")
        else:
            self.certs.append(f"components: the same (dim, degree) list mod {q}")

    def phase_function_dim(self) -> None:
        from . import exclusions as ex
        from .function_dim import function_dim as fdim

        if not self.want_function_dim or not self.fams:
            return
        self.enter("function_dim")
        cands = [f for f in self.fams if f.matrix and not any(
            ex.excluded_at(e, f.point, f.prime, self.deadline) for e in self.exclusion_objs)]
        vals = []
        for f in cands:
            check_deadline(self.deadline)
            v, det = fdim(self.problem.spec, subspace=f.matrix, seed=self.seed,
                          return_details=True, timeout=time_left(self.deadline))
            if v is None:
                raise TimeLimit
            vals.append((v, f.name, det))
        if not vals and self.nf is None and self.hb is None:
            return
        v, lower_cert = None, ""
        if vals:
            v, name, det = max(vals, key=lambda t: t[0])
            by_name = {f: w for w, f, _ in vals}
            for entry in self.rep.families:
                if entry["name"] in by_name:
                    entry["function_dim"] = by_name[entry["name"]]
                    entry["function_top"] = by_name[entry["name"]] == v
            agree = "which agree" if det["agree"] else "which DISAGREE, the larger reported"
            lower_cert = (f"function_dim >= {v}: rank of the sample Jacobian of w -> F_w on "
                          f"family '{name}', mod two primes, {agree} (rigorous: the family "
                          "lies in V)")
        self.rep.function_dim_lower = v
        self.enter("function_dim bounds")
        from .function_bounds import function_dim_bounds

        system = self.system(self.prime)
        engine = self.engine_for(self.prime)
        # Image slices get a quarter of the budget; with the embedded engine,
        # whose Buchberger is slow on them, a tenth and at most 2 s.
        budget = self.timeout / 4 if engine != "sympy" else min(2.0, self.timeout / 10)
        offers = []
        # The deep strata too: their split rank-1 images run on P = y1(z) (cubics),
        # which settles n,q1,q1,q1 in about a second.
        if self.nf is not None and self.left() > 0.2:
            # The strata's small systems first: their image slices are far cheaper than V's.
            from .normal_form import search_functions

            self.enter("normal-form images")
            n0 = len(self.nf.tests)
            # All but NF_RESERVE of what is left: V's own image slices, which follow,
            # have never settled a row of the dimension table that the strata did
            # not, and the strata settle only when each open one's hardest test
            # finishes (3,q3,q1 under S_3: 14 s, a row's analysis has 47.5 s).
            # Half when the hidden layer's normal form follows and needs its share.
            share = (self.left() - NF_RESERVE if self.hb is None
                     else min(self.left(), max(budget, self.left() / 2)))
            search_functions(self.nf, v, engine=engine,
                             stop=time.perf_counter() + max(0.1, share))
            self.record_normal_form(n0)
            cert = self.nf.certificate("function_dim") + " (modular, probabilistic)"
            offers = [("upper", self.nf.function_upper, cert, "modular"),
                      ("lower", self.nf.function_lower, cert, "modular")]
            if not self.nf.complete:
                self.note("normal-form images: the time limit cut some strata's image slices "
                          "short (their bounds are the trivial ones)")
        if self.hb is not None and self.left() > 0.2:
            # Each stratum's image is at most its fibre's dimension, often the answer.
            from .hidden_normal_form import search_functions as hidden_functions

            self.enter("hidden-normal-form images")
            n0 = len(self.hb.tests)
            share = min(self.left(), max(budget, self.left() / 2))
            hidden_functions(self.hb, self.problem, v, engine=engine,
                             stop=time.perf_counter() + max(0.1, share))
            self.record_strata_tests("hidden-normal-form", self.hb.tests[n0:])
            cert = self.hb.certificate("function_dim")
            offers += [("upper", self.hb.function_upper, cert, "modular"),
                       ("lower", self.hb.function_lower, cert, "modular")]
            if not self.hb.complete:
                self.note("hidden-normal-form images: the time limit cut some strata's image "
                          "slices short (their bounds are the fibres' dimensions)")
        self.enter("function_dim bounds")
        fb = function_dim_bounds(self.problem, self.group, v, lower_cert, system=system,
                                 engine=engine, seed=self.seed, budget=max(0.5, budget),
                                 deadline=self.deadline, offers=offers)
        for t in fb.tests:
            self.rep.steps.append({"what": "image slice", "codim": t.codim, "engine": t.engine,
                                   "status": t.status, "empty": t.empty,
                                   "seconds": round(t.seconds, 3), "prime": t.prime,
                                   "seed": t.seed})
        self.rep.function_dim_upper = fb.upper
        self.rep.function_dim_lower = fb.lower
        self.rep.function_dim = fb.value
        self.rep.function_dim_certainty = fb.certainty
        if fb.lower_cert:
            self.certs.append(fb.lower_cert)
        if fb.upper_cert:
            self.certs.append(fb.upper_cert)
        for w, fname, d in vals:
            if not d["agree"]:
                self.note(f"function_dim on family '{fname}': the ranks mod "
                          + " and ".join(f"{p} ({r})" for p, r in d["ranks"].items())
                          + " disagree (an unlucky point or prime); the larger is a lower "
                          "bound, the generic rank may be higher")

    # ------------------------------------------------------------------ report

    def file_count_bound(self) -> None:
        """``function_dim <= dim`` of the output's polynomial maps: exact, and cheap after a timeout."""
        from .function_bounds import count_bound

        spec = self.problem.spec if self.problem is not None else self.spec
        count, cert = count_bound(spec, self.group, self.kind)
        if count is None:
            return
        self.rep.function_dim_upper = count
        self.rep.function_dim_certainty = "exact"
        self.certs.append(cert)

    def finish(self) -> VarietyReport:
        rep = self.rep
        if self.want_function_dim and rep.function_dim_upper is None:
            self.file_count_bound()
        lower, upper = self.lower, self.upper
        rep.dim_lower, rep.dim_upper = lower, upper
        rep.dim = lower if lower == upper else None
        for entry in rep.families:   # the families outside the exclusions that reach the best lower bound
            entry["top"] = (entry.get("dim_lower") is not None and entry["dim_lower"] == lower
                            and not entry.get("excluded"))
        rep.certainty = max(self.lower_how, self.upper_how, key=_RANK.__getitem__)
        rep.prime = self.modular_prime if rep.certainty == "modular" else None
        rep.certificate = "; ".join([c for c in (self.lower_cert, self.upper_cert) if c]
                                    + self.certs)
        rep.method = "+".join(["families"] + self.used) if self.method == "auto" else self.method
        rep.engine = "+".join(self.engines_used) or resolve_engine(self.engine, self.prime)
        status = self.status
        if self.skipped:
            status = "timeout"
            self.note("time limit reached in: " + ", ".join(self.skipped))
        if self.stopped:
            status = "timeout"
            self.note(f"time limit reached, analysis stopped {self.stopped}; the later phases "
                      "were not run")
        if status == "ok" and rep.dim is None and time.perf_counter() > self.deadline:
            status = "timeout"
            self.note("time limit reached before the bounds met")
        rep.status = status
        if self.exclusion_objs:
            self.note("bounds are for V minus the excluded loci (Rabinowitsch)")
        rep.message = "; ".join(self.notes)
        rep.seconds = time.perf_counter() - self.start
        return rep


def _float_poly(poly, problem):
    """``(f, degree)``: ``f(w)`` is ``poly(w)`` over the sum of ``|coefficients|`` (problem's order)."""
    from ..polyeval import compile_terms, native_terms

    terms = list(native_terms(poly, {name: i for i, name in enumerate(problem.order)}))
    ev = compile_terms(((0, v, fs) for v, fs in terms), len(problem.order), 1)
    deg = max((sum(e for _, e in fs) for _, fs in terms), default=0)
    # Divide by the coefficients' 1-norm: the exclusion's random coefficients
    # (up to 2^31) must not decide whether a value counts as zero.
    norm = sum(abs(v) for v, _ in terms) or 1.0
    return (lambda w: float(ev.values(w)[0]) / norm), deg


def _tangent_function_dim(problem, rank_tol: float = 1e-8, deadline: float | None = None):
    """``f(w, ev)``: rank of (Jacobian of w -> F_w modulo constants) on the tangent space of V at w.

    Numerical (float64): the tangent space is the null space of the constraint
    Jacobian (singular values below ``rank_tol * max`` count as zero), and the
    rank of ``J_F K`` uses the same relative tolerance. ``J_F`` is the
    sample Jacobian of ``c_s . (F_w(x_s) - F_w(0))`` at twice
    :func:`~.evaluation.n_samples` fixed Gaussian inputs and output weights
    (back-propagation, :func:`~.evaluation.jacobian_float`; nothing is read from
    the expansion): the rows are functionals on the non-constant coefficients,
    enough of them generic to have the coefficient Jacobian's rank.
    """
    import numpy as np

    from .evaluation import jacobian_float, n_samples

    check_deadline(deadline)
    spec = problem.spec
    pos = {name: i for i, name in enumerate(problem.order)}
    perm = np.array([pos[name] for name in spec.weights])     # spec order -> problem order
    S = 2 * n_samples(spec, spec.n_weights)
    rng = np.random.default_rng(len(problem.order))
    # Inputs on the complex unit circle: their monomials' evaluation matrix is far
    # better conditioned than at Gaussian points (a rank over C of the real J_c K).
    X = np.exp(2j * np.pi * rng.random((S, spec.n_inputs)))
    C = rng.normal(size=(S, spec.n_outputs))
    X0 = np.zeros((S, spec.n_inputs))

    def f(w, ev):
        J = ev.jacobian(w)
        if J.size:
            _, sv, vt = np.linalg.svd(J)
            r = int((sv > rank_tol * max(sv.max(), 1e-300)).sum())
            K = vt[r:].T
        else:
            K = np.eye(len(w))
        ws = np.asarray(w, dtype=float)[perm]
        JF = (jacobian_float(spec, ws, X, c=C) - jacobian_float(spec, ws, X0, c=C)) @ K[perm]
        if JF.size == 0:
            return 0
        s = np.linalg.svd(JF, compute_uv=False)
        return int((s > rank_tol * max(s.max(), 1e-300)).sum())

    return f
