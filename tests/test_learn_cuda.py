"""torch on cpu and cuda: float32 and projected training, default device, power-sum kernels.

Every check runs on ``cpu`` (wherever torch is installed) and again on ``cuda``
(skipped without a GPU), so that the CUDA variants run code already exercised
here. All are marked ``torch``; ``scripts/gpu_check.sh`` runs them with ``-m
torch``. Each stays at a few seconds: small networks, 64 samples, <= 20 steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import needs_cuda, needs_torch, torch
from varieties.learn import numpy_backend as nb
from varieties.learn import power_sum as ps
from varieties.learn import synthetic_data, train
from varieties.learn.synthetic import random_tied_weights
from varieties.learn.train import invariance_error
from varieties.network import parse_spec

pytestmark = [pytest.mark.torch, needs_torch]
DEVICES = ["cpu", pytest.param("cuda", marks=needs_cuda)]
CASE = ("4,q4,q1", "symmetric", "invariant")
# The documented bound on the invariance error of tied and projected weights (float64
# weights whatever the compute dtype; README, "Learning inside the variety").
INVARIANCE_TOL = 1e-9


@pytest.fixture(scope="module")
def data():
    return synthetic_data(*CASE, n_train=64, n_test=64, seed=1)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("method", ["free", "tied"])
def test_float32_training_follows_float64(device, method, data):
    kw = dict(method=method, steps=20, lr=0.02, X_test=data.X_test, y_test=data.y_test)
    ref = train(*CASE, data.X, data.y, backend="numpy", **kw)
    res = train(*CASE, data.X, data.y, backend="torch", device=device, dtype="float32", **kw)
    assert res.status == "ok", res.message
    assert res.device.startswith(device) and res.dtype == "float32"
    assert res.train_loss[-1] < res.train_loss[0]
    # float32 loss and gradient, float64 Adam: the trajectories agree to float32 rounding.
    assert np.allclose(res.train_loss, ref.train_loss, rtol=1e-3)
    if method == "tied":
        assert max(res.invariance_history) < INVARIANCE_TOL


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_projected_training_stays_on_the_variety(device, dtype, data):
    steps = 10
    kw = dict(method="projected", steps=steps, lr=0.02, X_test=data.X_test, y_test=data.y_test)
    ref = train(*CASE, data.X, data.y, backend="numpy", **kw)
    res = train(*CASE, data.X, data.y, backend="torch", device=device, dtype=dtype, **kw)
    assert res.status == "ok", res.message
    assert res.device.startswith(device) and res.dtype == dtype
    assert len(res.invariance_history) == res.steps == steps
    assert max(res.invariance_history) < INVARIANCE_TOL
    assert res.train_loss[-1] < res.train_loss[0]
    rtol = 1e-8 if dtype == "float64" else 1e-3
    assert np.allclose(res.train_loss, ref.train_loss, rtol=rtol)
    X = np.random.default_rng(9).normal(size=(100, 4))
    assert invariance_error(*CASE, res.weights, X) < INVARIANCE_TOL


@needs_cuda
def test_default_device_is_cuda(data):
    from varieties.learn import torch_backend as tb

    assert tb.resolve_device().type == "cuda"
    res = train(*CASE, data.X, data.y, method="tied", backend="torch", steps=3,
                X_test=data.X_test, y_test=data.y_test)
    assert res.device.startswith("cuda")
    w = random_tied_weights(CASE[0], seed=2)
    assert np.allclose(tb.forward(CASE[0], w, data.X), nb.forward(CASE[0], w, data.X),
                       rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_reversed_rows_on_device(device, data):
    # X[::-1] has a negative stride, which torch.as_tensor refuses.
    from varieties.learn import torch_backend as tb

    w = random_tied_weights(CASE[0], seed=2)
    Xr = data.X[::-1]
    got = tb.forward(CASE[0], w, Xr, device=device)
    assert np.allclose(got, nb.forward(CASE[0], w, Xr.copy()), rtol=1e-12, atol=1e-12)


def _power_sum_net(spec, w, x, kind):
    """The whole network through the kernels on tensor ``x`` with numpy coefficients."""
    o = x
    for lay, (role, coef) in zip(nb.layout(spec), ps.coefficients(spec, w, kind)):
        assert role != "trivial"      # every layer of the specs below has a power-sum form
        fn = ps.equivariant_layer if role == "equivariant" else ps.invariant_layer
        o = fn(o, *coef)
        o = o if lay.power == 1 else o**lay.power
    return o


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("spec,kind", [("4,q4,q1", "invariant"), ("3,q3^2,q3", "equivariant"),
                                       ("5,q5,q2", "invariant")])
def test_power_sum_kernels_on_tensors_equal_numpy(device, spec, kind):
    spec = parse_spec(spec)
    w = random_tied_weights(spec, "symmetric", kind, seed=5)
    X = np.random.default_rng(6).uniform(-1, 1, (32, spec.n_inputs))
    ref = ps.forward(spec, w, X, kind)
    xt = torch.as_tensor(X, dtype=torch.float64, device=device)
    got = _power_sum_net(spec, w, xt, kind)
    assert got.device.type == device and got.dtype == torch.float64
    assert np.allclose(got.cpu().numpy(), ref, rtol=1e-12, atol=1e-12)
    got32 = _power_sum_net(spec, w, xt.float(), kind)
    assert got32.dtype == torch.float32
    assert np.allclose(got32.cpu().numpy(), ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
