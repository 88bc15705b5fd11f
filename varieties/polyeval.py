"""Float64 evaluation of sparse polynomial systems and their Jacobians (numerical).

One evaluator serves every numerical method of the package: the census of
:mod:`varieties.algebra.census` (Gauss-Newton projection, local dimensions),
its exclusion and function-space checks, and the projected training of
:mod:`varieties.learn.projected`. A system is compiled once into flat numpy
arrays, so evaluating it needs neither sympy nor a Python loop over
polynomials. Everything here is floating point (float64); the methods that
compare values with zero state their tolerances.

Examples
--------
>>> circle = compile_polys([{(2, 0): 1, (0, 2): 1, (0, 0): -1}], 2)
>>> circle.values([0.6, 0.8]).round(12).tolist(), circle.jacobian([0.6, 0.8]).tolist()
([0.0], [[1.2, 1.6]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

# A term: (polynomial index, coefficient, [(variable index, exponent), ...]).
Term = tuple[int, float, Sequence[tuple[int, int]]]


@dataclass
class CompiledPolys:
    """Polynomials as arrays: term ``t`` is ``coef[t] * prod_f w[var[t,f]]**exp[t,f]``.

    ``var`` is padded with index ``n_vars`` (a constant 1) and exponent 0;
    ``poly[t]`` is the polynomial that term ``t`` belongs to.

    Examples
    --------
    >>> p = compile_polys([{(1, 1): 2, (0, 0): -1}], 2)   # 2xy - 1
    >>> p.values([1.0, 3.0]).tolist(), p.jacobian([1.0, 3.0]).tolist()
    ([5.0], [[6.0, 2.0]])
    """

    n_vars: int
    n_polys: int
    poly: np.ndarray
    coef: np.ndarray
    var: np.ndarray
    exp: np.ndarray

    def _factors(self, w):
        w_ext = np.append(np.asarray(w, dtype=np.float64), 1.0)
        fac = w_ext[self.var]
        # Most exponents are 1; a float ``**`` over all factors would dominate the cost.
        fac[self.exp == 0] = 1.0
        high = self.exp > 1
        fac[high] **= self.exp[high]
        return w_ext, fac

    def _terms(self, w) -> np.ndarray:
        return self.coef * self._factors(w)[1].prod(axis=1)

    def values(self, w) -> np.ndarray:
        """The polynomials at ``w``, shape ``(n_polys,)``."""
        if self.n_polys == 0:
            return np.zeros(0)
        return np.bincount(self.poly, self._terms(w), minlength=self.n_polys)

    def scale(self, w) -> np.ndarray:
        """``sum |term|`` per polynomial: the size of float64 rounding in :meth:`values`."""
        return self.values_and_scale(w)[1]

    def values_and_scale(self, w) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`values` and :meth:`scale` from one evaluation of the terms."""
        if self.n_polys == 0:
            return np.zeros(0), np.zeros(0)
        t = self._terms(w)
        return (np.bincount(self.poly, t, minlength=self.n_polys),
                np.bincount(self.poly, np.abs(t), minlength=self.n_polys))

    def jacobian(self, w) -> np.ndarray:
        """``J[p, i] = d f_p / d w_i``, shape ``(n_polys, n_vars)``."""
        N = self.n_vars
        if self.n_polys == 0:
            return np.zeros((0, N))
        w_ext, fac = self._factors(w)
        flat = np.zeros(self.n_polys * (N + 1))
        for f in range(self.var.shape[1]):
            e = self.exp[:, f]
            base = w_ext[self.var[:, f]]
            d = np.where(e == 1, 1.0, 0.0)
            high = e > 1
            d[high] = e[high] * base[high] ** (e[high] - 1)
            others = np.prod(np.delete(fac, f, axis=1), axis=1)
            flat += np.bincount(self.poly * (N + 1) + self.var[:, f], self.coef * d * others,
                                minlength=flat.size)
        return flat.reshape(self.n_polys, N + 1)[:, :N]


def compile_terms(terms: Iterable[Term], n_vars: int, n_polys: int,
                  normalize: bool = False) -> CompiledPolys:
    """Compile ``(polynomial index, coefficient, factors)`` terms into a :class:`CompiledPolys`.

    With ``normalize`` every polynomial is divided by its largest absolute
    coefficient, so that polynomials given up to a scalar (constraints) have
    comparable sizes.

    Examples
    --------
    >>> p = compile_terms([(0, 4, [(0, 2)]), (0, -2, [])], 1, 1, normalize=True)
    >>> p.values([1.0]).tolist()
    [0.5]
    """
    polys, coefs, factors = [], [], []
    for p_idx, v, fs in terms:
        polys.append(p_idx)
        coefs.append(float(v))
        factors.append(fs)
    poly = np.array(polys, dtype=np.intp)
    coef = np.array(coefs, dtype=np.float64)
    if normalize and coef.size:
        top = np.zeros(n_polys)
        np.maximum.at(top, poly, np.abs(coef))
        coef = coef / top[poly]
    width = max((len(f) for f in factors), default=0) or 1
    var = np.full((len(factors), width), n_vars, dtype=np.intp)
    exp = np.zeros((len(factors), width), dtype=np.float64)
    for t, fs in enumerate(factors):
        for slot, (i, e) in enumerate(fs):
            var[t, slot] = i
            exp[t, slot] = e
    return CompiledPolys(n_vars, n_polys, poly, coef, var, exp)


def compile_polys(polys: Sequence[Mapping[tuple, object]], n_vars: int,
                  normalize: bool = False) -> CompiledPolys:
    """Compile polynomials given as ``{exponent tuple: coefficient}`` (an engine ``System``'s form).

    Coefficients may be anything ``float()`` accepts (``Fraction``, ``int``, ``QQ``).

    Examples
    --------
    >>> compile_polys([{(1, 0): 1}, {(0, 3): 2}], 2).values([5.0, 2.0]).tolist()
    [5.0, 16.0]
    """
    terms = ((p, v, [(i, int(e)) for i, e in enumerate(m) if e])
             for p, f in enumerate(polys) for m, v in f.items())
    return compile_terms(terms, n_vars, len(polys), normalize)


def native_terms(poly, pos: Mapping[str, int]):
    """Yield ``(float coefficient, [(variable index, exponent), ...])`` of a weight polynomial.

    ``poly`` is an expansion's native polynomial: a python-flint ``fmpq_mpoly``
    or a sympy ``PolyElement``; ``pos`` maps variable names to indices.
    python-flint polynomials are read from their string form, which is an
    order of magnitude faster than listing dense exponent tuples of hundreds
    of variables; sympy ones from their items. The tests compare the compiled
    polynomials with exact sympy evaluation.

    Examples
    --------
    >>> from sympy import QQ
    >>> from sympy.polys.rings import ring
    >>> R, a, b = ring("a,b", QQ)
    >>> sorted(native_terms(3 * a**2 * b - b / 2, {"a": 1, "b": 0}))
    [(-0.5, [(0, 1)]), (3.0, [(1, 2), (0, 1)])]
    """
    if hasattr(poly, "ring"):
        idx = [pos[str(g)] for g in poly.ring.gens]
        for m, v in poly.items():
            yield float(v), [(idx[i], int(e)) for i, e in enumerate(m) if e]
        return
    text = poly.str().replace(" - ", " + -")
    for term in text.split(" + "):
        sign = 1.0
        if term.startswith("-"):
            sign, term = -1.0, term[1:]
        coef, fs = 1.0, []
        for part in term.split("*"):
            if part[0].isdigit():
                num, _, den = part.partition("/")
                coef = int(num) / int(den) if den else float(int(num))
            else:
                name, _, e = part.partition("^")
                fs.append((pos[name], int(e) if e else 1))
        yield sign * coef, fs
