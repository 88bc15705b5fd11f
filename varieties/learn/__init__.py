"""Learning inside the variety: quadratic back-propagation and symmetric training.

* :mod:`~varieties.learn.numpy_backend` -- batched forward/backward (notes, eqs. 26-30, fixed);
* :mod:`~varieties.learn.torch_backend` -- the same forward in torch, gradients by autograd;
* :mod:`~varieties.learn.power_sum` -- tied ``S_n`` layers in ``O(n)`` through power sums;
* :mod:`~varieties.learn.projected` -- float Jacobians of the constraints, projection, retraction;
* :mod:`~varieties.learn.train` -- :func:`train` with methods ``free``, ``tied``, ``projected``;
* :mod:`~varieties.learn.synthetic` -- representable symmetric targets from a seed.
"""

from .numpy_backend import backward, forward, loss_and_grad
from .projected import CompiledConstraints, compile_constraints
from .synthetic import SyntheticData, random_tied_weights, synthetic_data
from .train import BACKENDS, METHODS, TrainResult, invariance_error, train

__all__ = [
    "BACKENDS", "CompiledConstraints", "METHODS", "SyntheticData", "TrainResult", "backward",
    "compile_constraints", "forward", "invariance_error", "loss_and_grad", "random_tied_weights",
    "synthetic_data", "train",
]
