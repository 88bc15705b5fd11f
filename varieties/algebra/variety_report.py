"""``VarietyReport``: what :func:`varieties.algebra.analyze` found, with certificates.

Examples
--------
>>> r = VarietyReport(spec="2,l1", group="S2", kind="invariant", n_weights=2,
...                   n_constraints=1, dim=1, dim_lower=1, dim_upper=1,
...                   certificate="Groebner basis over QQ", certainty="exact")
>>> r.to_row()["dim"], r.settled, r.proven
(1, True, True)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

# How sure the bounds are, strongest first (see VarietyReport.certainty).
CERTAINTIES = ("exact", "probabilistic", "modular")


@dataclass
class VarietyReport:
    """The variety of symmetric weights of one network: dimension (or bounds) and more.

    Attributes
    ----------
    spec, group, kind : str
        The network and its symmetry.
    n_weights, n_constraints : int
        (``n_constraints`` is ``None`` in the report of an analysis killed at
        the command line's hard time limit.)
    dim : int or None
        The dimension when the bounds meet, else ``None``. Meeting bounds are
        only as sure as ``certainty`` says.
    dim_lower, dim_upper : int or None
        Bounds on the dimension (of the closure of ``V`` minus the excluded
        loci, if any; ``-1`` means empty).
    certainty : str
        How sure ``dim_lower`` and ``dim_upper`` are; the weaker of the two:

        ``exact``
            Both bounds are proven over ``QQ``: a reduced Groebner basis over
            ``QQ`` without exclusions, exact families (orbit rank mod a prime,
            a rigorous lower bound; the family lies in ``V`` by construction,
            checked at a random point), or the trivial bounds (``0``, or
            ``-1`` with exclusions, and the number of weights).
        ``probabilistic``
            No bound rests on a modular computation, but one rests on a
            random choice over ``QQ``: with an exclusion, the Groebner basis
            describes ``V`` minus ``{g = 0}`` for a random combination ``g``
            of the locus' equations, which gives the upper bound only for
            generic ``g`` (with high probability; the lower bound is proven).
        ``modular``
            Some bound rests on a computation mod ``prime`` (random slices,
            an msolve basis): it holds for all but finitely many primes and
            for generic slices, so it is probabilistic too; ``prime`` says
            which prime.
        ``None`` only in the report of an analysis that was killed at the
        command line's hard time limit (then nothing was proven and the
        bounds are ``None`` too).
    prime : int or None
        The prime of the modular bounds when ``certainty`` is ``modular``.
    certificate : str
        How each bound was obtained: method, engine, prime, seed; modular and
        probabilistic certificates say so.
    components : list of dict
        GF(p)-irreducible components mod ``p`` (``dim``, ``degree``,
        generators in the weights) when computed; with exclusions, of the
        closure of ``V`` minus the excluded loci. These are neither the
        components over ``QQ`` nor over ``C`` (see
        :mod:`varieties.algebra.components`).
    census : dict or None
        Numerical local-dimension histogram (float64; see :mod:`.census`).
    function_dim : int or None
        Dimension of the set of functions the weights in ``V`` compute, when
        its bounds meet (:mod:`.function_bounds`), else ``None``.
    function_dim_lower, function_dim_upper : int or None
        Its bounds: the best exact family's function dimension (rigorous),
        and the least of the equivariant polynomial count (exact), the
        neurovariety dimension (probabilistic) and image slices (modular).
    function_dim_certainty : str or None
        The weaker of the two bounds' certainties (``exact``,
        ``probabilistic``, ``modular``), as for ``certainty``.
    engine, method : str
        The engine, and the method actually used (``auto`` says which).
    seconds : float
    status : str
        ``ok``, ``timeout`` (some computation hit its limit; bounds are what
        was proven before) or ``error``.
    message : str
    exclusions : list of str
    families : list of dict
    steps : list of dict
        Every engine call: what, codim, status, seconds.
    basis_size : int or None
        Size of the reduced Groebner basis, when one was computed.
    degree : int or None
        Degree of the variety (of the closure of ``V`` minus the excluded
        loci, computed after eliminating the Rabinowitsch variables), from a
        Groebner basis; ``None`` when not computed (``message`` says why).
        As sure as ``certainty``.
    """

    spec: str
    group: str
    kind: str
    n_weights: int
    n_constraints: int
    dim: int | None = None
    dim_lower: int | None = None
    dim_upper: int | None = None
    certificate: str = ""
    components: list = field(default_factory=list)
    census: dict | None = None
    function_dim: int | None = None
    function_dim_lower: int | None = None
    function_dim_upper: int | None = None
    function_dim_certainty: str | None = None
    engine: str = "sympy"
    method: str = "auto"
    seconds: float = 0.0
    status: str = "ok"
    message: str = ""
    exclusions: list = field(default_factory=list)
    families: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    basis_size: int | None = None
    degree: int | None = None
    certainty: str | None = None
    prime: int | None = None

    @property
    def settled(self) -> bool:
        """The bounds meet (as sure as ``certainty``; see :attr:`proven`)."""
        return self.dim is not None

    @property
    def proven(self) -> bool:
        """The bounds meet and both are proven over ``QQ`` (``certainty == "exact"``)."""
        return self.dim is not None and self.certainty == "exact"

    def certainty_text(self) -> str:
        """``exact``, ``modular: mod 32003, probabilistic`` or ``probabilistic: ...``."""
        if self.certainty == "modular":
            return f"modular: mod {self.prime}, probabilistic"
        if self.certainty == "probabilistic":
            return "probabilistic: a random combination of each excluded locus' equations"
        return self.certainty or "unknown"

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, **kwargs) -> str:
        """:meth:`to_dict` as JSON text (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.to_dict(), default=str, **kwargs)

    def to_row(self) -> dict:
        """Flat, CSV-friendly: lists and dicts JSON-encoded."""
        out = {}
        for k, v in asdict(self).items():
            out[k] = json.dumps(v, default=str) if isinstance(v, (list, dict)) else v
        return out

    def to_frame(self):
        """One-row ``pandas.DataFrame`` of :meth:`to_row`."""
        import pandas as pd

        return pd.DataFrame([self.to_row()])

    def summary(self) -> str:
        """A few human-readable lines."""
        dim = (f"dim = {self.dim}" if self.dim is not None
               else f"{self.dim_lower} <= dim <= {self.dim_upper}")
        dim += f" ({self.certainty_text()})"
        excl = f" excluding {', '.join(self.exclusions)}" if self.exclusions else ""
        lines = [f"{self.spec} {self.kind} under {self.group}{excl}: {self.n_weights} weights, "
                 f"{self.n_constraints} constraints",
                 f"  {dim}   [method {self.method}, engine {self.engine}, "
                 f"{self.seconds:.2f} s, status {self.status}]"]
        for c in self.certificate.split("; "):
            if c:
                lines.append(f"  - {c}")
        if self.components:
            comps = ", ".join(f"dim {c['dim']} deg {c['degree']}" for c in self.components)
            lines.append(f"  components (GF(p)-irreducible, mod p): {comps}")
        if self.census:
            lines.append(f"  census (numerical, float64): local dims {self.census['histogram']} "
                         f"at {self.census['n_converged']} of {self.census['n_points']} points "
                         "(the others did not converge or were excluded)")
        if self.function_dim is not None:
            lines.append(f"  function-space dim (largest exact family): {self.function_dim}")
        if self.message:
            lines.append(f"  note: {self.message}")
        return "\n".join(lines)
