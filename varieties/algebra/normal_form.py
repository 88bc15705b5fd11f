r"""Bounds for two-layer networks with a quadratic output, by the output's normal form.

For ``n,qh,q1`` and ``n,ah,q1`` (hidden quadratic or affine neurons, one
quadratic output neuron, invariant kind) the network is ``F = theta(q(x))``:
``q = (q_1, ..., q_h)`` are arbitrary polynomials of degree ``<= D`` in ``x``
(``D = 2`` for ``q``, ``1`` for ``a``; the triangular weights are their
coefficients) and ``theta`` is an arbitrary quadratic polynomial in ``h``
variables. The affine maps ``g`` of ``k^h`` act on the weights by
``(q, theta) -> (g o q, theta o g^-1)`` without changing ``F``, so they
preserve ``V = {F in Inv}``. Over an algebraically closed field of
characteristic not 2 every ``theta`` is, up to this action, exactly one of

* *central* of rank ``r``: ``y_1^2 + ... + y_r^2 + c`` (``0 <= r <= h``),
* *parabolic* of rank ``r``: ``y_1^2 + ... + y_r^2 + y_{r+1}`` (``r < h``).

Slicing the group away this way, ``V`` is the disjoint union of strata
``V_T``, one per type, each a bundle over the set ``O_T`` of outputs of that
type (``dim O_T = r h - r(r-1)/2 + r + 1`` central, ``... + h + 1``
parabolic) whose fibre is, up to the group,

* central: ``S_r = {(q_1..q_r): q_1^2 + ... + q_r^2 in Inv}`` times the free
  ``q_{r+1..h}``;
* parabolic: ``T_r = {(q_1..q_r): the parts of degree > D of q_1^2+...+q_r^2
  are invariant}`` times an affine space of dimension ``dim Inv_{<=D}`` (the
  choices of ``q_{r+1}``) times the free ``q_{r+2..h}``.

So ``dim V = max_T (dim O_T + dim fibre_T)``: the fibres are defined by
*quadratic* equations in ``r (n+D choose D)`` unknowns, where ``V`` itself
needs cubic ones in all the weights, and their random slices
(:mod:`.slicing`) finish in milliseconds where ``V``'s do not (``4,q4,q1``:
the codimension-62 slice of ``V`` ran past 200 s; every stratum's slice here
takes under 0.1 s). The functions are ``F(V_T) = Phi(S_r) + k`` (central) and
``Psi(T_r) + Inv_{<=D}`` (parabolic), whose dimensions come from image
slices on the same small systems: ``c`` random affine forms in the output's
coefficients, plus as many random affine forms in the unknowns as every
fibre of the map has dimensions (its generic corank, by a rank mod ``p``).
The central rank-2 image, ``{u v + c : u v in Inv}``, whose slices are the
hard ones, is found instead by unique factorisation (:mod:`.factor_images`).

The ``constant-output`` exclusion removes the central rank-0 stratum, adds a
Rabinowitsch variable to the central ones (``q_1^2 + ... + q_r^2`` not
constant) and leaves the parabolic ones unchanged (there ``q_{r+1}`` can
always add ``sum x_i``). Full indexing adds the kernel of the weights-to-
polynomials map to every stratum.

Every bound is modular and probabilistic, like any slice (see
:mod:`.slicing`); tests compare them with :func:`~.analyze.analyze` on the
networks it settles.

Examples
--------
The families' lower bound 61 of ``4,q4,q1`` (constant output) is its dimension:

>>> nf = normal_form_bounds("4,q4,q1", "symmetric", dim_lower=61, function_dim=False)
>>> nf.dim_upper, len(nf.strata), all(t.empty for t in nf.tests)
(61, 9, True)
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from .._result_methods import ResultMixin
from ..actions import resolve_kind
from ..groups import get_group
from ..network import NetworkSpec, parse_spec
from .engines import DEFAULT_PRIME, System
from .evaluation import x_monomials as _monomials
from .slicing import slice_test

#: Seconds per slice in the first round over the strata (see :func:`search_dims`).
ROUND_ONE_CAP = 2.0
#: Exclusions the strata understand.
SUPPORTED_EXCLUSIONS = ("constant-output",)
#: Seconds per term of a stratum's image polynomials for its generic corank (two
#: Jacobians at random points, in Python): ``4,q2,q2,q1``'s central rank 2, 130k
#: terms, 6.5 s. A stratum whose corank would not fit in the time left keeps its
#: trivial image bound.
IMAGE_SECONDS_PER_TERM = 5e-5


def applies(spec: NetworkSpec | str, kind: str | None = None, exclude=()) -> str | None:
    """``None`` when the normal form covers ``spec``; else why not, in one line."""
    spec = parse_spec(spec)
    kind = resolve_kind(kind, spec)
    if len(spec.layers) != 2:
        return "the normal form needs exactly two layers"
    hid, out = spec.layers
    if hid.kind not in ("q", "a") or hid.power != 1:
        return "the hidden layer must be quadratic (q) or affine (a) neurons without a power"
    if out.kind != "q" or out.power != 1 or out.width != 1:
        return "the output must be one quadratic neuron (q1)"
    if kind != "invariant":
        return "the normal form covers invariant networks only"
    return _unsupported_exclusion(exclude)


def _unsupported_exclusion(exclude) -> str | None:
    bad = [e for e in exclude if e not in SUPPORTED_EXCLUSIONS]
    if bad:
        return f"exclusion {bad[0]!r} is not covered (only {', '.join(SUPPORTED_EXCLUSIONS)})"
    return None


def _permute(mu: tuple[int, ...], g) -> tuple[int, ...]:
    """The exponent vector ``mu`` with entry ``j`` moved to ``g[j]``."""
    v = [0] * len(mu)
    for j, e in enumerate(mu):
        v[g[j]] = e
    return tuple(v)


def _orbits(monos, generators) -> list[list[tuple[int, ...]]]:
    seen, out = set(), []
    for m in monos:
        if m in seen:
            continue
        orb, frontier = [m], [m]
        seen.add(m)
        while frontier:
            nxt = []
            for u in frontier:
                for g in generators:
                    v = _permute(u, g)
                    if v not in seen:
                        seen.add(v)
                        orb.append(v)
                        nxt.append(v)
            frontier = nxt
        out.append(orb)
    return out


@dataclass
class Stratum(ResultMixin):
    """One output type: its name, the dimensions it adds, and its fibre's system."""

    _skip_fields = ("system", "image", "image_orbits")     # polynomials: not report data

    name: str
    r: int
    central: bool
    base: int                  # dim O_T + free hidden units + q_{r+1}'s choices + kernel
    image_extra: int           # dimensions the image gains besides the fibre's image
    system: System | None      # the fibre's equations over GF(p) (None: a point)
    n_unknowns: int            # unknowns of the fibre (the slices' weights)
    image: list = field(default_factory=list, repr=False)   # output coefficients, as polys
    excluded: bool = False     # removed entirely by the exclusion
    dim_lower: int | None = None
    dim_upper: int | None = None
    function_lower: int | None = None
    function_upper: int | None = None
    # The units that O(r) rotates: unit k's coefficients are the unknowns
    # unit_offset + k * unit_size + (0 .. unit_size - 1) (None: n_unknowns // r).
    unit_offset: int = 0
    unit_size: int | None = None
    fibre_has_zero: bool | None = None   # None: central strata do unless excluded
    in_child: bool | None = None         # slices in a child process (see slicing.slice_test)
    # The image's non-constant x-coefficients by orbit of the group, as polys in
    # the q's alone (see _image_subspace); empty: image slices on ``system``.
    image_orbits: list = field(default_factory=list, repr=False)
    # ``image`` holds the coefficients of P where the functions are P^2 + c
    # (deep_normal_form's split rank 1): a non-constant F = P^2 + c has P = +-P'
    # and c determined, so dim F(V_T) = dim {P} + 1 (image_extra) wherever P
    # is not constant, which a component of {P} of dimension >= 2, or the
    # exclusion, ensures.
    image_root: bool = False


def _square_sums(n, D, r, p, degrees, with_c=False):
    """Coefficients of ``sum_{i<r} q_i^2 (+ c)`` in the given degrees, as polys in the q's."""
    M = _monomials(n, D)
    nq = len(M)
    nv = r * nq + (1 if with_c else 0)
    coef = {m: {} for m in _monomials(n, 2 * D, degrees)}
    for i in range(r):
        for a in range(nq):
            for b in range(a, nq):
                mu = tuple(x + y for x, y in zip(M[a], M[b]))
                if mu not in coef:
                    continue
                e = [0] * nv
                e[i * nq + a] += 1
                e[i * nq + b] += 1
                e = tuple(e)
                coef[mu][e] = (coef[mu].get(e, 0) + (1 if a == b else 2)) % p
    if with_c and (0,) * n in coef:
        e = [0] * nv
        e[-1] = 1
        coef[(0,) * n][tuple(e)] = 1
    return coef, nv


def _nonconstant_relation(coef, rng, p, nvars: int, pad=()) -> dict:
    """``t g - 1``, ``g`` a random combination of the non-constant x-coefficients in ``coef``.

    ``t`` is the last of ``nvars`` variables; ``pad`` exponents go between
    the coefficients' variables and ``t`` (variables that ``g`` does not involve).
    """
    g = {}
    for mu, c in coef.items():
        if any(mu):
            a = rng.randrange(1, p)
            for e, v in c.items():
                g[e] = (g.get(e, 0) + a * v) % p
    rel = {e + tuple(pad) + (1,): v for e, v in g.items() if v}
    rel[(0,) * nvars] = p - 1
    return rel


def _orbit_image(coef, orbits, nq: int) -> list[list[dict]]:
    """The non-constant coefficients ``coef[u]``, grouped by orbit, on the first ``nq`` unknowns."""
    out = []
    for orb in orbits:
        if not any(orb[0]) or orb[0] not in coef:
            continue
        out.append([{e[:nq]: v for e, v in coef[u].items() if not any(e[nq:])} for u in orb])
    return out


def _invariance(coef, orbits, p) -> list[dict]:
    """``coef[u] - coef[m]`` for each monomial ``u`` of each orbit with first element ``m``."""
    polys = []
    for orb in orbits:
        m = orb[0]
        if m not in coef:
            continue
        for u in orb[1:]:
            d = dict(coef[u])
            for e, c in coef[m].items():
                d[e] = (d.get(e, 0) - c) % p
            d = {e: c for e, c in d.items() if c}
            if d:
                polys.append(d)
    return polys


def strata(spec: NetworkSpec | str, group="symmetric", *, exclude=(), prime: int = DEFAULT_PRIME,
           seed: int = 0) -> list[Stratum]:
    """The output types of ``spec`` (see the module docstring), each with its fibre's system."""
    spec = parse_spec(spec)
    why = applies(spec, "invariant", exclude)
    if why:
        raise ValueError(why)
    n, p = spec.n_inputs, prime
    hid = spec.layers[0]
    h, D = hid.width, (2 if hid.kind == "q" else 1)
    G = get_group(group, n)
    nq = len(_monomials(n, D))
    orbits = _orbits(_monomials(n, 2 * D), G.generators)
    inv_low = sum(1 for o in orbits if sum(o[0]) <= D)
    kernel = 0
    if spec.full:
        kernel = (h * n * (n - 1) // 2 if hid.kind == "q" else 0) + h * (h - 1) // 2
    excl = "constant-output" in exclude
    rng = random.Random(f"normal-form:{seed}:{p}")
    out = []
    for r in range(h + 1):
        mats = r * h - r * (r - 1) // 2
        # Central: y_1^2 + ... + y_r^2 + c.
        base = mats + r + 1 + (h - r) * nq + kernel
        name = f"central rank {r}: " + (" + ".join(f"y{i + 1}^2" for i in range(r)) or "0") + " + c"
        coef, nv = _square_sums(n, D, r, p, None, with_c=True)
        polys = _invariance(coef, orbits, p)
        image = [coef[o[0]] for o in orbits if o[0] in coef] + \
            [coef[u] for o in orbits for u in o[1:] if u in coef]
        st = Stratum(name, r, True, base, 0, None, nv - 1, image)
        st.image_orbits = _orbit_image(coef, orbits, nv - 1)
        if r == 0:
            st.excluded = excl
        else:
            if excl:
                rel = _nonconstant_relation(coef, rng, p, nv + 1)
                polys = [{e + (0,): v for e, v in f.items()} for f in polys] + [rel]
                st.image = [{e + (0,): v for e, v in f.items()} for f in st.image]
                names = [f"q{i}_{a}" for i in range(r) for a in range(nq)] + ["c", "t"]
            else:
                names = [f"q{i}_{a}" for i in range(r) for a in range(nq)] + ["c"]
            st.system = System(tuple(names), polys, p)
        out.append(st)
        if r == h:
            break
        # Parabolic: y_1^2 + ... + y_r^2 + y_{r+1}.
        base = mats + h + 1 + inv_low + (h - r - 1) * nq + kernel
        name = ("parabolic rank " + str(r) + ": "
                + " + ".join([f"y{i + 1}^2" for i in range(r)] + [f"y{r + 1}"]))
        high = set(range(D + 1, 2 * D + 1))
        coef, nv = _square_sums(n, D, r, p, high)
        st = Stratum(name, r, False, base, inv_low, None, nv)
        if r > 0:
            polys = _invariance(coef, orbits, p)
            st.system = System(tuple(f"q{i}_{a}" for i in range(r) for a in range(nq)), polys, p)
            st.image = [coef[u] for o in orbits for u in o if u in coef]
            st.image_orbits = _orbit_image(coef, orbits, nv)
        out.append(st)
    return out


def _generic_rank(image, nw, p, rng) -> int:
    """Rank mod ``p`` of the Jacobian of the image polynomials (first ``nw`` unknowns) at a random point."""
    import flint

    best = 0
    for _ in range(2):
        pt = [rng.randrange(p) for _ in range(nw + 2)]
        rows = []
        for f in image:
            row = [0] * nw
            for e, c in f.items():
                for j in range(nw):
                    if e[j]:
                        v = c * e[j]
                        for k, ek in enumerate(e):
                            if ek:
                                v = v * pow(pt[k], ek - (k == j), p) % p
                        row[j] = (row[j] + v) % p
            rows.append(row)
        if rows and nw:
            best = max(best, flint.nmod_mat(rows, p).rank())
    return best


@dataclass
class _Test(ResultMixin):
    stratum: str
    what: str        # "slice", "image slice", "image subspace" or "factorisation"
    codim: int
    empty: bool | None
    status: str
    seconds: float


def _slice_test(system: System, codim: int, n_weights: int, engine: str, seed: int,
                timeout: float, extra=(), in_child: bool | None = None):
    """``(empty, status)`` of :func:`.slicing.slice_test` on ``system`` plus ``extra`` polynomials."""
    if codim > n_weights:
        return True, "ok"
    sys2 = System(system.variables, list(system.polys) + list(extra), system.characteristic)
    res = slice_test(sys2, codim, engine, seed, timeout, n_weights=n_weights, in_child=in_child)
    return res.empty, res.status


def _search(test, lo_known: int, target: int, top: int, stop: float, cap: float = 1e9,
            first_share: float = 0.5):
    """Bounds ``[lo, hi]`` of a dimension ``<= top`` known ``>= lo_known``.

    ``test(c, timeout)`` says whether codimension ``c`` is empty (None: no
    answer). Empty tests are cheap and nonempty ones expensive, so the first
    test is at ``target + 1`` (one empty slice settles a known lower bound),
    with ``first_share`` of the time left; then the smallest empty
    codimension above is found by bisection, a timeout counting as not
    empty. Each later test gets a third of the time left; no test more than
    ``cap`` seconds.
    """
    lo, hi = lo_known, top
    c = max(target + 1, lo + 1)
    if c > hi:
        return lo, hi
    e = test(c, min(cap, (stop - time.perf_counter()) * first_share))
    if e is True:
        return lo, c - 1
    if e is False:
        lo = c
    floor, u = c, hi + 1
    while u - floor > 1 and stop - time.perf_counter() > 0.05:
        mid = (floor + u) // 2
        e = test(mid, min(cap, (stop - time.perf_counter()) / 3))
        if e is True:
            u = mid
        else:
            if e is False:
                lo = max(lo, mid)
            floor = mid
    return lo, u - 1


@dataclass
class NormalFormBounds(ResultMixin):
    """Bounds on ``dim V`` and on the function dimension from the output's normal form."""

    _skip_fields = ("group_spec",)

    spec: str
    group: str
    exclusions: list
    prime: int
    seed: int
    dim_lower: int | None = None
    dim_upper: int | None = None
    function_lower: int | None = None
    function_upper: int | None = None
    strata: list = field(default_factory=list)
    tests: list = field(default_factory=list)
    complete: bool = True
    group_spec: object = field(default=None, repr=False)     # the group as given
    method: str = "normal form"
    factorisations: list = field(default_factory=list)       # exact rank-2 images
    unfactorised: list = field(default_factory=list)         # strata refused by it

    def certificate(self, what: str = "dim") -> str:
        lo, hi = ((self.dim_lower, self.dim_upper) if what == "dim"
                  else (self.function_lower, self.function_upper))
        fibre = "quadratic fibre" if self.method == "normal form" else "fibre"
        text = (f"{what} in [{lo}, {hi}]: max over the {len(self.strata)} normal forms of the "
                f"output (affine reparametrisation sliced away; {self.method}) of random slices "
                f"of each stratum's {fibre} over GF({self.prime}), seed {self.seed} "
                "(modular, probabilistic)")
        if what != "dim" and any(t.what == "image subspace" for t in self.tests):
            text += "; image slices as parametrised random affine subspaces of Inv"
        if what != "dim" and self.factorisations:
            text += "; " + "; ".join(f.certificate() for f in self.factorisations)
        return text

    def summary(self) -> str:
        return (f"{self.spec} ({self.group}): dim in [{self.dim_lower}, {self.dim_upper}], "
                f"function dim in [{self.function_lower}, {self.function_upper}] "
                f"({len(self.strata)} strata, {len(self.tests)} slices)")


def normal_form_bounds(spec, group="symmetric", kind: str | None = None, *, dim_lower: int = 0,
                       function_lower: int = 0, exclude=(), engine: str = "auto",
                       prime: int = DEFAULT_PRIME, seed: int = 0, timeout: float = 30.0,
                       function_dim: bool = True, factorise: bool = True,
                       parametrise: bool = True) -> NormalFormBounds:
    """Bounds on ``dim V`` and ``dim F(V)`` of a two-layer network with a quadratic output.

    Parameters
    ----------
    spec, group, kind : the network (see :func:`applies`) and its symmetry
    dim_lower, function_lower : int
        Bounds already known (from families). Each stratum is first tested
        at the codimension that would show it does not exceed them, which
        settles the dimension with one empty slice per stratum when they are
        the answer; otherwise it bisects.
    exclude : sequence of str
        ``()`` or ``("constant-output",)``.
    engine, prime, seed : the slices' engine (``auto``: msolve, Singular, sympy), prime and seed
    timeout : float
        Seconds in all; ``complete`` is False when time ran out (a stratum
        not searched keeps its trivial bounds, so the result stays valid).
    function_dim : bool
        Also bound the function dimension (image slices).
    factorise : bool
        The central rank-2 image by unique factorisation
        (:mod:`.factor_images`, exact up to the primes) instead of its
        slices; False only to compare the two.
    parametrise : bool
        Image slices as random affine subspaces of ``Inv`` given by
        parameters (:func:`_image_subspace`) instead of the fibre's
        invariance equations plus dense forms; False only to compare the two.

    Raises ``ValueError`` when :func:`applies` says no.
    """
    spec = parse_spec(spec)
    why = applies(spec, kind, exclude)
    if why:
        raise ValueError(why)
    out = prepare(spec, group, exclude=exclude, prime=prime, seed=seed)
    stop = time.perf_counter() + timeout
    search_dims(out, dim_lower, engine=engine, stop=stop)
    if function_dim:
        search_functions(out, function_lower, engine=engine, stop=stop, factorise=factorise,
                         parametrise=parametrise)
    return out


def prepare(spec: NetworkSpec, group, *, exclude=(), prime: int = DEFAULT_PRIME,
            seed: int = 0) -> NormalFormBounds:
    """The strata of ``spec``, not yet searched (:func:`search_dims`, :func:`search_functions`)."""
    return NormalFormBounds(str(spec), str(get_group(group, spec.n_inputs)), list(exclude),
                            prime, seed, strata=strata(spec, group, exclude=exclude,
                                                       prime=prime, seed=seed),
                            group_spec=group)


class _Runner:
    """Runs and records one slice test of a stratum's system."""

    def __init__(self, out: NormalFormBounds, engine: str):
        from .engines import resolve_engine

        self.out, self.engine = out, resolve_engine(engine, out.prime)
        self.seed = out.seed

    def __call__(self, st, what, codim, nw, extra, left, label=None, system=None):
        if left <= 0.05:
            return None
        t0 = time.perf_counter()
        e, status = _slice_test(st.system if system is None else system, codim, nw,
                                self.engine, self.seed, left, extra,
                                getattr(st, "in_child", None))
        self.seed += 1
        self.out.tests.append(_Test(st.name, what, codim if label is None else label, e, status,
                                    round(time.perf_counter() - t0, 4)))
        return e


def search_dims(out: NormalFormBounds, dim_lower: int, *, engine: str = "auto",
                stop: float) -> None:
    """Set each live stratum's fibre bounds and ``out.dim_lower/upper`` (until ``stop``)."""
    run = _Runner(out, engine)
    excl = bool(out.exclusions)
    # Two rounds: every stratum with short tests first (an empty slice takes
    # milliseconds), then the open ones with what is left, so that one hard
    # stratum cannot starve the others.
    for cap in (ROUND_ONE_CAP, 1e9):
        for st in out.strata:
            if st.excluded:
                continue
            if st.system is None:
                st.dim_lower = st.dim_upper = 0
                continue
            if st.dim_upper is not None and (st.dim_upper <= max(st.dim_lower, dim_lower - st.base)):
                continue
            nw = st.n_unknowns
            # Central strata without the exclusion contain q = 0; with it, nothing is known.
            known = 0 if (not st.central or not excl) else -1
            if st.fibre_has_zero is not None:
                known = 0 if st.fibre_has_zero else -1
            lo0 = known if st.dim_lower is None else max(known, st.dim_lower)
            top = nw if st.dim_upper is None else st.dim_upper
            st.dim_lower, st.dim_upper = _search(
                lambda c, left, st=st, nw=nw: run(st, "slice", c, nw, (), left),
                lo0, dim_lower - st.base, top, stop, cap)
            if st.dim_upper < 0:
                st.dim_lower = st.dim_upper = -1
    live = [st for st in out.strata if not st.excluded and st.dim_upper >= 0]
    out.dim_upper = max((st.base + st.dim_upper for st in live), default=-1)
    out.dim_lower = max((st.base + st.dim_lower for st in live if st.dim_lower >= 0),
                        default=-1)
    out.complete = time.perf_counter() < stop


def search_functions(out: NormalFormBounds, function_lower: int | None, *,
                     engine: str = "auto", stop: float, factorise: bool = True,
                     parametrise: bool = True) -> None:
    """Set each live stratum's image bounds and ``out.function_lower/upper`` (after :func:`search_dims`).

    ``function_lower`` (a family's function dimension, or None) is the
    target of the first test of each stratum; two rounds as in :func:`search_dims`.
    ``parametrise``: image slices as parametrised subspaces of ``Inv``
    (:func:`_image_subspace`); False only to compare with the equations of
    the fibre plus dense forms.
    """
    run = _Runner(out, engine)
    prime = out.prime
    rng = random.Random(f"normal-form-image:{out.seed}:{prime}")
    live = [st for st in out.strata if not st.excluded and st.dim_upper is not None
            and st.dim_upper >= 0]
    target = -1 if function_lower is None else function_lower
    coranks: dict = {}
    for cap in (ROUND_ONE_CAP, 1e9):
        for i, st in enumerate(live):
            # In the last round the function dimension settles only if every
            # open stratum's settling test (the first) comes back empty, so
            # each open stratum gets an equal part of the time left, all of it
            # for that test, rather than half of everything left for the test
            # and the rest for bisections that cannot settle it (3,q3,q1 under
            # S_3: its central rank-3 test takes 14 s). What a stratum leaves
            # unused goes to the next.
            own_stop, share = stop, 0.5
            if cap > ROUND_ONE_CAP and target >= 0:
                k = max(1, sum(_image_open(s, target) for s in live[i:]))
                now = time.perf_counter()
                own_stop, share = now + max(0.0, stop - now) / k, 1.0
            _image_round(st, run, rng, coranks, target, own_stop, cap, factorise, parametrise,
                         share)
    # A stratum the time never reached has no image bound yet: the maximum must
    # still count it, with the trivial one (leaving it out would make the maximum
    # an invalid upper bound).
    for st in live:
        if st.function_upper is None:
            st.function_upper = _trivial_image_bound(st)
            out.complete = False
    known = [st for st in live if st.function_upper >= 0]
    out.function_upper = max((st.function_upper for st in known), default=None)
    out.function_lower = max((st.function_lower for st in known
                              if st.function_lower is not None), default=None)
    out.complete = out.complete and time.perf_counter() < stop


def _factor_round(st: Stratum, run, stop) -> bool:
    """The central rank-2 image exactly, by unique factorisation (:mod:`.factor_images`).

    Its random image slices are the hard ones (``3,q2,q1`` cyclic: past 25 s
    at codimension 9); the factorisation types take under a second. False
    when the time ran out first (the slices then try).
    """
    from .factor_images import rank2_image

    out = run.out
    if st.name in out.unfactorised:
        return False
    t0 = time.perf_counter()
    try:
        im = rank2_image(out.spec, out.group_spec,
                         exclude_constant="constant-output" in out.exclusions,
                         seed=out.seed, deadline=stop)
    except TimeoutError:
        return False
    except ValueError:      # a group without a presentation: the slices, in every round
        out.unfactorised.append(st.name)
        return False
    st.function_lower = st.function_upper = im.value
    out.factorisations.append(im)
    out.tests.append(_Test(st.name, "factorisation", im.value, None, "ok",
                           round(time.perf_counter() - t0, 4)))
    return True


def _trivial_image_bound(st: Stratum) -> int:
    """``dim F(V_T) <= dim fibre (+ 1 for a central c) + image_extra``, with no image test.

    A root stratum's ``image_extra`` is its ``c`` already (``F = P^2 + c``).
    """
    fibre = st.n_unknowns if st.dim_upper is None else st.dim_upper
    return fibre + (1 if st.central and not st.image_root else 0) + st.image_extra


def _image_open(st: Stratum, target: int) -> bool:
    """Whether the stratum's image bounds do not yet show it at most ``max(target, its lower)``."""
    if st.system is None:
        return False
    return st.function_upper is None or st.function_upper > max(
        -1 if st.function_lower is None else st.function_lower, target)


def _image_round(st: Stratum, run, rng, coranks, target, stop, cap, factorise=True,
                 parametrise=True, first_share: float = 0.5) -> None:
    prime = run.out.prime
    if st.system is None:
        st.function_lower = st.function_upper = st.image_extra + (1 if st.central else 0)
        return
    if not _image_open(st, target):
        return
    # The factorisation types are those of two layers (u v with u, v quadratic in
    # x): a deep stratum's u, v are polynomials in z(x), which they do not cover.
    if factorise and run.out.method == "normal form" and st.central and st.r == 2 \
            and _factor_round(st, run, min(stop, time.perf_counter() + cap)):
        return
    nw = st.n_unknowns + (1 if st.central else 0)   # the central c is an unknown here
    # Every fibre of the image map has dimension >= its generic corank e, so e
    # random affine forms in the unknowns meet each nonempty fibre.
    if st.name not in coranks:
        left = min(stop, time.perf_counter() + cap) - time.perf_counter()
        if sum(len(f) for f in st.image) * IMAGE_SECONDS_PER_TERM > left:
            if st.function_upper is None:
                st.function_upper = _trivial_image_bound(st)
                run.out.complete = False
            return
        coranks[st.name] = nw - _generic_rank(st.image, nw, prime, rng)
    e = coranks[st.name]
    cut = _orthogonal_cut(st, e, prime, rng)

    def image_test(c, left):
        test = image_test_system(st, c, e, cut, prime, rng, parametrise=parametrise)
        if test is True:
            return True
        what, system, codim, n_w, extra = test
        return run(st, what, codim, n_w, extra, left, label=c, system=system)

    known = 0 if st.dim_lower >= 0 else -1
    if st.function_lower is not None:
        known = max(known, st.function_lower - st.image_extra)
    top = nw - e if st.function_upper is None else min(nw - e, st.function_upper - st.image_extra)
    lo, hi = _search(image_test, known, target - st.image_extra, top, stop, cap, first_share)
    if hi < 0:
        st.function_upper = -1        # the stratum has no point outside the excluded locus
        return
    st.function_lower = (lo + st.image_extra) if lo >= 0 else None
    if st.image_root and 0 <= lo < 2 and "constant-output" not in run.out.exclusions:
        st.function_lower = 1         # {P} may be the constants: F = P^2 + c is then constant
    st.function_upper = hi + st.image_extra


def image_test_system(st: Stratum, c: int, e: int, cut, p: int, rng, *,
                      parametrise: bool = True):
    """The codimension-``c`` image test of a stratum: ``(what, system, codim, n_weights, extra)``.

    ``e``: the generic corank of the image map (random affine forms in the
    unknowns meet every fibre); ``cut``: :func:`_orthogonal_cut`'s forms,
    which replace ``len(cut)`` of them. The test is empty exactly when the
    image has dimension ``< c``: a parametrised random affine subspace of
    ``Inv`` (:func:`_image_subspace`; the image lies in ``Inv``, and a central
    stratum's constant is free, one dimension) where ``parametrise`` and the
    stratum allow, else the fibre's equations plus ``c`` dense random forms
    in the output's coefficients; ``codim`` random forms in the first
    ``n_weights`` unknowns are substituted by the slice. ``True``: empty
    without a test (``c`` exceeds the space the image lies in).
    """
    shift = 1 if st.central else 0
    if parametrise and st.image_orbits and c - shift >= 1:
        if c - shift > len(st.image_orbits):
            return True
        return ("image subspace", _image_subspace(st, c - shift, cut, e - len(cut), p, rng), 0,
                st.n_unknowns, ())
    forms = list(cut)
    for _ in range(c):
        f = {}
        for poly in st.image:
            a = rng.randrange(1, p)
            for m, v in poly.items():
                f[m] = (f.get(m, 0) + a * v) % p
        k = (0,) * st.system.nvars
        f[k] = (f.get(k, 0) + rng.randrange(p)) % p
        forms.append({m: v for m, v in f.items() if v})
    nw = st.n_unknowns + shift
    return "image slice", st.system, e - len(cut), nw, forms


def _image_subspace(st: Stratum, c: int, cut, dense: int, p: int, rng) -> System:
    """Does a random affine subspace of codimension ``c`` in ``Inv`` meet the stratum's image?

    The image (non-constant part for a central stratum, whose constant is
    free; the parts of degree ``> D`` for a parabolic one) lies in the span
    ``W`` of the orbit sums of the monomials in ``st.image_orbits``. A
    random affine subspace of ``W`` of codimension ``c`` is ``F_0 + sum_{j<k}
    t_j F_j`` with ``k = dim W - c`` and random ``F_j`` in ``W``; the system
    says that the image's coefficients equal those of a point of it:

        coef_u(q) - F_0[u] - sum_j t_j F_j[u] = 0   for every monomial u,

    in the unknowns ``q`` and ``t``, plus the fibre cut ``cut`` (the
    ``O(r)`` conditions of :func:`_orthogonal_cut`, on ``q`` only) and
    ``dense`` random affine forms in ``q`` (every fibre has dimension at least
    the generic corank, so they meet each one). It is empty exactly when the
    subspace misses the image, as for :func:`_image_round`'s slices, whose
    equations it replaces: ``3,q3,q1`` under S_3, central rank 3, codim 10:
    about 80 s with msolve, where the invariance equations plus dense forms
    ran past 500 s. With the ``constant-output`` exclusion nothing is added:
    for ``c >= 1`` a random subspace of the non-constant ``W`` misses ``0``,
    so every ``F`` it meets is non-constant.
    """
    nq = st.n_unknowns
    k = len(st.image_orbits) - c
    nv = nq + k
    pts = [[rng.randrange(p) for _ in st.image_orbits] for _ in range(k + 1)]
    zero = (0,) * nv
    pad = (0,) * k
    polys = []
    for o, members in enumerate(st.image_orbits):
        for f in members:
            g = {e + pad: v for e, v in f.items()}
            g[zero] = (g.get(zero, 0) - pts[0][o]) % p
            for j in range(k):
                m = [0] * nv
                m[nq + j] = 1
                g[tuple(m)] = (-pts[j + 1][o]) % p
            polys.append({m: v for m, v in g.items() if v})
    for f in cut:
        polys.append({m[:nq] + pad: v for m, v in f.items()})
    for _ in range(dense):
        f = {tuple(int(i == j) for j in range(nv)): rng.randrange(1, p) for i in range(nq)}
        f[zero] = rng.randrange(p)
        polys.append(f)
    names = tuple(st.system.variables[:nq]) + tuple(f"t{j}" for j in range(k))
    return System(names, polys, p)


def _orthogonal_cut(st: Stratum, e: int, p: int, rng) -> list[dict]:
    """Sparse affine conditions that meet every ``O(r)``-orbit of the central rank-``r`` fibre.

    ``F = q_1^2 + ... + q_r^2 + c`` is unchanged by ``q -> g q``, ``g`` in
    ``O(r)``; on the points where the ``r x N`` coefficient matrix ``H`` of
    ``q`` has rank ``r`` the group acts freely, and the points where it has
    rank ``< r`` give functions of the lower central strata (``H^T H`` then has
    rank ``< r``), which the maximum over strata already counts. With random
    functionals ``l_1..l_{r-1}`` on one unit's coefficients, the conditions
    ``l_j(q_k) = random`` for ``j < k`` (``r(r-1)/2`` of them, as many as
    ``dim O(r)``) meet the orbit of every such point for a generic choice:
    ``g -> (l_j(g q)_k)_{j<k}`` has a differential of full rank at ``g = 1``
    when ``U = H l`` is generic, checked here mod ``p`` at a random ``U``.
    They replace ``r(r-1)/2`` of the ``e`` dense random forms of the image
    slice; each involves one unit's coefficients only, which the engines
    exploit (``3,q3,q1`` under S_3, codimension 11: 69 s with msolve, where
    the dense forms ran past 300 s). Empty list when not applicable (not
    central, ``r < 3``, or ``e`` too small).
    """
    import flint

    r = st.r
    k = r * (r - 1) // 2
    if not st.central or r < 3 or st.system is None or e < k:
        return []
    nq = st.unit_size or st.n_unknowns // r
    off = st.unit_offset
    U = [[rng.randrange(p) for _ in range(r - 1)] for _ in range(r)]
    # d/d omega of (omega U)_{kj}, j < k, omega skew: omega_{ab} = -omega_{ba}.
    rows = []
    for kk in range(r):
        for j in range(kk):
            row = []
            for a in range(r):
                for b in range(a + 1, r):
                    v = (U[b][j] if kk == a else 0) - (U[a][j] if kk == b else 0)
                    row.append(v % p)
            rows.append(row)
    if flint.nmod_mat(rows, p).rank() < k:
        return []
    nv = st.system.nvars
    ells = [[rng.randrange(1, p) for _ in range(nq)] for _ in range(r - 1)]
    cut = []
    for kk in range(r):
        for j in range(kk):
            f = {}
            for a in range(nq):
                m = [0] * nv
                m[off + kk * nq + a] = 1
                f[tuple(m)] = ells[j][a]
            f[(0,) * nv] = rng.randrange(1, p)
            cut.append(f)
    return cut
