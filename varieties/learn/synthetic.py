"""Synthetic symmetric targets that a network can represent exactly (floats, seeded).

The target is the network itself at random *tied* weights (layer-wise
equivariant, last layer of ``kind``), so it is a random invariant (or
equivariant) polynomial of the network's degree that the network -- and each
training method -- can fit with zero error. Inputs are uniform on
``[-1, 1]^n``; Gaussian noise of standard deviation ``noise`` is added to the
training targets only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._deprecate import deprecated_call
from .._result_methods import ResultMixin, dataclass_eq
from ..actions import resolve_kind
from ..errors import MethodError
from ..network import NetworkSpec
from . import numpy_backend as nb


# eq=False + dataclass_eq: the generated __eq__ would compare the arrays with ``==``.
@dataclass(eq=False)
class SyntheticData(ResultMixin):
    """Training and test samples of a symmetric target network ``w_true``."""

    spec: NetworkSpec
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    w_true: np.ndarray
    noise: float
    seed: int

    __eq__ = dataclass_eq
    __hash__ = None

    def to_frame(self):
        """One row per sample: ``split`` (train/test), ``x0..``, ``y0..``."""
        import pandas as pd

        frames = []
        for split, X, y in (("train", self.X, self.y), ("test", self.X_test, self.y_test)):
            y2 = np.asarray(y).reshape(len(y), -1)
            df = pd.DataFrame(np.asarray(X), columns=[f"x{i}" for i in range(X.shape[1])])
            for k in range(y2.shape[1]):
                df[f"y{k}"] = y2[:, k]
            df.insert(0, "split", split)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> str:
        """One line: the network, the sample counts, noise and seed."""
        return (f"{self.spec}: {len(self.X)} training and {len(self.X_test)} test samples "
                f"of a tied target (noise {self.noise:g}, seed {self.seed})")


def get_tying(spec: NetworkSpec, group, kind: str, tying=None):
    """The layer-wise tying of ``spec`` (``tying`` passes through when given)."""
    if tying is not None:
        return tying
    from ..tying import tying as make_tying

    return make_tying(spec, group=group, kind=kind, full=spec.full)


@deprecated_call(positional=("seed", "scale", "tying"))
def random_tied_weights(spec, group="symmetric", kind=None, *, seed=0, scale=1.0,
                        tying=None) -> np.ndarray:
    """Random layer-wise tied weights ``M theta`` with ``theta ~ N(0, scale^2)``.

    ``kind`` defaults to :func:`~varieties.actions.default_kind`.
    """
    spec = nb.as_spec(spec)
    kind = resolve_kind(kind, spec)
    seed = nb.check_seed(seed)
    M = np.asarray(get_tying(spec, group, kind, tying).matrix(), dtype=np.float64)
    rng = np.random.default_rng(seed)
    return M @ (scale * rng.standard_normal(M.shape[1]))


@deprecated_call(positional=("n_train", "n_test", "noise", "seed", "tying"))
def synthetic_data(spec: NetworkSpec | str, group="symmetric", kind=None, *,
                   n_train: int = 256, n_test: int = 512, noise: float = 0.01,
                   seed: int = 0, tying=None) -> SyntheticData:
    """Samples of a random tied network, normalised to unit standard deviation.

    ``kind`` defaults to :func:`~varieties.actions.default_kind` (invariant
    for one output, equivariant for ``n``).

    The last layer's weights are rescaled so that the clean target has standard
    deviation 1 on the test inputs; rescaling one layer keeps the weights tied.

    Examples
    --------
    >>> data = synthetic_data("3,l3,l1", n_train=4, n_test=2, seed=1)  # doctest: +SKIP
    >>> data.X.shape, data.y.shape                                     # doctest: +SKIP
    ((4, 3), (4, 1))
    """
    spec = nb.as_spec(spec)
    seed = nb.check_seed(seed)
    n_train = nb.check_int(n_train, "n_train (training samples)", 1)
    n_test = nb.check_int(n_test, "n_test (test samples)", 1)
    try:
        noise_ok = bool(np.isfinite(noise) and noise >= 0)
    except TypeError:
        noise_ok = False
    if not noise_ok:
        raise MethodError(f"noise = {noise!r} is invalid; give a finite standard deviation >= 0")
    rng = np.random.default_rng(seed)
    w = random_tied_weights(spec, group, kind, seed=seed + 1, tying=tying)
    X = rng.uniform(-1.0, 1.0, size=(n_train, spec.n_inputs))
    X_test = rng.uniform(-1.0, 1.0, size=(n_test, spec.n_inputs))
    sd = float(np.std(nb.forward(spec, w, X_test)))
    if sd > 0 and np.isfinite(sd):
        last = nb.layout(spec)[-1]
        idx = np.concatenate([a.ravel() for a in (last.a_idx, last.b_idx, last.c_idx)
                              if a is not None])
        w[idx] *= sd ** (-1.0 / last.power)
    y = nb.forward(spec, w, X) + noise * rng.standard_normal((n_train, spec.n_outputs))
    y_test = nb.forward(spec, w, X_test)
    return SyntheticData(spec, X, y, X_test, y_test, w, noise, seed)
