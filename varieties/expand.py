"""Exact expansion of a whole network into a polynomial in ``x`` over ``QQ[w]``.

Each output ``F_k`` is returned as a map ``x-exponent tuple -> coefficient``,
the coefficient a polynomial in the weights with rational coefficients. Two
backends compute it: sympy's sparse polynomial rings (``sympy.polys.rings``,
always there) and python-flint's ``fmpq_mpoly`` (the ``fast`` extra), which
give identical results; ``backend="auto"`` takes flint when it is installed.
No floating point is involved anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._deprecate import deadline_to_timeout, deprecated_call
from ._result_methods import ResultMixin
from .errors import EngineError
from .network import NetworkSpec, iter_layers, parse_spec, quadratic_pairs
from .progress import progress_bar
from .timelimit import check_deadline, deadline_after

BACKENDS = ("auto", "sympy", "flint")


def flint_available() -> bool:
    """Whether python-flint with ``fmpq_mpoly`` and cached contexts (``.get``) can be imported."""
    try:
        import flint  # noqa: F401

        # Older releases lack the mpoly types or the context cache used below; they fall
        # back to sympy instead of failing half-way through an expansion.
        return hasattr(getattr(flint, "fmpq_mpoly_ctx", None), "get")
    except ImportError:
        return False


def resolve_backend(backend: str) -> str:
    """Turn ``auto`` into ``flint`` or ``sympy`` and check the choice is usable."""
    if backend not in BACKENDS:
        raise EngineError(f"unknown expansion backend {backend!r}; choose one of {BACKENDS}")
    if backend == "auto":
        return "flint" if flint_available() else "sympy"
    if backend == "flint" and not flint_available():
        raise EngineError(
            "backend 'flint' needs python-flint; install it with "
            "`pip install 'varieties[fast]'` or use backend='sympy'"
        )
    return backend


@dataclass
class Expansion(ResultMixin):
    """The expanded network ``F(x) = sum_m c_m(w) x^m``, one dict per output.

    Attributes
    ----------
    spec : NetworkSpec
    weights : tuple of str
        Weight names, the variables of the coefficient ring, in spec order.
    coeffs : list of dict
        ``coeffs[k][m]`` is the coefficient of ``x^m`` in output ``k``, in the
        backend's native polynomial type over the weight ring.
    backend : str
        ``"sympy"`` or ``"flint"``.
    ring : object
        The weight ring: a sympy ``PolyRing`` or a flint ``fmpq_mpoly_ctx``.
    """

    spec: NetworkSpec
    weights: tuple[str, ...]
    coeffs: list[dict[tuple[int, ...], Any]]
    backend: str
    ring: Any
    seconds: float = 0.0
    _sympy_ring: Any = field(default=None, repr=False)

    @property
    def n_terms(self) -> int:
        """Number of terms of the flat polynomial in weights and ``x`` (all outputs)."""
        # ``len`` counts terms in both backends without listing them.
        return sum(len(c) for out in self.coeffs for c in out.values())

    @property
    def monomials(self) -> list[tuple[int, ...]]:
        """All x-exponent tuples that occur in some output, sorted."""
        ms: set[tuple[int, ...]] = set()
        for out in self.coeffs:
            ms.update(out)
        return sorted(ms)

    def sympy_ring(self):
        """The sympy ring ``QQ[weights]`` used for exported polynomials."""
        if self._sympy_ring is None:
            self._sympy_ring = weight_ring(self.weights)
        return self._sympy_ring

    def to_sympy(self, poly: Any):
        """Convert one native coefficient to a sympy ``PolyElement`` of :meth:`sympy_ring`."""
        return native_to_sympy(poly, self.backend, self.sympy_ring())

    def to_dict(self) -> dict:
        """``spec``, ``weights``, ``backend``, ``seconds``, ``n_terms`` and ``coeffs``:
        per output, x-monomial (exponents joined by ``,``) -> coefficient text."""
        return {
            "spec": str(self.spec), "weights": list(self.weights), "backend": self.backend,
            "seconds": self.seconds, "n_terms": self.n_terms,
            "coeffs": [{",".join(map(str, m)): str(c) for m, c in out.items()}
                       for out in self.coeffs],
        }

    def to_frame(self):
        """One row per output and x-monomial: ``output``, ``monomial``, ``coefficient``."""
        import pandas as pd

        rows = [{"output": k, "monomial": ",".join(map(str, m)), "coefficient": str(c)}
                for k, out in enumerate(self.coeffs) for m, c in sorted(out.items())]
        return pd.DataFrame(rows, columns=["output", "monomial", "coefficient"])

    def summary(self) -> str:
        """One line: the network, its monomials and terms, the backend and the time."""
        return (f"{self.spec}: {len(self.monomials)} x-monomials, {self.n_terms} terms in "
                f"{len(self.weights)} weights ({self.backend}, {self.seconds:.3g} s)")

    def output_expr(self, k: int = 0):
        """Output ``k`` as a sympy expression in the weights and ``x0, x1, ...``."""
        import sympy

        xs = sympy.symbols(f"x0:{self.spec.n_inputs}")
        total = sympy.Integer(0)
        for m, c in self.coeffs[k].items():
            mono = sympy.Mul(*[x**e for x, e in zip(xs, m)])
            total += self.to_sympy(c).as_expr() * mono
        return total


def weight_ring(weights):
    """The sympy polynomial ring ``QQ[weights]`` (grevlex)."""
    from sympy import QQ
    from sympy.polys.orderings import grevlex
    from sympy.polys.rings import ring

    R, *_ = ring(",".join(weights), QQ, grevlex)
    return R


def native_to_sympy(poly: Any, backend: str, R):
    """Convert a native weight polynomial to a sympy ``PolyElement`` of ``R``."""
    if backend == "sympy":
        return poly
    from sympy import QQ

    # monoms()/coeffs() are three times faster than to_dict() on wide rings.
    # QQ.convert(a, b) reads b as a source domain, so build p/q with QQ(p, q).
    return R.from_dict({tuple(m): QQ(int(c.p), int(c.q))
                        for m, c in zip(poly.monoms(), poly.coeffs())})


class XPoly:
    """A polynomial in ``x`` as ``{x-exponent tuple: weight polynomial}``.

    Keeping ``x`` outside the coefficient ring means the coefficient of each
    x-monomial is available without splitting a huge flat polynomial (which
    cost 6 s of tuple building for ``3,q3,q3,q1`` with flint), and every
    product is a convolution of short dicts of small weight polynomials.
    """

    __slots__ = ("terms",)

    def __init__(self, terms):
        self.terms = terms

    def __add__(self, other):
        if not isinstance(other, XPoly):
            other = XPoly({self._zero_mono(): other})
        out = dict(self.terms)
        for m, c in other.terms.items():
            if m in out:
                s = out[m] + c
                if s == 0:
                    del out[m]
                else:
                    out[m] = s
            else:
                out[m] = c
        return XPoly(out)

    __radd__ = __add__

    def _zero_mono(self):
        return (0,) * len(next(iter(self.terms)))

    def scale(self, c):
        """Multiply every coefficient by the weight polynomial ``c``."""
        return XPoly({m: v * c for m, v in self.terms.items()})

    def __mul__(self, other):
        return self.mul(other)

    def mul(self, other, deadline: float | None = None):
        """The product; ``deadline`` is checked before each product of two coefficients.

        One product of full polynomials can take minutes (``4,q4,q4,q1`` with
        sympy), so a limit must be honoured inside it, not only between them.
        """
        if not isinstance(other, XPoly):
            return self.scale(other)
        out = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                if deadline is not None:   # inline: this loop is the expansion's hot path
                    check_deadline(deadline)
                m = tuple(a + b for a, b in zip(m1, m2))
                p = c1 * c2
                if m in out:
                    out[m] = out[m] + p
                else:
                    out[m] = p
        return XPoly({m: c for m, c in out.items() if c != 0})


def _layer_outputs(o, l, layer, p, full, gen, deadline=None, done=None):
    """Outputs of layer ``l`` given its inputs ``o`` (XPolys); ``gen(name)`` gives a weight.

    ``deadline`` is checked before each product of two weight polynomials
    (see :meth:`XPoly.mul`), so a limit is honoured within one such product;
    ``done(1)`` is called after each neuron.
    """
    pairs = quadratic_pairs(p, full)
    by_i: dict[int, list[int]] = {}
    for i, j in pairs:
        by_i.setdefault(i, []).append(j)
    zero_mono = o[0]._zero_mono()
    new = []
    for k in range(layer.width):
        t = None
        # Horner in i: sum_i o_i (sum_j A_kij o_j + B_ki) needs p products of full
        # polynomials instead of p(p+1)/2 products followed by scalings.
        for i in range(p):
            inner = None
            if layer.has_quadratic:
                for j in by_i.get(i, ()):
                    term = o[j].scale(gen(f"A{l}_{k}_{i}_{j}"))
                    inner = term if inner is None else inner + term
            if layer.has_linear:
                b = XPoly({zero_mono: gen(f"B{l}_{k}_{i}")})
                inner = b if inner is None else inner + b
            if inner is not None:
                prod = o[i].mul(inner, deadline)
                t = prod if t is None else t + prod
        if layer.has_constant:
            c = XPoly({zero_mono: gen(f"C{l}_{k}")})
            t = c if t is None else t + c
        if layer.power != 1:
            base = t
            for _ in range(layer.power - 1):
                t = t.mul(base, deadline)
        new.append(t)
        if done is not None:
            done(1)
    return new


@deprecated_call(positional=("backend", "deadline", "progress"),
                 renamed={"deadline": ("timeout", deadline_to_timeout)})
def expand(spec: NetworkSpec | str, *, backend: str = "auto",
           timeout: float | None = None, progress: bool = False) -> Expansion:
    """Expand the whole network exactly: ``F(x)`` with coefficients in ``QQ[w]``.

    Parameters
    ----------
    spec : NetworkSpec or str
        The network, e.g. ``"3,q3,q1"``.
    backend : {"auto", "sympy", "flint"}
        ``flint`` is python-flint's ``fmpq_mpoly`` (about 10x faster);
        ``auto`` uses it when installed. Both give identical coefficients.
    timeout : float, optional
        Seconds; past them the expansion stops with
        :class:`varieties.timelimit.TimeLimit` (checked before each product
        of two weight polynomials, so within one such product of the limit).
    progress : bool
        Show a tqdm bar of the neurons expanded on standard error (only when
        it is a terminal).

    Returns
    -------
    Expansion

    Examples
    --------
    >>> e = expand("2,l1", backend="sympy")
    >>> sorted(e.coeffs[0])
    [(0, 1), (1, 0)]
    >>> str(e.to_sympy(e.coeffs[0][(1, 0)]).as_expr())
    'B1_0_0'
    """
    import time

    deadline = deadline_after(timeout)
    spec = parse_spec(spec)
    backend = resolve_backend(backend)
    start = time.perf_counter()
    weights = spec.weights
    n = spec.n_inputs
    nw = len(weights)
    if backend == "sympy":
        ring_w = weight_ring(weights)
        gens = ring_w.gens
        one = ring_w.one
    else:
        import flint

        ring_w = flint.fmpq_mpoly_ctx.get(tuple(weights), "degrevlex")
        gens = ring_w.gens()
        one = ring_w.constant(1)
    wgen = dict(zip(weights, gens))
    o = [XPoly({tuple(int(a == i) for a in range(n)): one}) for i in range(n)]
    layers = list(iter_layers(spec))
    with progress_bar(sum(layer.width for _, layer, _ in layers), "expand", "neuron",
                      progress) as bar:
        for l, layer, p in layers:
            o = _layer_outputs(o, l, layer, p, spec.full, wgen.__getitem__, deadline, bar.update)
    out = Expansion(spec, weights, [dict(t.terms) for t in o], backend, ring_w)
    out.seconds = time.perf_counter() - start
    return out
