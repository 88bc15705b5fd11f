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
from dataclasses import dataclass, field
from fractions import Fraction

from ..errors import VarietiesError
from ..expand import expand, weight_ring
from ..network import NetworkSpec, parse_spec
from ..timelimit import check_deadline, time_left

PRESETS = ("constant-output", "dead-unit")


@dataclass
class Exclusion:
    """A degenerate locus to remove: ``poly`` vanishes on it (in ``QQ[spec weights]``).

    The presets also keep ``g`` as a recipe: ``factors`` lists, per factor,
    the number of leading layers of ``spec`` whose outputs it reads and the
    ``(output, x-monomial, multiplier)`` terms of its random combination, so
    that ``g = prod_factors sum_terms a * coef_{k,m}``. Its value at a point
    (:meth:`value_mod`) then costs one evaluation of the network on
    polynomials in ``x``, while ``poly`` (built on first use by
    :meth:`polynomial`) needs the expansion in the weights: for ``3,q3,q3,q1``
    that is 666,000 terms and 20 s.
    """

    name: str
    poly: object
    description: str
    spec: NetworkSpec | None = None
    factors: tuple = ()
    _native: object = field(default=None, repr=False, compare=False)

    def polynomial(self, deadline: float | None = None):
        """``g`` as a sympy ``PolyElement`` over ``QQ[spec weights]`` (built once)."""
        if self.poly is None:
            from ..expand import native_to_sympy

            native = self.native(deadline)
            self.poly = native if hasattr(native, "ring") else \
                native_to_sympy(native, "flint", weight_ring(self.spec.weights))
        return self.poly

    def native(self, deadline: float | None = None):
        """``g`` in the quickest form at hand: the sympy ``poly``, or python-flint's when built so."""
        if self.poly is not None:
            return self.poly
        if self._native is None:
            self._native = _build_poly(self.spec, self.factors, deadline)
        return self._native

    def terms(self, order, deadline: float | None = None):
        """Yield ``(exponents in the variable order `order`, Fraction coefficient)`` of ``g``."""
        from .engines import exponent_permuter

        g = self.native(deadline)
        if hasattr(g, "ring"):
            names, items = [str(x) for x in g.ring.gens], g.items()
        else:
            names, items = list(g.context().names()), zip(g.monoms(), g.coeffs())
        pos = {n: i for i, n in enumerate(names)}
        idx = [pos[n] for n in order if n in pos]
        if len(idx) != len(order):
            raise VarietiesError(f"exclusion {self.name!r}: its polynomial's variables are "
                                 "not the network's weights")
        perm = exponent_permuter(idx)
        for k, (m, c) in enumerate(items):
            if not k % 4096:
                check_deadline(deadline)
            yield perm(m), Fraction(int(c.numerator), int(c.denominator))

    def value_mod(self, point, p: int, deadline: float | None = None) -> int:
        """``g(point) mod p``, ``point`` integers in spec weight order."""
        if not self.factors:
            from .families import eval_mod_p

            return eval_mod_p(self.polynomial(deadline), point, p)
        from .evaluation import output_coefficients_mod

        coeffs: dict[int, list] = {}
        value = 1
        for layers, terms in self.factors:
            if layers not in coeffs:
                sub = NetworkSpec(self.spec.n_inputs, self.spec.layers[:layers], self.spec.full)
                coeffs[layers] = output_coefficients_mod(sub, list(point)[:len(sub.weights)], p,
                                                         deadline=deadline)
            out = coeffs[layers]
            value = value * sum(a * out[k].get(m, 0) for k, m, a in terms) % p
        return value


def _random_combination(polys, R, rng, deadline=None):
    g = R.zero
    for f in polys:
        check_deadline(deadline)
        g += R.domain.convert(rng.randint(1, 2**31 - 2)) * f
    return g


def _factor(spec: NetworkSpec, layers: int, outputs, rng) -> tuple:
    """A random combination of the non-constant x-coefficients of ``outputs`` of the first ``layers``.

    Every monomial up to the outputs' degree gets a multiplier, whether or not
    it occurs (the coefficient of one that does not is zero), so the recipe
    needs no expansion.
    """
    from .evaluation import output_degrees, x_monomials

    sub = NetworkSpec(spec.n_inputs, spec.layers[:layers], spec.full)
    monos = [m for m in x_monomials(spec.n_inputs, max(output_degrees(sub))) if any(m)]
    return (layers, tuple((k, m, rng.randint(1, 2**31 - 2)) for k in outputs for m in monos))


def _build_poly(spec: NetworkSpec, factors, deadline=None):
    """The product over ``factors`` of their combinations, expanded.

    One factor over the whole network's weights (``constant-output``) stays a
    python-flint polynomial when the expansion is one (converting 666,000 terms
    to sympy takes 10 s); products are taken in sympy.
    """
    from ..expand import native_to_sympy

    R = weight_ring(spec.weights)
    g = None
    expansions: dict[int, object] = {}
    for layers, terms in factors:
        if layers not in expansions:
            sub = NetworkSpec(spec.n_inputs, spec.layers[:layers], spec.full)
            expansions[layers] = expand(sub, backend="auto", timeout=time_left(deadline))
        e = expansions[layers]
        acc = None
        for k, m, a in terms:
            check_deadline(deadline)
            c = e.coeffs[k].get(m)
            if c is not None:
                acc = c * a if acc is None else acc + c * a
        if acc is None:
            return R.zero
        if len(factors) == 1 and e.weights == tuple(spec.weights):
            return acc
        f = native_to_sympy(acc, e.backend, e.sympy_ring())
        if e.weights != tuple(spec.weights):
            # The leading layers' weights are the first ones of the whole network.
            pad = (0,) * (len(spec.weights) - len(e.weights))
            f = R.from_dict({m + pad: c for m, c in f.items()})
        check_deadline(deadline)
        g = f if g is None else g * f
    return g


def exclusion(spec: NetworkSpec | str, what: str, seed: int = 0) -> Exclusion:
    """The exclusion ``what`` of ``spec`` with its polynomial not yet built (see :func:`exclusion_poly`).

    Examples
    --------
    >>> ex = exclusion("2,q2,q1", "constant-output")
    >>> ex.poly is None, ex.value_mod([1] * 30, 101) == ex.value_mod([1] * 30, 101)
    (True, True)
    """
    spec = parse_spec(spec)
    rng = random.Random(f"exclude:{what}:{seed}")
    if what == "constant-output":
        return Exclusion(what, None, "the output depends on x", spec,
                         (_factor(spec, len(spec.layers), range(spec.n_outputs), rng),))
    if what == "dead-unit":
        if len(spec.layers) < 2:
            raise VarietiesError(f"exclusion 'dead-unit' needs a hidden layer; {spec} has none")
        # One combination per hidden unit: the units are the sub-networks' outputs.
        factors = tuple(_factor(spec, l, [k], rng) for l in range(1, len(spec.layers))
                        for k in range(spec.layers[l - 1].width))
        return Exclusion(what, None, "no hidden unit is constant", spec, factors)
    names = what[len("weights:"):] if what.startswith("weights:") else what
    names = [n.strip() for n in names.split(",") if n.strip()]
    bad = [n for n in names if n not in spec.weights]
    if not names or bad:
        raise VarietiesError(
            f"exclusion {what!r} is neither a preset ({', '.join(PRESETS)}) nor a list of "
            f"weights of {spec}" + (f" (unknown: {', '.join(bad)})" if bad else "")
            + f"; weights are named like {spec.weights[0]}"
        )
    R = weight_ring(spec.weights)
    gens = dict(zip(spec.weights, R.gens))
    g = _random_combination([gens[n] for n in names], R, rng)
    return Exclusion("weights:" + ",".join(names), g, f"not all of {', '.join(names)} vanish",
                     spec)


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

    Returns
    -------
    Exclusion
        With ``poly`` built (:func:`exclusion` leaves it for later).
    """
    ex = exclusion(spec, what, seed)
    ex.polynomial(deadline)
    return ex


def rabinowitsch(problem, excl: Exclusion, tname: str | None = None,
                 deadline: float | None = None) -> None:
    """Add ``t * g - 1`` (``t`` a new, smallest variable) to ``problem``'s extra generators.

    ``deadline``: building ``g`` (when not yet built) and the relation stop
    with :class:`~varieties.timelimit.TimeLimit` past it.
    """
    tname = tname or f"t{len(problem.extra_vars)}"
    order = list(problem.order)
    nv = len(order) + len(problem.extra_vars) + 1
    pad = (0,) * (nv - len(order) - 1) + (1,)
    rel = {m + pad: c for m, c in excl.terms(order, deadline)}
    rel[(0,) * nv] = Fraction(-1)
    # Earlier extra generators gain a zero exponent for the new variable.
    problem.extra_polys = [{mm + (0,): c for mm, c in f.items()} for f in problem.extra_polys]
    problem.extra_vars.append(tname)
    problem.extra_polys.append(rel)
    problem.exclusions.append(excl.name)


def excluded_at(excl: Exclusion, point, p: int, deadline: float | None = None) -> bool:
    """Whether ``g`` vanishes mod ``p`` at ``point`` (spec weight order), by :meth:`Exclusion.value_mod`."""
    return excl.value_mod(point, p, deadline) == 0
