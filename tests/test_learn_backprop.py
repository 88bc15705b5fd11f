"""Forward/backward of quadratic networks: hand-checked cases, bad input, torch autograd.

The property tests against the exact reference and finite differences are in
``test_learn_properties.py`` (they need hypothesis; this module does not, so
that its torch and CUDA checks run where only pytest and torch are installed).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import needs_cuda, needs_torch, random_batch, torch
from varieties.errors import DataError, MethodError
from varieties.learn import numpy_backend as nb
from varieties.network import parse_spec

SPECS = ["3,q3,q1", "2,l2^2,a1", "3,s2^3,q2", "3,q3,q1,full", "2,a3,s2,l1", "4,q2^2,q4"]


def test_symmetric_counting_of_squares():
    # o = A_00 x0^2 + A_01 x0 x1 + A_11 x1^2: d o / d x0 = 2 A_00 x0 + A_01 x1, which the
    # notes' eq. 29 (sum_j W_kj o_j = A_00 x0 + A_01 x1) gets wrong. Checked through the
    # gradient of the first layer of 2,l2,s1 (its input is x, so it sees do/dx).
    spec = parse_spec("2,l2,s1")
    w = np.zeros(len(spec.weights))
    idx = {n: i for i, n in enumerate(spec.weights)}
    w[idx["B1_0_0"]] = w[idx["B1_1_1"]] = 1.0           # identity first layer
    w[idx["A2_0_0_0"]], w[idx["A2_0_0_1"]], w[idx["A2_0_1_1"]] = 2.0, 3.0, 5.0
    X = np.array([[0.5, -1.0]])
    out, cache = nb.forward(spec, w, X, return_cache=True)
    g = nb.backward(spec, w, cache, np.ones_like(out))
    x0, x1 = X[0]
    assert g[idx["B1_0_0"]] == pytest.approx((2 * 2.0 * x0 + 3.0 * x1) * x0)
    assert g[idx["B1_1_1"]] == pytest.approx((3.0 * x0 + 2 * 5.0 * x1) * x1)


@pytest.mark.parametrize("bad", [np.zeros((4, 2)), np.zeros(3), np.zeros((4, 3, 1))])
def test_input_shape_mismatch(bad):
    spec = parse_spec("3,q3,q1")
    with pytest.raises(DataError, match=r"needs \(n_samples, 3\)"):
        nb.forward(spec, np.zeros(len(spec.weights)), bad)


def test_nan_inputs_and_wrong_weights():
    spec = parse_spec("3,q1")
    X = np.zeros((2, 3))
    X[1, 2] = np.inf
    with pytest.raises(DataError, match="row 1, column 2"):
        nb.forward(spec, np.zeros(len(spec.weights)), X)
    with pytest.raises(DataError, match="10 weights"):
        nb.forward(spec, np.zeros(3), np.zeros((2, 3)))


# --- torch -----------------------------------------------------------------------------------



@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("spec", SPECS)
def test_numpy_gradient_matches_torch_autograd(spec):
    from varieties.learn import torch_backend as tb

    spec = parse_spec(spec)
    w, X, y = random_batch(spec, 3, batch=7)
    loss, g = nb.loss_and_grad(spec, w, X, y)
    loss_t, g_t = tb.loss_and_grad(spec, w, X, y, device="cpu", dtype="float64")
    assert loss == pytest.approx(loss_t, rel=1e-10)
    assert np.allclose(g, g_t, rtol=1e-10, atol=1e-10 * np.abs(g).max())
    assert np.allclose(nb.forward(spec, w, X), tb.forward(spec, w, X, device="cpu"),
                       rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.torch
def test_torch_float32_close_and_bad_options():
    from varieties.learn import torch_backend as tb

    spec = parse_spec("3,q3,q1")
    w, X, _ = random_batch(spec, 4)
    ref = nb.forward(spec, w, X)
    got = tb.forward(spec, w, X, device="cpu", dtype="float32")
    assert np.allclose(got, ref, rtol=1e-4, atol=1e-5)
    with pytest.raises(MethodError, match="dtype"):
        tb.forward(spec, w, X, device="cpu", dtype="int32")
    with pytest.raises(MethodError, match="device"):
        tb.forward(spec, w, X, device="nonsense")


@needs_torch
@pytest.mark.torch
def test_torch_default_device_is_cuda_when_available():
    from varieties.learn.torch_backend import resolve_device

    assert resolve_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


@needs_cuda
@pytest.mark.torch
def test_cuda_matches_numpy():
    from varieties.learn import torch_backend as tb

    spec = parse_spec("4,q4,q1")
    w, X, y = random_batch(spec, 5, batch=64)
    loss, g = nb.loss_and_grad(spec, w, X, y)
    loss_c, g_c = tb.loss_and_grad(spec, w, X, y, device="cuda", dtype="float64")
    assert loss == pytest.approx(loss_c, rel=1e-10)
    assert np.allclose(g, g_c, rtol=1e-10, atol=1e-10 * np.abs(g).max())


def test_check_finite_on_vectors_and_tensors():
    with pytest.raises(DataError, match=r"w contains NaN or inf \(first at index 2\)"):
        nb.check_finite(np.array([0.0, 1.0, np.nan]), "w")
    with pytest.raises(DataError, match=r"first at index \(0, 1, 0\)"):
        nb.check_finite(np.array([[[0.0], [np.inf]]]), "T")
    with pytest.raises(DataError, match="give finite ones"):
        nb.check_finite(np.array([np.inf]), "w", "give finite ones")
    assert nb.check_finite(np.array([1.0, 2.0]), "w").tolist() == [1.0, 2.0]


@needs_torch
@pytest.mark.torch
def test_torch_reversed_rows_and_dtype_spellings():
    from varieties.learn import torch_backend as tb

    spec = parse_spec("3,q3,q1")
    w, X, y = random_batch(spec, 6, batch=9)
    Xr = X[::-1]
    assert np.allclose(tb.forward(spec, w, Xr, device="cpu"), nb.forward(spec, w, Xr.copy()),
                       rtol=1e-12, atol=1e-12)
    loss, g = tb.loss_and_grad(spec, w, Xr, y[::-1], device="cpu")
    loss_c, g_c = tb.loss_and_grad(spec, w, Xr.copy(), y[::-1].copy(), device="cpu")
    assert loss == loss_c and np.array_equal(g, g_c)
    for dtype in ("float32", np.float32, torch.float32, "torch.float32"):
        assert tb.resolve_dtype(dtype) is torch.float32
    for dtype in ("float64", np.float64, torch.float64, torch.double, None):
        assert tb.resolve_dtype(dtype) is torch.float64
    for dtype in ("nonsense", torch.float16, torch.int64):
        with pytest.raises(MethodError, match="not supported; use 'float64' or 'float32'"):
            tb.forward(spec, w, X, device="cpu", dtype=dtype)


@needs_torch
@pytest.mark.torch
def test_cuda_device_index_is_checked(monkeypatch):
    # Pretend to have one GPU: resolve_device only builds torch.device objects.
    from varieties.learn.torch_backend import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(MethodError, match=r"'cuda:3' asked for, but only 1 CUDA device"):
        resolve_device("cuda:3")
    assert resolve_device("cuda:0") == torch.device("cuda", 0)
    assert resolve_device("cuda").type == "cuda"
    assert resolve_device(None).type == "cuda"
    with pytest.raises(MethodError, match="'meta' is not supported"):
        resolve_device("meta")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device(None).type == "cpu"
    with pytest.raises(MethodError, match="CUDA is not available"):
        resolve_device("cuda:0")
