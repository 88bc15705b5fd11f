"""Forward pass of quadratic networks in torch; gradients by torch autograd.

torch is an optional dependency (``pip install varieties[torch]``) imported on
first use. The device defaults to ``cuda`` when available, else ``cpu``;
``device=`` overrides it with ``cpu``, ``cuda`` or ``cuda:i`` (a visible GPU;
anything else raises :class:`~varieties.errors.MethodError`, as does a dtype
other than float64/float32). float64 gives the same numbers as
:mod:`~varieties.learn.numpy_backend` to about 1e-12 relative; float32 is for
speed. Because the gradient here comes from autograd and the numpy gradient is
hand-written (notes, eqs. 26-30), each checks the other in the tests.
"""

from __future__ import annotations

import numpy as np

from ..errors import MethodError
from ..network import NetworkSpec
from .numpy_backend import (DTYPES, as_spec, check_inputs, check_targets, check_weights,
                            dtype_name, layout)

__all__ = ["DTYPES", "TorchNet", "forward", "import_torch", "loss_and_grad", "resolve_device",
           "resolve_dtype"]


def import_torch():
    """Import torch, or raise :class:`MethodError` saying how to install it."""
    try:
        import torch
    except ImportError:
        raise MethodError(
            "backend 'torch' needs PyTorch, which is not installed; install it with "
            "`pip install 'varieties[torch]'` (or a CPU build: `pip install torch "
            "--index-url https://download.pytorch.org/whl/cpu`) or use backend 'numpy'"
        ) from None
    return torch


def resolve_device(device=None):
    """``device`` as a ``torch.device``; ``None`` picks ``cuda`` when available.

    Only ``cpu`` and ``cuda`` devices are accepted (the ones the tests run
    on), and a ``cuda:i`` index must name a visible GPU; anything else raises
    :class:`MethodError` here rather than deep inside torch.

    Examples
    --------
    >>> resolve_device("cpu").type   # doctest: +SKIP
    'cpu'
    """
    torch = import_torch()
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise MethodError(f"unknown torch device {device!r} ({exc}); use 'cpu' or 'cuda'") from None
    if dev.type not in ("cpu", "cuda"):
        raise MethodError(f"device {device!r} is not supported; use 'cpu' or 'cuda'")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise MethodError(f"device {device!r} asked for, but CUDA is not available; use 'cpu'")
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise MethodError(
                f"device {device!r} asked for, but only {count} CUDA device(s) are visible; "
                f"use 'cuda' or an index below {count}"
            )
    return dev


def resolve_dtype(dtype="float64"):
    """``'float64'`` / ``'float32'`` (or numpy/torch dtypes) as a torch dtype.

    Anything else raises :class:`MethodError` (see
    :func:`~varieties.learn.numpy_backend.dtype_name`).
    """
    return getattr(import_torch(), dtype_name(dtype))


class TorchNet:
    """A spec's layout moved to a torch device once, for repeated forward passes.

    Examples
    --------
    >>> net = TorchNet("2,q1", device="cpu")          # doctest: +SKIP
    >>> net.forward(net.tensor([1, 2, 3, 4, 5, 6]), net.tensor([[1, 1]])).tolist()  # doctest: +SKIP
    [[21.0]]
    """

    def __init__(self, spec: NetworkSpec | str, device=None, dtype="float64"):
        torch = import_torch()
        self.torch = torch
        self.spec = as_spec(spec)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype)
        as_idx = lambda a: None if a is None else torch.as_tensor(a, device=self.device)
        self.layers = [
            (lay, as_idx(lay.I), as_idx(lay.J), as_idx(lay.a_idx), as_idx(lay.b_idx),
             as_idx(lay.c_idx))
            for lay in layout(self.spec)
        ]

    def tensor(self, a):
        """``a`` as a tensor of this net's dtype on its device.

        torch cannot wrap numpy arrays with negative strides (``X[::-1]``), so
        the array is made contiguous first.
        """
        return self.torch.as_tensor(np.ascontiguousarray(a, dtype=np.float64),
                                    dtype=self.dtype, device=self.device)

    def forward(self, w, X):
        """Outputs ``(batch, n_outputs)``; differentiable in ``w`` and ``X``."""
        torch = self.torch
        o = X
        for lay, I, J, a_idx, b_idx, c_idx in self.layers:
            t = None
            if a_idx is not None:
                A = torch.zeros((lay.width, lay.p, lay.p), dtype=w.dtype, device=w.device)
                A[:, I, J] = w[a_idx]
                batch, K, p = o.shape[0], lay.width, lay.p
                U = (o @ A.permute(1, 0, 2).reshape(p, K * p)).reshape(batch, K, p)
                t = (U * o[:, None, :]).sum(-1)
            if b_idx is not None:
                lin = o @ w[b_idx].T
                t = lin if t is None else t + lin
            if c_idx is not None:
                t = t + w[c_idx]
            o = t if lay.power == 1 else t ** lay.power
        return o


def forward(spec, w, X, device=None, dtype="float64") -> np.ndarray:
    """Network outputs as a numpy array, computed with torch."""
    spec = as_spec(spec)
    w = check_weights(spec, w)
    X = check_inputs(spec, X)
    net = TorchNet(spec, device, dtype)
    with net.torch.no_grad():
        return net.forward(net.tensor(w), net.tensor(X)).cpu().double().numpy()


def loss_and_grad(spec, w, X, y, device=None, dtype="float64") -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient in ``w`` by torch autograd."""
    spec = as_spec(spec)
    w = check_weights(spec, w)
    X = check_inputs(spec, X)
    y = check_targets(spec, X, y)
    net = TorchNet(spec, device, dtype)
    wt = net.tensor(w).requires_grad_(True)
    out = net.forward(wt, net.tensor(X))
    yt = net.tensor(y)
    loss = ((out - yt) ** 2).mean()
    loss.backward()
    return float(loss.detach().cpu()), wt.grad.detach().cpu().double().numpy()
