"""The constraint ideal of a network as an engine :class:`~.engines.System`.

The variable order is chosen deliberately, because it decides whether a
Groebner basis finishes at all (``2,q2,q1`` timed out in every engine with the
weights in layer order and took 10 s in Singular the other way round): the
output layer comes first (largest in grevlex), and within a layer constants
come before linear weights before quadratic ones. Every constraint is linear
in the last layer's weights, so putting them first lets the engine eliminate
them as early as possible.

Examples
--------
>>> from varieties.network import parse_spec
>>> variable_order(parse_spec("2,a1,a1"))
['C2_0', 'B2_0_0', 'C1_0', 'B1_0_0', 'B1_0_1']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .._deprecate import deadline_to_timeout, deprecated_call
from ..constraints import ConstraintSet, constraints
from ..network import NetworkSpec, parse_spec
from .engines import DEFAULT_PRIME, System
from .groebner import reduce_mod, sympy_to_system

_PART_RANK = {"C": 0, "B": 1, "A": 2}


def variable_order(spec: NetworkSpec) -> list[str]:
    """Weights ordered: last layer first; within a layer ``C`` < ``B`` < ``A`` positions."""
    idx = sorted(spec.weight_index,
                 key=lambda w: (-w.layer, _PART_RANK[w.part], w.k, w.i or 0, w.j or 0))
    return [w.name for w in idx]


@dataclass
class Problem:
    """A network's constraint ideal, ready for the engines.

    Attributes
    ----------
    spec, group, kind : the network and its symmetry
    cs : ConstraintSet
    order : list of str
        Variable order used for every system built from this problem.
    extra_polys : list of dict
        Extra generators (in ``order``'s variables plus ``extra_vars``), e.g.
        the Rabinowitsch relation of an exclusion.
    extra_vars : list of str
        Extra variables appended after the weights (e.g. ``t``), smallest.
    """

    spec: NetworkSpec
    group: str
    kind: str
    cs: ConstraintSet
    order: list[str]
    extra_polys: list[dict] = field(default_factory=list)
    extra_vars: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    # The constraints as a System over QQ, built once: converting them is the
    # expensive part, and every prime's system is derived from it.
    _qq: System | None = field(default=None, repr=False, compare=False)

    def polys(self):
        """The constraint polynomials, converted to sympy one at a time as they are read.

        A re-iterable view, unlike :attr:`ConstraintSet.polys`, which converts
        them all at once (a minute for ``3,q3,q3,q1``): a consumer that
        checks a deadline between polynomials can stop part-way.
        """
        return _LazyPolys(self.cs)

    @property
    def n_weights(self) -> int:
        return len(self.order)

    @property
    def variables(self) -> list[str]:
        return list(self.order) + list(self.extra_vars)

    def system(self, characteristic: int = 0, deadline: float | None = None) -> System:
        """The ideal (constraints plus extra generators) over ``QQ`` or ``GF(p)``.

        ``deadline``: see :func:`~.groebner.sympy_to_system`.
        """
        if self._qq is None:
            self._qq = sympy_to_system(self.polys(), list(self.cs.weights), 0, self.order,
                                       deadline)
        base = self._qq.polys
        if characteristic:
            from ..timelimit import check_deadline

            reduced = []
            for f in base:
                # Reducing a million terms mod p takes tens of seconds: honour the deadline.
                check_deadline(deadline)
                reduced.append(reduce_mod(f, characteristic))
            base = reduced
        k = len(self.extra_vars)
        polys = [{m + (0,) * k: c for m, c in f.items()} for f in base] if k else list(base)
        polys += [dict(f) for f in self.extra_polys]
        return System(tuple(self.variables), polys, characteristic)


class _LazyPolys:
    """Re-iterable view of a constraint set's sympy polynomials (each converted once, on use)."""

    def __init__(self, cs: ConstraintSet):
        self.cs = cs

    def __iter__(self):
        return (c.poly for c in self.cs.constraints)

    def __len__(self) -> int:
        return len(self.cs.constraints)


@deprecated_call(positional=("full", "order", "deadline", "progress"),
                 renamed={"deadline": ("timeout", deadline_to_timeout)})
def build_problem(spec: NetworkSpec | str, group="symmetric", kind: str | None = None, *,
                  full: bool = False, order: Sequence[str] | None = None,
                  timeout: float | None = None, progress: bool = False) -> Problem:
    """Constraints of ``spec`` under ``group``/``kind`` with the deliberate variable order.

    ``kind`` defaults to :func:`~varieties.actions.default_kind`; ``timeout``
    (seconds) bounds building the constraints: past it
    :class:`~varieties.timelimit.TimeLimit` is raised; ``progress`` shows
    their progress bars (on a terminal).
    """
    spec = parse_spec(spec, full=full)
    cs = constraints(spec, group=group, kind=kind, timeout=timeout, progress=progress)
    return Problem(spec, str(cs.group), cs.kind, cs,
                   list(order) if order else variable_order(spec))
