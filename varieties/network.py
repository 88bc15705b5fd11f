"""Network specifications: layers of quadratic neurons as plain data.

A network is ``n`` inputs followed by layers. Neuron ``k`` of layer ``l``
reads the previous layer's outputs ``o`` and computes, by layer kind,

=====  ==========================================================  ==========
kind   output                                                      notes
=====  ==========================================================  ==========
``q``  ``sum_{i<=j} A_kij o_i o_j + sum_i B_ki o_i + C_k``          eq. 11
``s``  ``sum_{i<=j} A_kij o_i o_j``                                eqs. 4, 12
``l``  ``sum_i B_ki o_i``                                          eq. 7
``a``  ``sum_i B_ki o_i + C_k``
=====  ==========================================================  ==========

followed, when the layer carries a power ``^R``, by ``t -> t**R`` on each
output (a polynomial activation). With ``full=True`` the quadratic part is the
notes' redundant ``sum_{i,j} A_kij o_i o_j`` over all ordered pairs, in which
only ``A_kij + A_kji`` matters.

The notes' eq. 12 sums over ``i < j``, which drops the squares ``o_i**2``; this
module sums over ``i <= j`` (mathematics wins over the draft).

Weight symbols are ``A{l}_{k}_{i}_{j}``, ``B{l}_{k}_{i}``, ``C{l}_{k}`` with
``l`` the 1-based layer number and ``k, i, j`` 0-based: the notes'
``W^{k l}_{ij}`` of the ``l``-th layer is ``A{l}_{k}_{i}_{j}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping, NamedTuple, Sequence

from .errors import SpecError

LAYER_KINDS = {
    "q": "quadratic neuron: sum_{i<=j} A_ij o_i o_j + sum_i B_i o_i + C",
    "s": "pure quadratic form: sum_{i<=j} A_ij o_i o_j",
    "l": "linear: sum_i B_i o_i",
    "a": "affine: sum_i B_i o_i + C",
}

# Far beyond anything that can be expanded or tied; catching them here turns a
# typo such as q30000000 or q2^1000 into an error instead of an endless weight
# enumeration or expansion. The weight cap keeps the weight index (a few hundred
# bytes a weight) within a few GB; a 100-input quadratic layer has 515,100.
MAX_WIDTH = 100_000
MAX_POWER = 64
MAX_WEIGHTS = 10_000_000

_LAYER_RE = re.compile(r"^([a-zA-Z]+)(\d+)(?:\^(-?\d+))?$")


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its kind (``q``, ``s``, ``l``, ``a``), width and power.

    Examples
    --------
    >>> LayerSpec("q", 3)
    LayerSpec(kind='q', width=3, power=1)
    >>> str(LayerSpec("l", 2, 2))
    'l2^2'
    """

    kind: str
    width: int
    power: int = 1

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            raise SpecError(
                f"unknown layer kind {self.kind!r}; valid kinds are "
                + ", ".join(f"{k!r} ({v})" for k, v in LAYER_KINDS.items())
            )
        if not isinstance(self.width, int) or self.width < 1:
            raise SpecError(f"layer width {self.width!r} is invalid; a width is an integer >= 1")
        if self.width > MAX_WIDTH:
            raise SpecError(
                f"layer width {self.width} is too large; widths up to {MAX_WIDTH} are supported"
            )
        if not isinstance(self.power, int) or (self.power != 1 and self.power < 2):
            raise SpecError(
                f"layer power {self.power!r} is invalid; a power ^R needs an integer R >= 2"
            )
        if self.power > MAX_POWER:
            raise SpecError(
                f"layer power {self.power} is too large; powers up to {MAX_POWER} are supported"
            )

    def part_sizes(self, input_width: int, full: bool = False) -> tuple[int, int, int]:
        """``(n_a, n_b, n_c)``: weights of one neuron in its A, B and C parts.

        The one place that counts them: :meth:`n_weights`,
        :func:`varieties.orbits.layer_layout`, the flat-vector layout of the
        learning backends and the layer plans of :mod:`varieties.nn` read it.

        Examples
        --------
        >>> LayerSpec("q", 2).part_sizes(3), LayerSpec("s", 2).part_sizes(3, full=True)
        ((6, 3, 1), (9, 0, 0))
        """
        p = input_width
        n_a = (p * p if full else p * (p + 1) // 2) if self.has_quadratic else 0
        return n_a, (p if self.has_linear else 0), (1 if self.has_constant else 0)

    def n_weights(self, input_width: int, full: bool = False) -> int:
        """Number of weights of this layer on ``input_width`` inputs (no enumeration).

        Examples
        --------
        >>> LayerSpec("q", 2).n_weights(3), LayerSpec("q", 2).n_weights(3, full=True)
        (20, 26)
        """
        return self.width * sum(self.part_sizes(input_width, full))

    @property
    def has_quadratic(self) -> bool:
        return self.kind in ("q", "s")

    @property
    def has_linear(self) -> bool:
        return self.kind in ("q", "l", "a")

    @property
    def has_constant(self) -> bool:
        return self.kind in ("q", "a")

    @property
    def degree(self) -> int:
        """Degree of the layer map in its inputs, power included."""
        return (2 if self.has_quadratic else 1) * self.power

    def __str__(self) -> str:
        return f"{self.kind}{self.width}" + (f"^{self.power}" if self.power != 1 else "")


class WeightIndex(NamedTuple):
    """Where a weight sits: layer (1-based), part ``A``/``B``/``C``, neuron ``k``, inputs.

    A named tuple rather than a dataclass: a 100-input layer has half a million
    weights, and tuples are several times cheaper to build.
    """

    name: str
    layer: int
    part: str
    k: int
    i: int | None = None
    j: int | None = None


@dataclass(frozen=True)
class NetworkSpec:
    """A network: ``n_inputs`` inputs, then ``layers``; ``full`` picks the notes' indexing.

    Examples
    --------
    >>> spec = parse_spec("3,q3,q1")
    >>> spec.n_inputs, spec.n_outputs, len(spec.weights)
    (3, 1, 40)
    >>> spec.weights[:3]
    ('A1_0_0_0', 'A1_0_0_1', 'A1_0_0_2')
    """

    n_inputs: int
    layers: tuple[LayerSpec, ...]
    full: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.n_inputs, int) or self.n_inputs < 1:
            raise SpecError(
                f"number of inputs {self.n_inputs!r} is invalid; it is an integer >= 1 "
                "(the first token of a SPEC such as '3,q3,q1')"
            )
        if self.n_inputs > MAX_WIDTH:
            raise SpecError(
                f"number of inputs {self.n_inputs} is too large; up to {MAX_WIDTH} are supported"
            )
        layers = tuple(self.layers)
        if not layers:
            raise SpecError("a network needs at least one layer, e.g. '3,q1'")
        for layer in layers:
            if not isinstance(layer, LayerSpec):
                raise SpecError(f"layer {layer!r} is not a LayerSpec")
        object.__setattr__(self, "layers", layers)
        if self.n_weights > MAX_WEIGHTS:
            raise SpecError(
                f"network {self} has {self.n_weights:,} weights; up to {MAX_WEIGHTS:,} are "
                "supported: use fewer inputs or narrower layers"
            )

    @property
    def n_weights(self) -> int:
        """Number of weights, computed from the widths (``len(weights)`` without building them)."""
        return sum(layer.n_weights(p, self.full)
                   for layer, p in zip(self.layers, self.input_widths))

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].width

    @property
    def input_widths(self) -> tuple[int, ...]:
        """Width of the input of each layer."""
        widths = [self.n_inputs] + [layer.width for layer in self.layers[:-1]]
        return tuple(widths)

    # Built on first use (cached_property writes to the instance dict, which a
    # frozen dataclass allows) so that parsing a large spec stays cheap.
    @cached_property
    def weight_index(self) -> tuple[WeightIndex, ...]:
        """Every weight with its position, in :attr:`weights` order."""
        return tuple(_build_index(self))

    @cached_property
    def weights(self) -> tuple[str, ...]:
        """All weight names, layer by layer; within a neuron A, then B, then C."""
        return tuple(w.name for w in self.weight_index)

    @property
    def degree(self) -> int:
        """Degree of the network function in ``x``."""
        d = 1
        for layer in self.layers:
            d *= layer.degree
        return d

    def layer_weights(self, layer: int) -> tuple[WeightIndex, ...]:
        """Weights of the 1-based ``layer``."""
        return tuple(w for w in self.weight_index if w.layer == layer)

    def __str__(self) -> str:
        s = ",".join([str(self.n_inputs)] + [str(layer) for layer in self.layers])
        return s + (",full" if self.full else "")


def quadratic_pairs(width: int, full: bool) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)`` of a quadratic form: ``i <= j``, or all pairs if ``full``."""
    if full:
        return [(i, j) for i in range(width) for j in range(width)]
    return [(i, j) for i in range(width) for j in range(i, width)]


def weight_name(part: str, l: int, k: int, i: int | None = None, j: int | None = None) -> str:
    """The one spelling of a weight's name: ``A{l}_{k}_{i}_{j}``, ``B{l}_{k}_{i}``, ``C{l}_{k}``.

    ``part`` is ``"A"`` (quadratic, inputs ``i, j``), ``"B"`` (linear, input
    ``i``) or ``"C"`` (constant) of neuron ``k`` (0-based) of layer ``l``
    (1-based); the indices a part does not have are left out.

    Examples
    --------
    >>> weight_name("A", 1, 0, 0, 2), weight_name("B", 2, 1, 0), weight_name("C", 1, 3)
    ('A1_0_0_2', 'B2_1_0', 'C1_3')
    """
    return "_".join([f"{part}{l}", str(k)] + [str(v) for v in (i, j) if v is not None])


def _build_index(spec: NetworkSpec) -> list[WeightIndex]:
    out: list[WeightIndex] = []
    for l, (layer, p) in enumerate(zip(spec.layers, spec.input_widths), start=1):
        pairs = quadratic_pairs(p, spec.full)
        for k in range(layer.width):
            if layer.has_quadratic:
                out += [WeightIndex(weight_name("A", l, k, i, j), l, "A", k, i, j)
                        for i, j in pairs]
            if layer.has_linear:
                out += [WeightIndex(weight_name("B", l, k, i), l, "B", k, i) for i in range(p)]
            if layer.has_constant:
                out.append(WeightIndex(weight_name("C", l, k), l, "C", k))
    return out


def parse_layer(token: str) -> LayerSpec:
    """Parse one ``KIND WIDTH [^R]`` token such as ``q3`` or ``l2^2``.

    Examples
    --------
    >>> parse_layer("l2^3")
    LayerSpec(kind='l', width=2, power=3)
    """
    tok = token.strip()
    m = _LAYER_RE.match(tok)
    if not m:
        raise SpecError(
            f"malformed layer token {token!r}; a layer is KIND WIDTH [^R] with KIND one of "
            f"{', '.join(LAYER_KINDS)} (e.g. 'q3', 'l2^2')"
        )
    kind, width, power = m.group(1), int(m.group(2)), m.group(3)
    if kind not in LAYER_KINDS:
        raise SpecError(
            f"unknown layer kind {kind!r} in token {token!r}; valid kinds are "
            + ", ".join(LAYER_KINDS)
        )
    if width < 1:
        raise SpecError(f"layer width 0 in token {token!r}; a width is >= 1")
    if power is not None and int(power) < 2:
        raise SpecError(f"power ^{power} in token {token!r} is invalid; a power needs R >= 2")
    return LayerSpec(kind, width, int(power) if power is not None else 1)


def parse_spec(text: str | NetworkSpec, full: bool = False) -> NetworkSpec:
    """Parse ``SPEC = n,LAYER,LAYER,...`` (optionally ending in ``,full``).

    Parameters
    ----------
    text : str or NetworkSpec
        For example ``"3,q3,q1"`` or ``"2,l2^2,l1"``; a NetworkSpec passes through
        (with ``full`` applied when true).
    full : bool
        Use the notes' full indexing ``A_kij`` for all ``i, j``.

    Examples
    --------
    >>> str(parse_spec("2,l2^2,l1"))
    '2,l2^2,l1'
    >>> parse_spec("3,q3", full=True).full
    True
    """
    if isinstance(text, NetworkSpec):
        return NetworkSpec(text.n_inputs, text.layers, text.full or full)
    if not isinstance(text, str):
        raise SpecError(f"a SPEC is a string such as '3,q3,q1', not {type(text).__name__}")
    tokens = [t.strip() for t in text.split(",")]
    if tokens and tokens[-1].lower() == "full":
        full = True
        tokens = tokens[:-1]
    if len(tokens) < 2 or any(t == "" for t in tokens):
        raise SpecError(
            f"malformed SPEC {text!r}; write n,LAYER,LAYER,... such as '3,q3,q1' "
            "(n inputs, then at least one layer)"
        )
    try:
        n = int(tokens[0])
    except ValueError:
        raise SpecError(
            f"malformed SPEC {text!r}: the first token {tokens[0]!r} must be the number of "
            "inputs n, an integer >= 1 (e.g. '3,q3,q1')"
        ) from None
    if n < 1:
        raise SpecError(f"number of inputs {n} in SPEC {text!r} is invalid; n >= 1")
    return NetworkSpec(n, tuple(parse_layer(t) for t in tokens[1:]), full)


def evaluate(
    spec: NetworkSpec | str,
    weights: Mapping[str, object],
    x: Sequence[object],
) -> list:
    """Evaluate the network exactly at one input, straight from its definition.

    Weights and inputs may be ``int``, ``Fraction`` or any number type; with
    ``Fraction`` the result is exact. This is the independent reference against
    which the expansion is tested. Missing weights count as 0.

    Examples
    --------
    >>> spec = parse_spec("2,l1")
    >>> evaluate(spec, {"B1_0_0": 2, "B1_0_1": 3}, [1, 1])
    [5]
    """
    spec = parse_spec(spec)
    if len(x) != spec.n_inputs:
        raise SpecError(f"input has length {len(x)}, the network {spec} expects {spec.n_inputs}")
    o = list(x)
    for l, (layer, p) in enumerate(zip(spec.layers, spec.input_widths), start=1):
        pairs = quadratic_pairs(p, spec.full)
        new = []
        for k in range(layer.width):
            t = 0
            if layer.has_quadratic:
                for i, j in pairs:
                    t += weights.get(weight_name("A", l, k, i, j), 0) * o[i] * o[j]
            if layer.has_linear:
                for i in range(p):
                    t += weights.get(weight_name("B", l, k, i), 0) * o[i]
            if layer.has_constant:
                t += weights.get(weight_name("C", l, k), 0)
            new.append(t ** layer.power)
        o = new
    return o


def iter_layers(spec: NetworkSpec) -> Iterable[tuple[int, LayerSpec, int]]:
    """Yield ``(l, layer, input_width)`` with ``l`` 1-based."""
    for l, (layer, p) in enumerate(zip(spec.layers, spec.input_widths), start=1):
        yield l, layer, p
