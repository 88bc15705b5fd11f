"""Torch modules of symmetric quadratic networks (the ``torch`` extra; floating point).

* :class:`SymmetricNetwork` -- the layer-wise tying as a ``torch.nn.Module``: its
  parameters are the tying's free parameters, ``S_n`` layers run through power sums;
* :class:`VarietyNetwork` -- all weights as parameters, kept on the variety of
  whole-network symmetry by :meth:`~VarietyNetwork.project_` (Gauss-Newton) and
  tangent projections of the gradients or updates (:class:`ProjectedOptimizer`);
* :mod:`~varieties.nn.projection` -- the symmetry constraints as torch tensors:
  values, Jacobian, projection and retraction on the device (also used by
  ``train(..., backend="torch", method="projected")``).

The names are loaded on first use, which imports torch; without torch that
raises :class:`~varieties.errors.MethodError` saying how to install it.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {"ProjectedOptimizer": "variety", "SymmetricNetwork": "symmetric",
          "TorchConstraints": "projection", "VarietyNetwork": "variety"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ..learn.torch_backend import import_torch

    import_torch()
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
