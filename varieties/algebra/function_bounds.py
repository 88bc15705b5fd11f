r"""Bounds on the function-space dimension of the symmetric networks.

``dim phi(V)``, the dimension of the set of functions the symmetric weights
``V`` realise, is bounded

* **below** by the function dimension of any exact family inside ``V``
  (:mod:`.families`, :mod:`.rep_families`): the rank mod ``p`` of the
  sample Jacobian on the family (:func:`.function_dim.function_dim`) is a
  rigorous lower bound (``exact``);
* **above** by the smallest of

  - the dimension of the G-equivariant (invariant) polynomial maps whose
    degrees are the output's degrees, counted exactly
    (:func:`equivariant_poly_dim`: partition closed forms for ``S_n``,
    Burnside's lemma, i.e. Molien's series read degree by degree, for any
    other permutation group): ``exact``;
  - the dimension of the neurovariety (no symmetry), computed by
    evaluation mod two primes: ``probabilistic`` (a computed rank can only
    underestimate the generic rank, so as an upper bound it rests on the
    two primes agreeing);
  - an **image slice**: if no ``w`` in ``V`` has ``F_w(x_i) = a_i`` for
    ``c`` random points ``x_i`` and values ``a_i`` mod ``p`` (a Groebner
    basis of the constraints plus those ``c`` equations is ``{1}``), then
    ``dim phi(V) < c``. Point evaluations at generic points are independent
    on any space of polynomials of dimension ``>= c``, so the map
    ``F -> (F(x_i))`` is dominant on a component of dimension ``>= c`` and a
    generic ``a`` is hit: ``modular`` (true for all but finitely many primes
    and for generic points, so probabilistic too).

:func:`function_dim_bounds` combines them; the function dimension is known
when the bounds meet.

Examples
--------
>>> equivariant_poly_dim("2,q2,q1", "symmetric", "invariant")   # S_2-invariants of degree <= 4
9
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from ..actions import make_action
from ..closed_forms import burnside_count, equivariant_count, invariant_count
from ..groups import get_group
from ..network import NetworkSpec, iter_layers, parse_spec, quadratic_pairs, weight_name
from ..timelimit import check_deadline, time_left
from .engines import System
from .slicing import SliceResult

#: Largest group whose elements Burnside's lemma enumerates.
BURNSIDE_MAX_ORDER = 50_000
#: Image slices are skipped when one evaluation polynomial has more terms than this
#: (deep networks: the engines would spend the whole budget reading the input).
IMAGE_SLICE_MAX_TERMS = 20_000
#: How sure each bound is, weakest last (as in :data:`.variety_report.CERTAINTIES`).
_RANK = {"exact": 0, "probabilistic": 1, "modular": 2}


def equivariant_poly_dim(spec: NetworkSpec | str, group="symmetric",
                         kind: str = "invariant") -> int | None:
    """Dimension of the polynomial maps ``F(g x) = rho(g) F(x)`` with the output's degrees.

    Exact: a basis is the orbit sums of (output, monomial) pairs. ``None``
    when the group is too large to enumerate and no closed form applies.
    """
    from .evaluation import ambient_dim, output_degrees

    spec = parse_spec(spec)
    degrees = sorted(output_degrees(spec))
    if kind == "none":
        return ambient_dim(spec)
    G = get_group(group, spec.n_inputs)
    n = spec.n_inputs
    full = G.is_symmetric()
    if full and kind == "invariant" and spec.n_outputs == 1:
        return sum(invariant_count(n, d) for d in degrees)
    if full and kind == "equivariant" and spec.n_outputs == n:
        return sum(equivariant_count(n, d) for d in degrees)
    if G.order() > BURNSIDE_MAX_ORDER:
        return None
    act = make_action(G, kind, spec.n_outputs)
    return burnside_count(((g, act.rho(g)) for g in G.elements()), degrees)


def evaluation_poly(problem, x, p: int, max_terms: int | None = None) -> dict | None:
    """``F_w(x)`` (output 0 plus random multiples of the others) as a polynomial in ``w`` mod ``p``.

    Keyed by exponent tuples in ``problem.variables`` (auxiliary variables
    such as Rabinowitsch's ``t`` at exponent 0); the network is run with the
    weights as python-flint ``nmod_mpoly`` generators and ``x`` as numbers.
    ``None`` when it has more than ``max_terms`` terms (not converted).
    """
    import flint

    spec = problem.spec
    names = list(problem.variables)
    ctx = flint.nmod_mpoly_ctx.get(tuple(names), p, "degrevlex")
    gens = dict(zip(names, ctx.gens()))
    zero = ctx.from_dict({})
    o = [zero + (int(v) % p) for v in x]
    for l, layer, width in iter_layers(spec):
        nxt = []
        for k in range(layer.width):
            t = zero
            if layer.has_quadratic:
                for i, j in quadratic_pairs(width, spec.full):
                    t += gens[weight_name("A", l, k, i, j)] * o[i] * o[j]
            if layer.has_linear:
                for i in range(width):
                    t += gens[weight_name("B", l, k, i)] * o[i]
            if layer.has_constant:
                t += gens[weight_name("C", l, k)]
            nxt.append(t ** layer.power if layer.power != 1 else t)
        o = nxt
    rng = random.Random(f"evaluation:{tuple(int(v) for v in x)}:{p}")
    total = o[0]
    for extra in o[1:]:
        total += extra * rng.randrange(1, p)
    if max_terms is not None and len(total) > max_terms:
        return None
    return {tuple(int(e) for e in m): int(c) for m, c in total.to_dict().items()}


class ImageSlice(SliceResult):
    """One image-slice test: ``codim`` point conditions on the functions of ``V``."""

    def certificate(self) -> str:
        return (f"function_dim <= {self.codim - 1}: no w in V has F_w(x_i) = a_i at "
                f"{self.codim} random points x_i and values a_i mod {self.prime} (seed "
                f"{self.seed}, engine {self.engine}; modular, probabilistic)")


def image_slice(problem, system: System, codim: int, *, engine: str, seed: int = 0,
                timeout: float = 30.0) -> ImageSlice:
    """Whether ``F_w(x_i) = a_i`` (``i < codim``, random mod ``p``) has no solution ``w`` in ``V``.

    Status ``skipped`` (``empty`` None) when an evaluation polynomial has
    more than :data:`IMAGE_SLICE_MAX_TERMS` terms or building them uses up
    ``timeout``.
    """
    from .engines import run_groebner

    start = time.perf_counter()
    p = system.characteristic
    rng = random.Random(f"image-slice:{seed}:{p}:{codim}")
    polys = list(system.polys)
    n = len(problem.variables)
    for _ in range(codim):
        x = [rng.randrange(p) for _ in range(problem.spec.n_inputs)]
        f = evaluation_poly(problem, x, p, IMAGE_SLICE_MAX_TERMS)
        if f is None or time.perf_counter() - start > timeout / 2:
            why = (f"F_w(x) has more than {IMAGE_SLICE_MAX_TERMS} terms" if f is None
                   else "building the point conditions took half the time")
            return ImageSlice(codim, p, seed, engine, "skipped", None,
                              time.perf_counter() - start, why)
        const = (0,) * n
        f[const] = (f.get(const, 0) - rng.randrange(p)) % p
        polys.append({m: c for m, c in f.items() if c})
    timeout = max(0.1, timeout - (time.perf_counter() - start))
    res = run_groebner(System(system.variables, polys, p), engine, timeout)
    empty = res.is_unit if res.status == "ok" else None
    return ImageSlice(codim, p, seed, engine, res.status, empty, res.seconds, res.message)


@dataclass
class FunctionBounds:
    """``lower <= dim phi(V) <= upper``, each with its certificate and certainty."""

    lower: int | None = None
    upper: int | None = None
    lower_cert: str = ""
    upper_cert: str = ""
    lower_how: str = "exact"
    upper_how: str = "exact"
    tests: list = field(default_factory=list)

    @property
    def value(self) -> int | None:
        """The function dimension when the bounds meet, else ``None``."""
        ok = self.lower is not None and self.upper is not None and self.lower >= self.upper
        return self.upper if ok else None

    @property
    def certainty(self) -> str:
        return max(self.lower_how, self.upper_how, key=_RANK.__getitem__)

    def offer_lower(self, value, cert, how) -> None:
        if value is None:
            return
        if self.lower is None or value > self.lower:
            self.lower, self.lower_cert, self.lower_how = value, cert, how

    def offer_upper(self, value, cert, how) -> None:
        if value is None:
            return
        better = self.upper is None or value < self.upper or (
            value == self.upper and _RANK[how] < _RANK[self.upper_how])
        if better:
            self.upper, self.upper_cert, self.upper_how = value, cert, how


def count_bound(spec, group, kind: str) -> tuple[int | None, str]:
    """``(count, certificate)``: ``function_dim <= count`` by :func:`equivariant_poly_dim` (exact).

    ``count`` is None where the counts do not cover the group or action.
    """
    try:
        count = equivariant_poly_dim(spec, group, kind)
    except Exception:   # a group or action the counts do not cover: no bound from them
        count = None
    return count, (f"function_dim <= {count}: dimension of the {kind} polynomial maps of "
                   "the output's degrees (orbit count, exact)")


def function_dim_bounds(problem, group, lower: int | None, lower_cert: str, *, system=None,
                        engine: str = "sympy", seed: int = 0, budget: float = 30.0,
                        deadline: float | None = None, offers=()) -> FunctionBounds:
    """Upper bounds against the family lower bound ``lower`` (see the module docstring).

    ``offers``: bounds found elsewhere, ``("upper" or "lower", value, certificate,
    certainty)`` each (the normal-form strata of :mod:`.normal_form`), taken
    before the image slices, which then run only while the bounds differ.

    ``system``: the constraint ideal over ``GF(p)`` for image slices (none
    without it); they get ``budget`` seconds in all, and stop at ``deadline``.
    """
    from .function_dim import function_dim

    spec, kind = problem.spec, problem.kind
    fb = FunctionBounds(lower=lower, lower_cert=lower_cert)
    fb.offer_upper(*count_bound(spec, group, kind), "exact")
    for side, value, cert, how in offers:
        (fb.offer_upper if side == "upper" else fb.offer_lower)(value, cert, how)
    check_deadline(deadline)
    nv, det = function_dim(spec, seed=seed, return_details=True,
                           timeout=time_left(deadline))
    if nv is not None:
        agree = "which agree" if det["agree"] else "which DISAGREE"
        fb.offer_upper(nv, f"function_dim <= {nv}: the neurovariety's dimension (rank of "
                       f"the sample Jacobian mod two primes, {agree}; probabilistic as an "
                       "upper bound)", "probabilistic")
    if system is None or fb.value is not None or fb.lower is None or fb.upper is None:
        return fb
    stop = time.perf_counter() + budget
    if deadline is not None:
        stop = min(stop, deadline)
    # First the slice that would settle the family's value (the hardest empty one,
    # so a third of the time at most), then from the top down: each empty slice
    # lowers the bound by one, and the first that is not empty ends the search.
    if fb.upper > fb.lower + 1:
        left = (stop - time.perf_counter()) / 3
        if left >= 0.2:
            t = image_slice(problem, system, fb.lower + 1, engine=engine, seed=seed,
                            timeout=left)
            fb.tests.append(t)
            if t.empty is True:
                fb.offer_upper(fb.lower, t.certificate(), "modular")
    c = fb.upper
    while c > fb.lower:
        left = stop - time.perf_counter()
        if left < 0.2:
            break
        t = image_slice(problem, system, c, engine=engine, seed=seed, timeout=left)
        fb.tests.append(t)
        if t.empty is True:
            fb.offer_upper(c - 1, t.certificate(), "modular")
            c -= 1
        else:
            break
    return fb
