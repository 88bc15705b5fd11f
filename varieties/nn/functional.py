"""Pieces the torch modules share: the default kind, input checks, a dense layer, equivariance.

Floating point throughout (torch tensors); the tolerances are where they are used.
"""

from __future__ import annotations

import torch

from ..actions import make_action
from ..errors import ActionError, DataError
from ..groups import PermutationGroup, inverse
from ..network import NetworkSpec


def infer_kind(spec: NetworkSpec, kind: str | None) -> str:
    """``kind``, or when ``None`` the one the output width implies.

    One output is ``invariant``, ``n`` outputs ``equivariant``; any other width
    needs an explicit kind (:class:`~varieties.errors.ActionError`).

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> infer_kind(parse_spec("3,q3,q1"), None), infer_kind(parse_spec("3,q3"), None)
    ('invariant', 'equivariant')
    """
    if kind is not None:
        return kind
    m, n = spec.n_outputs, spec.n_inputs
    if m == 1:
        return "invariant"
    if m == n:
        return "equivariant"
    raise ActionError(
        f"cannot infer the kind of {spec} from its {m} outputs (1 output means invariant, "
        f"{n} equivariant); pass kind='invariant' (any width) or kind='folded' "
        f"(width {n}/2, hyperoctahedral group)"
    )


def check_input(x, n: int, dtype, device, who: str) -> None:
    """Raise :class:`~varieties.errors.DataError` unless ``x`` is ``(batch, n)`` of ``dtype`` on ``device``."""
    if not torch.is_tensor(x):
        raise DataError(f"{who} takes a torch tensor of shape (batch, {n}), not "
                        f"{type(x).__name__}; convert with torch.as_tensor(x, dtype={dtype})")
    if x.ndim != 2 or x.shape[1] != n:
        raise DataError(f"input has shape {tuple(x.shape)}; {who} expects (batch, {n}): one "
                        "row per sample, one column per input")
    if x.dtype != dtype:
        raise DataError(f"input has dtype {x.dtype}; {who} computes in {dtype}: pass "
                        f"x.to({dtype}) or convert the module (.float(), .double())")
    if x.device != device:
        raise DataError(f"input is on {x.device}; {who} is on {device}: pass x.to('{device}') "
                        "or move the module with .to(device)")


def dense_layer(o, W, n_a: int, n_b: int, n_c: int, I, J):
    """Pre-activations ``(batch, K)`` of a layer with weights ``W`` ``(K, stride)`` (spec order).

    The quadratic part is the features ``o_I o_J`` times ``W[:, :n_a]^T``: one
    matrix product, ``O(batch K n_a)``.

    Examples
    --------
    >>> o = torch.tensor([[1.0, 2.0]])
    >>> W = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])   # 1 + 2*2 + 3*4 + 4 + 5*2 + 6
    >>> dense_layer(o, W, 3, 2, 1, torch.tensor([0, 0, 1]), torch.tensor([0, 1, 1])).tolist()
    [[37.0]]
    """
    t = None
    if n_a:
        t = (o[:, I] * o[:, J]) @ W[:, :n_a].T
    if n_b:
        lin = o @ W[:, n_a:n_a + n_b].T
        t = lin if t is None else t + lin
    if n_c:
        c = W[:, n_a + n_b]
        t = c.expand(o.shape[0], -1) if t is None else t + c
    return t


def equivariance_error(forward, group: PermutationGroup, kind: str, n_outputs: int, x):
    """``max |F(g x) - rho(g) F(x)|`` over the generators ``g`` and the rows of ``x``.

    ``None`` for kind ``none`` (no symmetry to measure); ``0.0`` for a group
    without generators. Computed without gradients, in ``x``'s dtype.
    """
    if kind == "none":
        return None
    action = make_action(group, kind, n_outputs)
    err = 0.0
    with torch.no_grad():
        F = forward(x)
        for g in group.generators:
            # (g.x)_i = x_{g^-1(i)} and (rho(g) y)_k = y_{rho(g)^-1(k)}, as learn.invariance_error.
            gi = torch.as_tensor(inverse(g), device=x.device)
            ri = torch.as_tensor(inverse(action.rho(g)), device=x.device)
            diff = forward(x[:, gi]) - F[:, ri]
            if diff.numel():
                err = max(err, float(diff.abs().max()))
    return err
