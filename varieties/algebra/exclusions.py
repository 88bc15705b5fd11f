"""Degeneracy exclusions: measure the part of ``V`` outside a degenerate locus.

The top-dimensional components of ``V`` are degenerate (for instance the
whole network constant), so the dimension of ``V`` says little about the
interesting networks. An exclusion names a locus ``Z = V(J)``; what is then
measured is ``V \\ Z`` (its closure is ``V(I : J^infinity)``), via the
Rabinowitsch trick: a new variable ``t`` and the generator ``t*g(w) - 1``,
where ``g`` is a random combination of the generators of ``J``. A generic
combination vanishes identically on no component that ``Z`` misses, so the
dimension is that of the saturation.

Presets
-------
``constant-output``
    ``J`` = the coefficients of the non-constant x-monomials of the output:
    the network does not depend on ``x``.
``dead-unit``
    Some hidden unit is constant: ``Z`` is the union over hidden units of
    their constant loci, so ``g`` is the product of one random combination
    per unit.
``W1,W2,...`` (or ``weights:W1,W2``)
    The listed weights must not all vanish (``g`` a random linear form).

Examples
--------
>>> ex = exclusion_poly("2,l1", "B1_0_0,B1_0_1", seed=0)
>>> ex.name, len(ex.poly.ring.gens), ex.poly.is_linear
('weights:B1_0_0,B1_0_1', 2, True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from ..errors import VarietiesError
from ..expand import expand, weight_ring
from ..network import NetworkSpec, parse_spec
from ..timelimit import check_deadline, time_left

PRESETS = ("constant-output", "dead-unit")


@dataclass
class Exclusion:
    """A degenerate locus to remove: ``poly`` vanishes on it (in ``QQ[spec weights]``)."""

    name: str
    poly: object
    description: str


def _random_combination(polys, R, rng, deadline=None):
    g = R.zero
    for f in polys:
        check_deadline(deadline)
        g += R.domain.convert(rng.randint(1, 2**31 - 2)) * f
    return g


def _nonconstant_coeffs(spec: NetworkSpec, R, deadline=None):
    """The output's non-constant x-coefficients, as polynomials of ``R``."""
    e = expand(spec, backend="sympy", timeout=time_left(deadline))
    out = []
    names = [str(g) for g in R.gens]
    for k in range(spec.n_outputs):
        for m, c in e.coeffs[k].items():
            check_deadline(deadline)
            if any(m):
                d = {}
                for mm, v in c.items():
                    full = dict(zip(e.weights, mm))
                    d[tuple(full.get(n, 0) for n in names)] = v
                out.append(R.from_dict(d))
    return out


def exclusion_poly(spec: NetworkSpec | str, what: str, seed: int = 0,
                   deadline: float | None = None) -> Exclusion:
    """The polynomial ``g`` whose non-vanishing defines the excluded region's complement.

    Parameters
    ----------
    spec : NetworkSpec or str
    what : str
        ``constant-output``, ``dead-unit``, or a comma-separated list of weight
        names (optionally prefixed ``weights:``) that must not all vanish.
    seed : int
        Seed of the random combination.
    deadline : float, optional
        A ``time.perf_counter()`` value; past it the expansion or the
        combination stops with :class:`~varieties.timelimit.TimeLimit`.
    """
    spec = parse_spec(spec)
    R = weight_ring(spec.weights)
    rng = random.Random(f"exclude:{what}:{seed}")
    if what == "constant-output":
        g = _random_combination(_nonconstant_coeffs(spec, R, deadline), R, rng, deadline)
        return Exclusion(what, g, "the output depends on x")
    if what == "dead-unit":
        if len(spec.layers) < 2:
            raise VarietiesError(f"exclusion 'dead-unit' needs a hidden layer; {spec} has none")
        g = R.one
        for l in range(1, len(spec.layers)):
            sub = NetworkSpec(spec.n_inputs, spec.layers[:l], spec.full)
            # One combination per unit: units are the outputs of the sub-network.
            e = expand(sub, backend="sympy", timeout=time_left(deadline))
            per_unit = []
            for k in range(sub.n_outputs):
                fs = []
                for m, c in e.coeffs[k].items():
                    check_deadline(deadline)
                    if any(m):
                        d = {}
                        for mm, v in c.items():
                            full = dict(zip(e.weights, mm))
                            d[tuple(full.get(n, 0) for n in spec.weights)] = v
                        fs.append(R.from_dict(d))
                per_unit.append(_random_combination(fs, R, rng, deadline))
            for u in per_unit:
                check_deadline(deadline)
                g *= u
        return Exclusion(what, g, "no hidden unit is constant")
    names = what[len("weights:"):] if what.startswith("weights:") else what
    names = [n.strip() for n in names.split(",") if n.strip()]
    bad = [n for n in names if n not in spec.weights]
    if not names or bad:
        raise VarietiesError(
            f"exclusion {what!r} is neither a preset ({', '.join(PRESETS)}) nor a list of "
            f"weights of {spec}" + (f" (unknown: {', '.join(bad)})" if bad else "")
            + f"; weights are named like {spec.weights[0]}"
        )
    gens = dict(zip(spec.weights, R.gens))
    g = _random_combination([gens[n] for n in names], R, rng)
    return Exclusion("weights:" + ",".join(names), g, f"not all of {', '.join(names)} vanish")


def rabinowitsch(problem, excl: Exclusion, tname: str | None = None) -> None:
    """Add ``t * g - 1`` (``t`` a new, smallest variable) to ``problem``'s extra generators."""
    tname = tname or f"t{len(problem.extra_vars)}"
    names = [str(x) for x in excl.poly.ring.gens]
    pos = {n: i for i, n in enumerate(names)}
    order = list(problem.order)
    nv = len(order) + len(problem.extra_vars) + 1
    ti = nv - 1
    rel = {}
    for m, c in excl.poly.items():
        e = [m[pos[n]] for n in order] + [0] * (nv - len(order))
        e[ti] = 1
        rel[tuple(e)] = Fraction(int(c.numerator), int(c.denominator))
    rel[(0,) * nv] = Fraction(-1)
    # Earlier extra generators gain a zero exponent for the new variable.
    problem.extra_polys = [{mm + (0,): c for mm, c in f.items()} for f in problem.extra_polys]
    problem.extra_vars.append(tname)
    problem.extra_polys.append(rel)
    problem.exclusions.append(excl.name)


def excluded_at(excl: Exclusion, point, p: int) -> bool:
    """Whether ``g`` vanishes mod ``p`` at ``point`` (spec weight order)."""
    from .families import eval_mod_p

    return eval_mod_p(excl.poly, point, p) == 0
