"""Minimal associated primes with Singular's ``minAssGTZ``, within a time limit.

On the full ideal this is rarely feasible (``2,q2,q1`` did not finish); on a
random slice of codimension ``c`` over ``GF(p)`` it is: a generic slice keeps
every component of dimension ``> c`` (as an irreducible component of dimension
``dim - c >= 1`` with the same degree) and drops the smaller ones. A component
of dimension exactly ``c`` becomes finitely many points, which over ``GF(p)``
split into Galois orbits that are not components of ``V``; those are not
reported. So the primes of a slice of codimension ``c`` give the components of
``V`` of dimension ``> c``.

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

from .engines import System, parse_poly, run_singular_script, _singular_index
from .slicing import slice_system


@dataclass
class Component:
    """One minimal prime: its dimension (in the full weight space), degree, generators."""

    dim: int
    degree: int | None
    generators: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"dim": self.dim, "degree": self.degree, "n_generators": len(self.generators),
                "generators": self.generators[:8]}


@dataclass
class ComponentsResult:
    status: str
    seconds: float
    components: list[Component] = field(default_factory=list)
    codim: int = 0
    prime: int = 0
    seed: int = 0
    message: str = ""

    def certificate(self) -> str:
        where = (f"on a random slice of codim {self.codim} over GF({self.prime}), seed "
                 f"{self.seed} (components of dim > {self.codim} only)" if self.codim
                 else f"on the full ideal over {'GF(%d)' % self.prime if self.prime else 'QQ'}")
        return f"Singular minAssGTZ {where}"


def minimal_primes(system: System, timeout: float = 60.0, codim: int = 0, seed: int = 0,
                   n_weights: int | None = None) -> ComponentsResult:
    """Minimal associated primes of ``system`` (or of a random slice of it) by Singular."""
    start = time.perf_counter()
    sysx = system
    if codim:
        n = n_weights if n_weights is not None else system.nvars
        sysx = slice_system(system, codim, seed, list(range(n - codim, n)))
    if sysx.nvars == 0:
        return ComponentsResult("ok", 0.0, [], codim, system.characteristic, seed,
                                "the slice is a point set of no variables")
    outfile = tempfile.mktemp(suffix=".out")
    body = (
        'LIB "primdec.lib";\n'
        "list L2 = minAssGTZ(i);\n"
        "for (int k = 1; k <= size(L2); k++) {\n"
        "  ideal P = std(L2[k]);\n"
        '  write(L, "@@ " + string(dim(P)) + " " + string(mult(P)));\n'
        "  for (int m = 1; m <= size(P); m++) { write(L, string(P[m]) + \";\"); }\n"
        "}"
    )
    from .engines import singular_script

    status, text, secs = run_singular_script(singular_script(sysx, body, outfile), outfile,
                                             timeout)
    res = ComponentsResult(status, time.perf_counter() - start, [], codim,
                           system.characteristic, seed)
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
                from .engines import poly_to_text

                gens.append(poly_to_text(f, names).replace("(1)*", ""))
        if codim and d < 1:
            continue  # points of a slice: Galois orbits mod p, not components of V
        comps.append(Component(d + codim, deg, gens))
    res.components = sorted(comps, key=lambda c: (-c.dim, c.degree or 0))
    return res
