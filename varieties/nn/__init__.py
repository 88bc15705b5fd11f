"""Torch modules of symmetric quadratic networks (the ``torch`` extra; floating point).

* :class:`SymmetricNetwork` -- the layer-wise tying as a ``torch.nn.Module``: its
  parameters are the tying's free parameters, ``S_n`` layers run through power sums;
* :class:`VarietyNetwork` -- all weights as parameters, kept on the variety of
  whole-network symmetry by :meth:`~VarietyNetwork.project_` (Gauss-Newton) and
  tangent projections of the gradients or updates (:class:`ProjectedOptimizer`);
* :mod:`~varieties.nn.projection` -- the symmetry constraints as torch tensors:
  values, Jacobian, projection and retraction on the device (also used by
  ``train(..., backend="torch", method="projected")``).

Importing this package imports torch; without torch it raises
:class:`~varieties.errors.MethodError` saying how to install it.
"""

from ..learn.torch_backend import import_torch

import_torch()

from .projection import TorchConstraints  # noqa: E402
from .symmetric import SymmetricNetwork  # noqa: E402
from .variety import ProjectedOptimizer, VarietyNetwork  # noqa: E402

__all__ = ["ProjectedOptimizer", "SymmetricNetwork", "TorchConstraints", "VarietyNetwork"]
