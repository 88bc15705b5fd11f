"""Actions of a permutation group on the network's outputs.

=================  =============================================================
kind               action ``rho(g)`` on the outputs
=================  =============================================================
``invariant``      trivial: every output is fixed (any output width)
``equivariant``    ``rho(g) = g``: outputs permuted like inputs (width ``n``)
``folded``         outputs indexed mod ``n/2``: ``rho(g)(i mod m) = g(i) mod m``
                   (width ``m = n/2``, notes section 6)
``none``           no symmetry at all (no constraints; the plain neurovariety)
=================  =============================================================

The folded rule only defines an action when every generator maps each pair
``{i, i+m}`` onto a pair. For ``S_n`` it does not (with ``n = 6`` the
transposition ``(1 5)`` sends output ``1`` to ``5 mod 3 = 2`` while fixing
``4 mod 3 = 1``), which is why the notes' folded pattern (eq. 21) could not
be equivariant. The hyperoctahedral group, which preserves the pairs, is the
group for which folding is an action.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ActionError
from .groups import Perm, PermutationGroup, cycle_string, identity

KINDS = ("invariant", "equivariant", "folded", "none")


def default_kind(spec) -> str:
    """The ``kind`` meant by ``kind=None``: inferred from the output width.

    One rule for every public function: ``invariant`` for a network with one
    output, ``equivariant`` for one with ``n`` outputs (as many as inputs);
    any other width has no natural default, and :class:`ActionError` asks
    for an explicit kind.

    Examples
    --------
    >>> default_kind("3,q3,q1"), default_kind("3,q3")
    ('invariant', 'equivariant')
    """
    from .network import parse_spec

    spec = parse_spec(spec)
    if spec.n_outputs == 1:
        return "invariant"
    if spec.n_outputs == spec.n_inputs:
        return "equivariant"
    raise ActionError(
        f"no default kind for {spec}: it has {spec.n_outputs} outputs and {spec.n_inputs} "
        "inputs (the default is invariant for one output, equivariant for n); give a kind "
        f"(--kind on the command line): one of {', '.join(KINDS)}"
    )


def resolve_kind(kind: str | None, spec) -> str:
    """``kind``, or :func:`default_kind` of ``spec`` when it is None."""
    return default_kind(spec) if kind is None else kind


@dataclass(frozen=True)
class OutputAction:
    """The group ``group`` acting on inputs and, by ``kind``, on ``n_outputs`` outputs.

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> act = make_action(symmetric(3), "equivariant", 3)
    >>> act.rho((1, 0, 2))
    (1, 0, 2)
    """

    group: PermutationGroup
    kind: str
    n_outputs: int

    def rho(self, g: Perm) -> Perm:
        """The permutation of the outputs by which ``g`` acts."""
        if self.kind in ("invariant", "none"):
            return identity(self.n_outputs)
        if self.kind == "equivariant":
            return tuple(g)
        m = self.n_outputs
        return tuple(g[b] % m for b in range(m))


def make_action(group: PermutationGroup, kind: str, n_outputs: int) -> OutputAction:
    """Build and validate the output action of ``kind``.

    Raises :class:`ActionError` when the output width does not fit the kind or
    when the rule does not define a group action (the folded rule for ``S_n``).
    """
    n = group.degree
    if kind not in KINDS:
        raise ActionError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "equivariant" and n_outputs != n:
        raise ActionError(
            f"kind 'equivariant' needs output width n = {n} (outputs permuted like the inputs); "
            f"the network has {n_outputs} outputs: make the last layer width {n} or use "
            "kind 'invariant'"
        )
    if kind == "folded":
        if n % 2 or n_outputs * 2 != n:
            raise ActionError(
                f"kind 'folded' needs an even number of inputs n and output width n/2; got "
                f"n = {n} with {n_outputs} outputs: "
                + ("n must be even (inputs i and i + n/2 share output i)" if n % 2
                   else f"make the last layer width {n // 2}")
            )
        m = n_outputs
        for g in group.generators:
            for b in range(m):
                if g[b] % m != g[b + m] % m:
                    raise ActionError(
                        f"the folded output rule is not a group action of {group}: generator "
                        f"{cycle_string(g)} sends inputs {b} and {b + m} (both folded to output "
                        f"{b}) to {g[b]} and {g[b + m]}, i.e. to outputs {g[b] % m} and "
                        f"{g[b + m] % m}. Folding is an action only for a group preserving the "
                        f"pairs {{i, i+{m}}}: use group 'hyperoctahedral'"
                    )
    return OutputAction(group, kind, n_outputs)
