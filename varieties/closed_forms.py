r"""Closed forms for the number of free parameters of symmetric polynomial maps.

For ``S_n`` acting on ``R^n`` the homogeneous polynomial maps of degree ``d``
have bases indexed by orbits:

* invariant maps ``R^n -> R``: orbits of monomials ``x^m``, ``|m| = d``, i.e.
  partitions of ``d`` into at most ``n`` parts: ``p(d, <= n)``;
* equivariant maps ``R^n -> R^n``: orbits of pairs (output ``k``, monomial);
  fixing ``k`` leaves ``S_{n-1}`` on the other variables, and with ``a`` the
  exponent of ``x_k`` that gives ``sum_{a=0..d} p(d-a, <= n-1)``.

A layer of kind ``q`` has degrees 0, 1, 2, ``s`` degree 2, ``l`` degree 1,
``a`` degrees 0 and 1, and its function-space dimension is the sum over its
degrees. For any group, Burnside's lemma counts the same orbits by averaging
fixed points over all elements (:func:`burnside_count`), a check that needs no
closed form.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from .errors import VarietiesError

LAYER_DEGREES = {"q": (0, 1, 2), "s": (2,), "l": (1,), "a": (0, 1)}


@lru_cache(maxsize=None)
def partitions_at_most(e: int, m: int) -> int:
    """``p(e, <= m parts)``: partitions of ``e`` into at most ``m`` parts.

    Examples
    --------
    >>> [partitions_at_most(e, 2) for e in range(6)]
    [1, 1, 2, 2, 3, 3]
    >>> partitions_at_most(4, 10)   # 4, 31, 22, 211, 1111
    5
    """
    if e < 0 or m < 0:
        return 0
    if e == 0:
        return 1
    if m == 0:
        return 0
    # Either fewer than m parts, or exactly m parts: subtract 1 from each.
    return partitions_at_most(e, m - 1) + partitions_at_most(e - m, m)


def invariant_count(n: int, d: int) -> int:
    """Dimension of ``S_n``-invariant homogeneous polynomials of degree ``d`` in ``n`` variables.

    Examples
    --------
    >>> invariant_count(3, 2)   # x_i^2 summed, x_i x_j summed
    2
    """
    return partitions_at_most(d, n)


def equivariant_count(n: int, d: int) -> int:
    """Dimension of ``S_n``-equivariant homogeneous polynomial maps ``R^n -> R^n`` of degree ``d``.

    Examples
    --------
    >>> equivariant_count(5, 1)   # W = alpha I + beta 11^T
    2
    >>> equivariant_count(5, 2)   # x_k^2, x_k sum x_i, sum x_i^2, sum_{i<j} x_i x_j
    4
    """
    return sum(partitions_at_most(d - a, n - 1) for a in range(d + 1))


def layer_function_dim(n: int, layer_kind: str, kind: str) -> int:
    """Closed-form function-space dimension of one ``S_n``-symmetric layer on ``n`` inputs.

    For ``kind="equivariant"`` the layer has ``n`` outputs permuted like the
    inputs; for ``kind="invariant"`` the count is **per output**: a layer of
    width ``w`` with every output invariant has ``w`` times this dimension.

    Examples
    --------
    >>> layer_function_dim(4, "q", "equivariant"), layer_function_dim(4, "q", "invariant")
    (7, 4)
    """
    if layer_kind not in LAYER_DEGREES:
        raise VarietiesError(f"unknown layer kind {layer_kind!r}; choose one of q, s, l, a")
    count = {"equivariant": equivariant_count, "invariant": invariant_count}.get(kind)
    if count is None:
        raise VarietiesError(f"no S_n closed form for kind {kind!r}; use burnside_count")
    return sum(count(n, d) for d in LAYER_DEGREES[layer_kind])


def _fixed_monomials(cycle_lengths: list[int], d: int) -> int:
    """Monomials of degree ``d`` fixed by a permutation: coefficient of t^d in prod 1/(1-t^c)."""
    ways = [1] + [0] * d
    for c in cycle_lengths:
        for s in range(c, d + 1):
            ways[s] += ways[s - c]
    return ways[d]


def _cycle_lengths(g) -> list[int]:
    seen, out = set(), []
    for s in range(len(g)):
        if s in seen:
            continue
        length, i = 0, s
        while i not in seen:
            seen.add(i)
            i = g[i]
            length += 1
        out.append(length)
    return out


def burnside_count(pairs, degrees) -> int:
    """Orbits of ``(output k, monomial)`` pairs by Burnside's lemma.

    Parameters
    ----------
    pairs : iterable of (a, b)
        For every group element: its permutation ``a`` of the inputs and ``b``
        of the outputs (all elements, not generators).
    degrees : iterable of int
        Monomial degrees present (e.g. ``(0, 1, 2)`` for a ``q`` layer).

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> els = symmetric(4).elements()
    >>> burnside_count([(g, g) for g in els], (0, 1, 2))
    7
    """
    total, order = Fraction(0), 0
    degrees = tuple(degrees)
    for a, b in pairs:
        order += 1
        fixed_out = sum(1 for k, bk in enumerate(b) if bk == k)
        cyc = _cycle_lengths(a)
        total += fixed_out * sum(_fixed_monomials(cyc, d) for d in degrees)
    result = total / order
    assert result.denominator == 1, "Burnside average must be an integer"
    return int(result)
