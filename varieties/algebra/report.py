"""``VarietyReport``: what :func:`varieties.algebra.analyze` found, with certificates.

Examples
--------
>>> r = VarietyReport(spec="2,l1", group="S2", kind="invariant", n_weights=2,
...                   n_constraints=1, dim=1, dim_lower=1, dim_upper=1,
...                   certificate="Groebner basis over QQ")
>>> r.to_row()["dim"], r.settled
(1, True)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class VarietyReport:
    """The variety of symmetric weights of one network: dimension (or bounds) and more.

    Attributes
    ----------
    spec, group, kind : str
        The network and its symmetry.
    n_weights, n_constraints : int
    dim : int or None
        The dimension when the bounds meet, else ``None``.
    dim_lower, dim_upper : int or None
        Bounds on the dimension (of the part outside the exclusions, if any).
    certificate : str
        How each bound was obtained: method, engine, prime, seed; modular and
        probabilistic certificates say so.
    components : list of dict
        Minimal primes (``dim``, ``degree``, generators) when computed.
    census : dict or None
        Numerical local-dimension histogram (float64; see :mod:`.census`).
    function_dim : int or None
        Dimension of the space of network functions on the largest exact
        family (a rigorous lower bound for the functions in ``V``).
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

    @property
    def settled(self) -> bool:
        return self.dim is not None

    def to_dict(self) -> dict:
        return asdict(self)

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
            lines.append(f"  components: {comps}")
        if self.census:
            lines.append(f"  census (numerical, float64): local dims {self.census['histogram']} "
                         f"at {self.census['n_converged']} of {self.census['n_points']} points "
                         "(the others did not converge or were excluded)")
        if self.function_dim is not None:
            lines.append(f"  function-space dim (largest exact family): {self.function_dim}")
        if self.message:
            lines.append(f"  note: {self.message}")
        return "\n".join(lines)
