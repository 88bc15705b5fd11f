"""Minimal associated primes mod ``p`` with Singular's ``minAssGTZ``, within a time limit.

**What is decomposed.** The ideal is reduced mod a prime ``p`` and
``minAssGTZ`` returns its minimal primes over ``GF(p)``: the
**GF(p)-irreducible components (mod p)**. These are neither the components
over ``QQ`` nor those over ``C``: ``x^2 + y^2`` is one component mod 32003
(``-1`` is not a square there) but two lines over ``C``; ``x^2 - 3 y^2`` is
one component over ``QQ`` but two lines mod every ``p`` where 3 is a square.
A GF(p)-irreducible component of degree ``d`` is a union of conjugate
components over the algebraic closure whose degrees add up to ``d``. Comparing
the lists from two primes (as :func:`varieties.algebra.analyze` does) flags
components that split differently.

**Slices.** On the full ideal this is rarely feasible (``2,q2,q1`` did not
finish); on a random slice of codimension ``c`` over ``GF(p)`` it is: a
generic slice keeps every component of dimension ``> c`` (as a component of
dimension ``dim - c >= 1`` with the same degree) and drops the smaller ones. A
component of dimension exactly ``c`` becomes finitely many points, which over
``GF(p)`` split into Galois orbits that are not components of ``V``; those are
not reported. So the primes of a slice of codimension ``c`` give the
components of ``V`` of dimension ``> c``.

**Exclusions.** For a system with Rabinowitsch variables ``t`` (the last
``nvars - n_weights`` variables), each prime is projected to weight space by
eliminating ``t``: the dimension, degree and generators reported are those of
a component of the closure of ``V`` minus the excluded locus (no ``t`` in
them), not of the graph of ``t = 1/g``.

Examples
--------
>>> from varieties.algebra.engines import System, singular_binary
>>> s = System(("x", "y"), [{(1, 1): 1}], 32003)   # x*y = 0: two lines
>>> comps = minimal_primes(s, timeout=30) if singular_binary() else None
>>> sorted((c.dim, c.degree) for c in comps.components) if comps else [(1, 1), (1, 1)]
[(1, 1), (1, 1)]
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field

from .._deprecate import deprecated_call
from .._result_methods import ResultMixin
from .engines import (System, _singular_index, parse_poly, poly_to_text, run_singular_script,
                      singular_script)
from .slicing import slice_system


@dataclass
class Component:
    """One GF(p)-irreducible component: dimension (in the full weight space), degree, generators."""

    dim: int
    degree: int | None
    generators: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"dim": self.dim, "degree": self.degree, "n_generators": len(self.generators),
                "generators": self.generators[:8]}


@dataclass
class ComponentsResult(ResultMixin):
    """GF(p)-irreducible components (mod ``prime``) of an ideal or of a random slice of it."""

    status: str
    seconds: float
    components: list[Component] = field(default_factory=list)
    codim: int = 0
    prime: int = 0
    seed: int = 0
    message: str = ""
    n_eliminated: int = 0

    def signature(self) -> list[tuple[int, int | None]]:
        """Sorted ``(dim, degree)`` pairs, for comparing two primes."""
        return sorted(((c.dim, c.degree) for c in self.components),
                      key=lambda t: (-t[0], t[1] or 0))

    def to_dict(self) -> dict:
        """Status, seconds, codim, prime, seed, message and the ``components``."""
        return {"status": self.status, "seconds": self.seconds, "codim": self.codim,
                "prime": self.prime, "seed": self.seed, "message": self.message,
                "n_eliminated": self.n_eliminated,
                "components": [c.to_dict() for c in self.components]}

    def to_frame(self):
        """One row per component: ``dim``, ``degree``, ``n_generators``."""
        import pandas as pd

        rows = [{k: c.to_dict()[k] for k in ("dim", "degree", "n_generators")}
                for c in self.components]
        return pd.DataFrame(rows, columns=["dim", "degree", "n_generators"])

    def summary(self) -> str:
        """One line: status and the ``(dim, degree)`` of the components."""
        sig = ", ".join(f"dim {d} degree {g}" for d, g in self.signature())
        return (f"components ({self.status}, mod {self.prime or 'QQ'}, {self.seconds:.3g} s): "
                f"{len(self.components)}" + (f" [{sig}]" if sig else ""))

    def certificate(self) -> str:
        field_ = f"GF({self.prime})" if self.prime else "QQ"
        where = (f"on a random slice of codim {self.codim} over {field_}, seed {self.seed} "
                 f"(components of dim > {self.codim} only)" if self.codim
                 else f"on the full ideal over {field_}")
        kind = ("GF(p)-irreducible components (mod p), not those over QQ or C"
                if self.prime else "QQ-irreducible components")
        proj = (f", projected to weight space by eliminating {self.n_eliminated} Rabinowitsch "
                "variable(s)" if self.n_eliminated else "")
        return f"Singular minAssGTZ {where}{proj}: {kind}"


@deprecated_call(positional=("timeout", "codim", "seed", "n_weights"))
def minimal_primes(system: System, *, timeout: float = 60.0, codim: int = 0, seed: int = 0,
                   n_weights: int | None = None) -> ComponentsResult:
    """Minimal associated primes of ``system`` (or of a random slice of it) by Singular.

    Over ``GF(p)`` these are the GF(p)-irreducible components (mod ``p``);
    see the module docstring for how they relate to components over ``QQ``
    and ``C``.

    Parameters
    ----------
    system : System
    timeout : float
        Seconds before Singular is killed (``status="timeout"``).
    codim : int
        Decompose a random affine slice of this codimension (0: the ideal itself).
    seed : int
        Seed of the slice.
    n_weights : int, optional
        The first ``n_weights`` variables are weights (sliced); any later
        ones are Rabinowitsch variables, eliminated from each prime.
    """
    start = time.perf_counter()
    n = n_weights if n_weights is not None else system.nvars
    n_extra = system.nvars - n
    sysx = system
    if codim:
        sysx = slice_system(system, codim, seed, None, n)
    if sysx.nvars == 0:
        return ComponentsResult("ok", 0.0, [], codim, system.characteristic, seed,
                                "the slice is a point set of no variables")
    outfile = tempfile.mktemp(suffix=".out")
    if n_extra:
        # Project each prime of I + <t g - 1> to weight space: eliminating t
        # keeps it prime and gives the closure of its image, whose dimension
        # (in the ring with t still there, plus n_extra) and degree are those
        # of a component of V minus the excluded locus.
        ts = "*".join(f"x({j + 1})" for j in range(sysx.nvars - n_extra, sysx.nvars))
        prime_of = f"std(eliminate(L2[q], {ts}))"
    else:
        prime_of = "std(L2[q])"
    body = (
        'LIB "primdec.lib";\n'
        "list L2 = minAssGTZ(i);\n"
        "for (int q = 1; q <= size(L2); q++) {\n"
        f"  ideal P = {prime_of};\n"
        f'  write(L, "@@ " + string(dim(P) - {n_extra}) + " " + string(mult(P)));\n'
        "  for (int m = 1; m <= size(P); m++) { write(L, string(P[m]) + \";\"); }\n"
        "}"
    )
    status, text, secs = run_singular_script(singular_script(sysx, body, outfile), outfile,
                                             timeout)
    res = ComponentsResult(status, time.perf_counter() - start, [], codim,
                           system.characteristic, seed, n_eliminated=n_extra)
    if status != "ok":
        res.message = text
        return res
    names = list(sysx.variables)
    idx = _singular_index(sysx.nvars)
    comps = []
    for block in text.split("@@ ")[1:]:
        head, _, rest = block.partition("\n")
        d, deg = (int(v) for v in head.split()[:2])
        gens = []
        for s in rest.replace("\n", "").split(";"):
            if s.strip():
                f = parse_poly(s, idx, sysx.nvars, sysx.characteristic)
                gens.append(poly_to_text(f, names).replace("(1)*", ""))
        if d < 0:
            continue  # the unit ideal: no component
        if codim and d < 1:
            continue  # points of a slice: Galois orbits mod p, not components of V
        comps.append(Component(d + codim, deg, gens))
    res.components = sorted(comps, key=lambda c: (-c.dim, c.degree or 0))
    return res
