r"""Bounds for two-layer networks by the hidden layer's normal form (affine or quadratic neurons).

For ``n,ah,<output>``, ``n,lh,<output>`` and ``n,qh,<output>`` (hidden
affine, linear or quadratic neurons ``y = A z + b``, where ``z`` is ``x`` for
affine and linear neurons and the non-constant monomials ``x_j, x_i x_j``
of degree ``<= 2`` for quadratic ones, whose triangular weights are exactly
these coefficients; an output layer of quadratic or affine neurons, any
power, width, group and kind) the affine maps ``g`` of ``k^h`` act on the
weights by ``(y, theta) -> (g o y, theta o g^-1)`` without changing the
function (quadratic and affine outputs are closed under affine substitution),
so they preserve ``V``. Up to this action every hidden layer is exactly one
*normal form* ``y = (R z, 0, ..., 0)``: ``R`` is the reduced row echelon
basis (pivot columns ``P``, ``rho = |P| = rank A``) of the row space of
``A``, and the translation is used up to make ``b = 0`` (for linear hidden
neurons there is none, and ``b`` is absent anyway).

So ``V`` is the disjoint union of strata ``V_P``. A point of ``V_P`` is the
image under the group of a normal form ``(R, theta)``; the stabiliser of
``(R z, 0)`` is ``{g : g_11 = 1, g_21 = 0, t = 0}``, of dimension
``h (h - rho)``, so the orbits have dimension ``h rho (+ h)``. Of
``theta``, the weights of monomials that involve a unit beyond ``rho`` (a
zero) never reach the function: they are free. What is left, the fibre, is

    ``Fib_P = {(R, theta') : R in the echelon cell of P, theta'(R z) symmetric}``

in ``|cell| + |theta'|`` unknowns, cut out by ``V``'s own constraints with
the normal form substituted: polynomials of degree ``<= 1 + 2 deg`` in few
unknowns (the fibre of ``3,a3,q3`` at ``rho = 3`` is linear: ``R`` is the
identity). Therefore

    ``dim V = max_P (h rho (+ h) + #free theta weights + dim Fib_P)``,

each ``dim Fib_P`` bounded by random slices (:mod:`.slicing`), modular and
probabilistic like any slice. ``3,a3,q3`` equivariant: the strata give 31,
the dead hidden layer (``rho = 0``), where the codimension-32 slice of ``V``
takes 40 s. A quadratic hidden layer has ``sum_rho C(|z|, rho)`` patterns
(130 for ``3,q3,...``), each fibre small.

No exclusion is covered yet.

Examples
--------
>>> hb = hidden_normal_form_bounds("2,a2,q2", "symmetric", "equivariant", dim_lower=0)
>>> hb.dim_lower == hb.dim_upper, len(hb.strata)      # strata: P in {}, {0}, {1}, {0, 1}
(True, 4)
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from .._result_methods import ResultMixin
from ..actions import resolve_kind
from ..groups import get_group
from ..network import NetworkSpec, parse_spec
from .engines import DEFAULT_PRIME, System
from .normal_form import _Runner, _search


def applies(spec: NetworkSpec | str, kind: str | None = None, exclude=()) -> str | None:
    """``None`` when the hidden normal form covers ``spec``; else why not, in one line."""
    spec = parse_spec(spec)
    if len(spec.layers) != 2:
        return "the hidden normal form needs exactly two layers"
    hid, out = spec.layers
    if hid.kind not in ("a", "l", "q") or hid.power != 1:
        return ("the hidden layer must be affine (a), linear (l) or quadratic (q) neurons "
                "without a power")
    if hid.kind == "q" and spec.full:
        return "a quadratic hidden layer needs triangular indexing (its weights are then its coefficients)"
    if out.kind not in ("q", "a"):
        # Their families are closed under affine substitutions of the hidden units.
        return "the output must be quadratic (q) or affine (a) neurons"
    if exclude:
        return "the hidden normal form covers no exclusion yet"
    return None


@dataclass
class HiddenStratum(ResultMixin):
    """One echelon pattern ``P`` of the hidden layer, the dimensions it adds, and its fibre."""

    _skip_fields = ("system", "value")

    pivots: tuple
    base: int                 # orbit dimension plus free output weights
    system: System | None     # the fibre's equations over GF(p)
    n_unknowns: int
    dim_lower: int | None = None
    dim_upper: int | None = None
    value: dict = field(default_factory=dict, repr=False)   # weight index -> 0, 1, unknown
    function_lower: int | None = None
    function_upper: int | None = None

    @property
    def name(self) -> str:
        return f"rank {len(self.pivots)}, pivots {list(self.pivots)}"


@dataclass
class HiddenNormalFormBounds(ResultMixin):
    """Bounds on ``dim V`` from the hidden layer's normal forms."""

    spec: str
    group: str
    kind: str
    prime: int
    seed: int
    dim_lower: int | None = None
    dim_upper: int | None = None
    function_lower: int | None = None
    function_upper: int | None = None
    strata: list = field(default_factory=list)
    tests: list = field(default_factory=list)
    complete: bool = True

    def certificate(self, what: str = "dim") -> str:
        if what != "dim":
            return (f"function_dim in [{self.function_lower}, {self.function_upper}]: max over "
                    f"the {len(self.strata)} echelon normal forms of the hidden layer of image "
                    f"slices of each fibre (random point values of F) over GF({self.prime}), "
                    f"seed {self.seed} (modular, probabilistic)")
        return (f"dim in [{self.dim_lower}, {self.dim_upper}]: max over the "
                f"{len(self.strata)} echelon normal forms of the hidden layer (its affine "
                f"reparametrisation sliced away) of random slices of each fibre over "
                f"GF({self.prime}), seed {self.seed} (modular, probabilistic)")

    def summary(self) -> str:
        return (f"{self.spec} ({self.group}, {self.kind}): dim in [{self.dim_lower}, "
                f"{self.dim_upper}] ({len(self.strata)} strata, {len(self.tests)} slices)")


def strata(spec: NetworkSpec | str, system: System,
           deadline: float | None = None) -> list[HiddenStratum]:
    """The echelon patterns of ``spec``'s hidden layer, each with its fibre's system.

    ``system`` is ``V``'s constraint system over ``GF(p)`` (variables: the
    weights by name, e.g. from :meth:`.system.Problem.system`). Raises
    :class:`~varieties.timelimit.TimeLimit` past ``deadline``: a partial list
    would bound only part of ``V``.
    """
    from ..learn.numpy_backend import layout
    from ..timelimit import check_deadline

    spec = parse_spec(spec)
    why = applies(spec)
    if why:
        raise ValueError(why)
    h = spec.layers[0].width
    hid, out = layout(spec)
    # The columns of the hidden layer's non-constant coefficients: x_j, then
    # x_i x_j for a quadratic layer (triangular: one weight per coefficient).
    cols = [[int(hid.b_idx[i, j]) for j in range(spec.n_inputs)] for i in range(h)]
    if hid.a_idx is not None:
        for i in range(h):
            cols[i] += [int(v) for v in hid.a_idx[i]]
    n = len(cols[0])
    names = spec.weights
    translations = hid.c_idx is not None
    # Output weights by the hidden units they read: a monomial y_i y_j, y_i or 1.
    reads = {}
    if out.a_idx is not None:
        for k in range(out.width):
            for idx, i, j in zip(out.a_idx[k].tolist(), out.I.tolist(), out.J.tolist()):
                reads[idx] = max(i, j)
    if out.b_idx is not None:
        for k in range(out.width):
            for i, idx in enumerate(out.b_idx[k].tolist()):
                reads[idx] = i
    if out.c_idx is not None:
        for idx in out.c_idx.tolist():
            reads[idx] = -1
    pos = {v: i for i, v in enumerate(system.variables)}
    p = system.characteristic
    result = []
    for rho in range(min(h, n) + 1):
        for P in itertools.combinations(range(n), rho):
            check_deadline(deadline)
            value: dict[int, object] = {}    # weight index -> 0, 1 or ("u", unknown index)
            unknowns: list[str] = []
            for i in range(h):
                for j in range(n):
                    idx = cols[i][j]
                    if i < rho and j == P[i]:
                        value[idx] = 1
                    elif i < rho and j > P[i] and j not in P:
                        value[idx] = ("u", len(unknowns))
                        unknowns.append(names[idx])
                    else:
                        value[idx] = 0
                if translations:
                    value[int(hid.c_idx[i])] = 0
            free = 0
            for idx, unit in reads.items():
                if unit < rho:
                    value[idx] = ("u", len(unknowns))
                    unknowns.append(names[idx])
                else:
                    value[idx] = "free"
                    free += 1
            polys = _substitute(system, pos, names, value, len(unknowns), p)
            base = h * rho + (h if translations else 0) + free
            sysm = System(tuple(unknowns), polys, p) if unknowns else None
            st = HiddenStratum(P, base, sysm, len(unknowns), value=value)
            if sysm is None:
                # A point: in the fibre unless some constraint is a nonzero constant there.
                st.dim_lower = st.dim_upper = -1 if polys else 0
            result.append(st)
    return result


def _substitute(system: System, pos, names, value, nu: int, p: int) -> list[dict]:
    col = [None] * len(system.variables)        # per system variable: what replaces it
    for idx, v in value.items():
        col[pos[names[idx]]] = v
    out = []
    for f in system.polys:
        g: dict = {}
        for m, c in f.items():
            e = [0] * nu
            keep, reads_free = True, None
            for var, k in enumerate(m):
                if not k:
                    continue
                v = col[var]
                if v == 0:
                    keep = False
                    break
                if v is None or v == "free":
                    reads_free = system.variables[var]
                elif v != 1:
                    e[v[1]] += k
            if keep and reads_free is not None:
                # A weight of a zero unit (or none at all) cannot reach the function.
                raise RuntimeError(f"weight {reads_free} survives the normal form")
            if keep:
                t = tuple(e)
                g[t] = (g.get(t, 0) + c) % p
        g = {m: c for m, c in g.items() if c}
        if g:
            out.append(g)
    return out


def search_dims(out: HiddenNormalFormBounds, dim_lower: int, *, engine: str = "auto",
                stop: float, cap_first: float = 2.0) -> None:
    """Set each stratum's fibre bounds and ``out.dim_lower/upper`` (until ``stop``)."""
    run = _Runner(out, engine)
    # Two rounds, short tests first, as in :func:`.normal_form.search_dims`.
    for cap in (cap_first, 1e9):
        for st in out.strata:
            if st.system is None:
                continue
            if st.dim_upper is not None and st.dim_upper <= max(st.dim_lower,
                                                                 dim_lower - st.base):
                continue
            # theta' = 0 with any R is in the fibre (the zero function is symmetric).
            lo0 = 0 if st.dim_lower is None else st.dim_lower
            top = st.n_unknowns if st.dim_upper is None else st.dim_upper
            st.dim_lower, st.dim_upper = _search(
                lambda c, left, st=st: run(st, "slice", c, st.n_unknowns, (), left),
                lo0, dim_lower - st.base, top, stop, cap)
    live = [st for st in out.strata if st.dim_upper is not None and st.dim_upper >= 0]
    out.dim_upper = max(st.base + st.dim_upper for st in live)
    out.dim_lower = max(st.base + st.dim_lower for st in live if st.dim_lower >= 0)
    out.complete = time.perf_counter() < stop


def search_functions(out: HiddenNormalFormBounds, problem, function_lower: int | None, *,
                     engine: str = "auto", stop: float, cap_first: float = 2.0) -> None:
    """Set each stratum's image bounds and ``out.function_lower/upper`` (after :func:`search_dims`).

    ``F(V_P) = F(Fib_P)``: the group and the free weights do not change the
    function. So ``dim F(V) = max_P dim F(Fib_P)``, each at most ``dim Fib_P``
    (strata whose fibre bound is below the target need no test) and bounded
    by image slices: ``F_w(x_i) = a_i`` at ``c`` random points and values
    mod ``p`` (:func:`.function_bounds.evaluation_poly`, the normal form
    substituted) with no point in ``Fib_P`` shows ``dim F(Fib_P) < c``. No
    random forms in the unknowns are added (every fibre has dimension
    ``>= 0``), so a nonempty answer may be slow, but an empty one is valid.
    ``function_lower`` (the families' value) is the first target.
    """
    import random

    from .function_bounds import evaluation_poly

    run = _Runner(out, engine)
    p = out.prime
    # A stratum not searched (time) keeps its trivial bound, all its unknowns.
    live = [st for st in out.strata if st.dim_upper is None or st.dim_upper >= 0]
    target = -1 if function_lower is None else function_lower
    rng = random.Random(f"hidden-normal-form-image:{out.seed}:{p}")
    names = list(problem.variables)
    pos = {v: i for i, v in enumerate(names)}
    pool: list = []          # (F_w(x_i) - a_i) in the weights, shared by the strata
    cache: dict = {}         # per stratum: the pool's entries substituted so far

    def conditions(st, c):
        while len(pool) < c:
            x = [rng.randrange(p) for _ in range(problem.spec.n_inputs)]
            f = evaluation_poly(problem, x, p)
            const = (0,) * len(names)
            f[const] = (f.get(const, 0) - rng.randrange(p)) % p
            pool.append({m: v for m, v in f.items() if v})
        # Per stratum, pool entry i substituted (None: it vanishes identically there).
        done = cache.setdefault(id(st), [])
        for f in pool[len(done):c]:
            g = _substitute(System(tuple(names), [f], p), pos, list(problem.spec.weights),
                            st.value, st.n_unknowns, p)
            done.append(g[0] if g else None)
        return [g for g in done[:c] if g is not None]

    for cap in (cap_first, 1e9):
        for st in live:
            if st.system is None:
                st.function_lower = st.function_upper = 0
                continue
            top = st.function_upper
            if top is None:
                top = st.n_unknowns if st.dim_upper is None else st.dim_upper
            lo = 0 if st.function_lower is None else st.function_lower
            if top <= max(lo, target):
                st.function_lower, st.function_upper = lo, top
                continue
            st.function_lower, st.function_upper = _search(
                lambda c, left, st=st: run(st, "image slice", 0, st.n_unknowns,
                                           conditions(st, c), left, label=c),
                lo, target, top, stop, cap)
    known = [st for st in live if st.function_upper is not None and st.function_upper >= 0]
    out.function_upper = max((st.function_upper for st in known), default=None)
    out.function_lower = max((st.function_lower for st in known
                              if st.function_lower is not None), default=None)
    out.complete = out.complete and time.perf_counter() < stop


def prepare(spec: NetworkSpec, group, kind: str, system: System, *,
            seed: int = 0, deadline: float | None = None) -> HiddenNormalFormBounds:
    """The strata of ``spec`` from ``V``'s system mod ``p``, not yet searched (see :func:`strata`)."""
    return HiddenNormalFormBounds(str(spec), str(get_group(group, spec.n_inputs)), kind,
                                  system.characteristic, seed,
                                  strata=strata(spec, system, deadline))


def hidden_normal_form_bounds(spec, group="symmetric", kind: str | None = None, *,
                              dim_lower: int = 0, engine: str = "auto",
                              prime: int = DEFAULT_PRIME, seed: int = 0,
                              timeout: float = 30.0) -> HiddenNormalFormBounds:
    """Bounds on ``dim V`` of a two-layer network with an affine hidden layer (module docstring).

    Parameters
    ----------
    spec, group, kind : the network (see :func:`applies`) and its symmetry
    dim_lower : int
        A bound already known (from families): each stratum is first tested
        at the codimension that would show it does not exceed it.
    engine, prime, seed : the slices' engine (``auto``: msolve, Singular, sympy), prime and seed
    timeout : float
        Seconds in all; ``complete`` is False when time ran out.

    Raises ``ValueError`` when :func:`applies` says no.
    """
    from .system import build_problem

    spec = parse_spec(spec)
    why = applies(spec, kind)
    if why:
        raise ValueError(why)
    kind = resolve_kind(kind, spec)
    stop = time.perf_counter() + timeout
    problem = build_problem(spec, group, kind, full=spec.full)
    out = prepare(spec, group, kind, problem.system(prime), seed=seed)
    search_dims(out, dim_lower, engine=engine, stop=stop)
    return out
