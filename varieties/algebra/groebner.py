"""Reduced Groebner bases, Krull dimension and Hilbert series, exactly.

The dimension of ``V(I)`` equals that of the monomial ideal of leading
monomials ``in(I)`` (any degree-compatible order, grevlex here): it is the
size of the largest set of variables containing the support of no leading
monomial, i.e. ``N`` minus the smallest set of variables meeting every
leading monomial's support (a minimum hitting set, found by branch and bound).

Examples
--------
>>> from sympy import QQ
>>> from sympy.polys.rings import ring
>>> R, x, y, z = ring("x,y,z", QQ)
>>> g = groebner([x*y, x*z], engine="sympy", timeout=30)
>>> g.dim, g.hilbert_numerator, g.degree
(2, [1, 0, -2, 1], 1)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, Sequence

from .._deprecate import deprecated_call
from .._result_methods import ResultMixin, jsonable
from ..errors import EngineError
from .engines import (DEFAULT_PRIME, EngineResult, System, coeff_mod, grevlex_key,
                      leading_monomial, run_elimination, run_groebner)


def sympy_to_system(polys: Sequence, variables: Sequence[str] | None = None,
                    characteristic: int = 0, order: Sequence[str] | None = None,
                    deadline: float | None = None) -> System:
    """Convert sympy ``PolyElement``\\ s of one ring to a :class:`System`.

    ``order`` (a permutation of the ring's variable names) sets the variable
    order of the system, i.e. the grevlex order the engines use.
    ``deadline`` (a ``time.perf_counter()`` value) is checked between
    polynomials; past it :class:`~.engines.TimeLimit` is raised.
    """
    from .engines import check_deadline, exponent_permuter

    if variables is None:
        polys = list(polys)
        if not polys:
            raise EngineError("no polynomials and no variables given")
        variables = [str(g) for g in polys[0].ring.gens]
    variables = list(variables)
    order = list(order) if order is not None else variables
    if sorted(order) != sorted(variables):
        raise EngineError("the variable order must be a permutation of the ring's variables")
    pos = [variables.index(v) for v in order]
    perm = exponent_permuter(pos)
    out = []
    for f in polys:
        check_deadline(deadline)
        out.append({perm(m): Fraction(int(c.numerator), int(c.denominator))
                    for m, c in f.items()})
    if characteristic:
        out = [reduce_mod(d, characteristic) for d in out]
    return System(tuple(order), out, characteristic)


def reduce_mod(f: dict, p: int) -> dict:
    """Reduce a rational polynomial mod ``p`` (denominators must be prime to ``p``)."""
    out = {}
    for m, c in f.items():
        v = coeff_mod(c, p)
        if v:
            out[m] = v
    return out


def min_hitting_set(sets: Iterable[frozenset], limit: int | None = None) -> int:
    """Size of the smallest set meeting every set in ``sets`` (branch and bound)."""
    sets = sorted({frozenset(s) for s in sets}, key=len)
    # Only inclusion-minimal sets matter.
    minimal: list[frozenset] = []
    for s in sets:
        if not any(t <= s for t in minimal):
            minimal.append(s)
    if any(len(s) == 0 for s in minimal):
        raise EngineError("a constant leading monomial: the ideal is the whole ring")
    best = [len(set().union(*minimal)) if minimal else 0]

    def search(remaining: list[frozenset], chosen: int) -> None:
        if not remaining:
            best[0] = min(best[0], chosen)
            return
        if chosen + 1 >= best[0]:
            return
        # Disjoint sets each need their own element: a lower bound.
        lb, used = 0, set()
        for s in remaining:
            if not (s & used):
                lb += 1
                used |= s
        if chosen + lb >= best[0]:
            return
        pivot = min(remaining, key=len)
        for v in sorted(pivot):
            search([s for s in remaining if v not in s], chosen + 1)

    search(minimal, 0)
    return best[0]


def krull_dimension(leading: Iterable[tuple[int, ...]], nvars: int) -> int:
    """Dimension of ``V(I)`` from the leading monomials of a Groebner basis of ``I``.

    Returns ``-1`` for the unit ideal (empty variety).

    Examples
    --------
    >>> krull_dimension([(1, 1, 0), (0, 0, 2)], 3)
    1
    >>> krull_dimension([(0, 0)], 2)
    -1
    """
    supports = []
    for m in leading:
        s = frozenset(i for i, e in enumerate(m) if e)
        if not s:
            return -1
        supports.append(s)
    return nvars - min_hitting_set(supports)


def _poly_mul_shift(p: dict, shift: int, sign: int) -> dict:
    return {k + shift: sign * v for k, v in p.items()}


def _poly_add(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
        if out[k] == 0:
            del out[k]
    return out


def hilbert_numerator(leading: Sequence[tuple[int, ...]], max_nodes: int = 20000,
                      max_gens: int = 150) -> list[int] | None:
    """Numerator ``Q(t)`` of the Hilbert series ``Q(t)/(1-t)^N`` of ``S/in(I)``.

    Recursion ``Q(J + <m>) = Q(J) - t^deg(m) Q(J : m)``; returns ``None`` when it
    would take more than ``max_nodes`` steps or the ideal has more than
    ``max_gens`` generators ("where cheap").
    """
    if len(leading) > max_gens:
        return None
    nodes = [0]

    def minimize(gens):
        gens = sorted(set(gens), key=sum)
        out = []
        for g in gens:
            if not any(all(a <= b for a, b in zip(h, g)) for h in out):
                out.append(g)
        return out

    def rec(gens) -> dict:
        nodes[0] += 1
        if nodes[0] > max_nodes:
            raise _TooBig
        if not gens:
            return {0: 1}
        if all(sum(1 for e in g if e) == 1 for g in gens):
            # Pairwise coprime pure powers: product of (1 - t^d).
            out = {0: 1}
            for g in gens:
                out = _poly_add(out, _poly_mul_shift(out, sum(g), -1))
            return out
        *rest, m = gens
        colon = minimize(tuple(max(a - b, 0) for a, b in zip(h, m)) for h in rest)
        return _poly_add(rec(rest), _poly_mul_shift(rec(colon), sum(m), -1))

    try:
        q = rec(minimize(leading))
    except _TooBig:
        return None
    top = max(q) if q else 0
    return [q.get(k, 0) for k in range(top + 1)]


class _TooBig(Exception):
    pass


def hilbert_reduced(numerator: list[int], nvars: int) -> tuple[list[int], int]:
    """Divide ``Q(t)/(1-t)^N`` to ``P(t)/(1-t)^d`` with ``P(1) != 0``; returns ``(P, d)``."""
    p = list(numerator)
    d = nvars
    while d > 0 and sum(p) == 0:
        # Divide by (1 - t): synthetic division.
        q, acc = [], 0
        for c in p[:-1]:
            acc += c
            q.append(acc)
        p = q or [0]
        d -= 1
    return p, d


@dataclass
class GroebnerResult(ResultMixin):
    """A reduced Groebner basis with its dimension and Hilbert data.

    ``dim`` is ``-1`` for the unit ideal; ``degree`` is the degree of the
    projective closure (``P(1)`` of the reduced Hilbert series), ``None`` when
    not computed.
    """

    system: System
    engine: str
    status: str
    seconds: float
    basis: list[dict] | None = None
    dim: int | None = None
    hilbert_numerator: list[int] | None = None
    degree: int | None = None
    message: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def leading(self) -> list[tuple[int, ...]]:
        return [leading_monomial(f) for f in self.basis or []]

    @property
    def is_unit(self) -> bool:
        return self.dim == -1

    def to_dict(self) -> dict:
        """Variables, characteristic (``prime``), engine, status, seconds, ``dim``,
        ``degree``, Hilbert numerator, message and the basis as text."""
        return {
            "variables": list(self.system.variables), "prime": self.system.characteristic,
            "engine": self.engine, "status": self.status, "seconds": self.seconds,
            "dim": self.dim, "degree": self.degree,
            "hilbert_numerator": self.hilbert_numerator, "message": self.message,
            "basis": self.basis_exprs() if self.basis is not None else None,
            "extra": jsonable(self.extra),
        }

    def to_frame(self):
        """One row per basis element: ``generator`` (text) and its ``terms``."""
        import pandas as pd

        rows = [{"generator": text, "terms": len(f)}
                for text, f in zip(self.basis_exprs(), self.basis or [])]
        return pd.DataFrame(rows, columns=["generator", "terms"])

    def summary(self) -> str:
        """One line: status, dimension, degree, basis size, engine and time."""
        size = "no basis" if self.basis is None else f"{len(self.basis)} generators"
        return (f"Groebner basis ({self.engine}, {self.status}, {self.seconds:.3g} s): "
                f"dim {self.dim}, degree {self.degree}, {size} in {self.system.nvars} "
                "variables" + (f"; {self.message}" if self.message else ""))

    def basis_exprs(self) -> list[str]:
        """The basis as strings in the system's variable names."""
        from .engines import poly_to_text

        names = list(self.system.variables)
        out = []
        for f in self.basis or []:
            terms = sorted(f.items(), key=lambda kv: grevlex_key(kv[0]), reverse=True)
            out.append(poly_to_text(dict(terms), names).replace("(1)*", ""))
        return out


@deprecated_call(positional=("engine", "timeout", "characteristic", "order", "hilbert"),
                 renamed={"characteristic": "prime"})
def groebner(polys: Any, *, engine: str = "sympy", timeout: float = 60.0, prime: int = 0,
             order: Sequence[str] | None = None, hilbert: bool = True) -> GroebnerResult:
    """Reduced grevlex Groebner basis, Krull dimension and (when cheap) Hilbert series.

    Parameters
    ----------
    polys : System or list of sympy PolyElement
        The ideal's generators.
    engine : {"sympy", "singular", "msolve"}
    timeout : float
        Seconds before the engine is killed (``status="timeout"``).
    prime : int
        The field's characteristic: 0 for ``QQ`` (the default), or a prime
        for ``GF(prime)``; ignored when ``polys`` is a System.
    order : list of str, optional
        Variable order (first = largest in grevlex).
    hilbert : bool
        Also compute the Hilbert series numerator and degree (skipped if large).
    """
    if isinstance(polys, System):
        system = polys
    else:
        system = sympy_to_system(polys, characteristic=prime, order=order)
    res: EngineResult = run_groebner(system, engine, timeout)
    return _result(system, system, engine, res, hilbert)


@deprecated_call(positional=("engine", "timeout", "hilbert"))
def elimination(system: System, n_elim: int, *, engine: str = "sympy", timeout: float = 60.0,
                hilbert: bool = True) -> GroebnerResult:
    """Like :func:`groebner`, for the ideal with the last ``n_elim`` variables eliminated.

    With an exclusion's Rabinowitsch variables ``t`` last this is the
    saturation ``I : g^infinity``: its ``dim`` and ``degree`` are those of the
    closure of ``V(I)`` minus ``{g = 0}``. (The basis of ``I + <t g - 1>``
    itself gives the same dimension but the degree of the graph of
    ``t = 1/g``, which is larger in general.) The result's ``system`` has the
    remaining variables and no generators; ``basis`` is over them.

    Examples
    --------
    >>> s = System(("x", "y", "t"), [{(1, 1, 0): 1}, {(1, 0, 1): 1, (0, 0, 0): -1}], 0)
    >>> r = elimination(s, 1, engine="sympy", timeout=30)   # xy = 0, x != 0: the line y = 0
    >>> r.dim, r.degree, r.basis_exprs()
    (1, 1, ['y^1'])
    """
    res: EngineResult = run_elimination(system, n_elim, engine, timeout)
    keep = System(system.variables[:system.nvars - n_elim], [], system.characteristic)
    return _result(system, keep, engine, res, hilbert)


def _result(system: System, target: System, engine: str, res: EngineResult,
            hilbert: bool) -> GroebnerResult:
    out = GroebnerResult(target, engine, res.status, res.seconds, res.basis, message=res.message)
    if res.ok:
        out.dim = krull_dimension(out.leading, target.nvars)
        if hilbert and out.dim >= 0:
            num = hilbert_numerator(out.leading)
            if num is not None:
                out.hilbert_numerator = num
                red, d = hilbert_reduced(num, target.nvars)
                out.degree = sum(red)
        elif out.dim == -1:
            out.degree = 0
    return out
