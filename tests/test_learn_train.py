"""Training: invariance after every step, tied gradients, backends, divergence, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import needs_cuda, needs_torch, torch
from varieties.cli import main
from varieties.errors import DataError, MethodError
from varieties.learn import numpy_backend as nb
from varieties.learn import synthetic_data, train
from varieties.learn.train import invariance_error
from varieties.network import parse_spec
from varieties.tying import tying


CASES = [("4,q4,q1", "symmetric", "invariant"), ("3,q3,q3", "symmetric", "equivariant"),
         ("3,q3,q1,full", "symmetric", "invariant"), ("4,q4,q1", "cyclic", "invariant"),
         ("4,q4,q2", "hyperoctahedral", "folded"), ("3,q2^2,l1", "symmetric", "invariant")]


@pytest.fixture(scope="module")
def data():
    return {case: synthetic_data(case[0], case[1], case[2], n_train=64, n_test=64, seed=1)
            for case in CASES}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", ["tied", "projected"])
def test_invariant_after_every_step(case, method, data):
    spec, group, kind = case
    d = data[case]
    res = train(spec, group, kind, d.X, d.y, method=method, steps=25, lr=0.02,
                X_test=d.X_test, y_test=d.y_test)
    assert res.status == "ok", res.message
    assert len(res.invariance_history) == res.steps == 25
    assert max(res.invariance_history) < 1e-9
    assert res.train_loss[-1] < res.train_loss[0]
    # Recomputed independently of the recorded history, on fresh inputs.
    X = np.random.default_rng(9).normal(size=(100, parse_spec(spec).n_inputs))
    assert invariance_error(spec, group, kind, res.weights, X) < 1e-9


def test_free_training_is_not_invariant(data):
    case = CASES[0]
    d = data[case]
    res = train(*case, d.X, d.y, method="free", steps=30, lr=0.02)
    assert res.status == "ok" and res.train_loss[-1] < res.train_loss[0]
    assert res.invariance_error > 1e-6
    assert res.invariance_history == []


def test_tied_gradient_is_color_sum_and_matches_finite_differences(data):
    spec, group, kind = CASES[0]
    spec = parse_spec(spec)
    d = data[CASES[0]]
    t = tying(spec, group=group, kind=kind)
    M = t.matrix()
    theta = np.random.default_rng(2).normal(size=M.shape[1])
    loss = lambda th: nb.loss_and_grad(spec, M @ th, d.X, d.y)[0]
    _, gw = nb.loss_and_grad(spec, M @ theta, d.X, d.y)
    g_theta = M.T @ gw
    h = 1e-6
    fd = np.array([(loss(theta + h * e) - loss(theta - h * e)) / (2 * h)
                   for e in np.eye(len(theta))])
    assert np.allclose(g_theta, fd, rtol=1e-6, atol=1e-7)
    # Pure colors (notes 7.2): the parameter's gradient is the sum over its weights.
    sums = {}
    for name, g in zip(spec.weights, gw):
        c = t.colors[name]
        if c >= 0:
            sums[c] = sums.get(c, 0.0) + g
    assert sorted(np.round(list(sums.values()), 9)) == sorted(np.round(g_theta, 9))


def test_tied_full_indexing_uses_dependent_weights(data):
    case = CASES[2]
    spec = parse_spec(case[0])
    t = tying(spec, group=case[1], kind=case[2], full=True)
    assert t.n_free < t.n_colors      # additive constraints: some colors are dependent
    d = data[case]
    res = train(*case, d.X, d.y, method="tied", steps=5, X_test=d.X_test, y_test=d.y_test)
    assert res.n_params == t.n_free
    theta = np.linalg.lstsq(t.matrix(), res.weights, rcond=None)[0]
    assert np.allclose(t.matrix() @ theta, res.weights, atol=1e-12)


def test_synthetic_target_is_representable_and_symmetric():
    d = synthetic_data("4,q4,q1", n_train=32, n_test=32, noise=0.0, seed=4)
    assert np.allclose(nb.forward(d.spec, d.w_true, d.X), d.y, atol=1e-12)
    assert np.std(d.y_test) == pytest.approx(1.0, rel=1e-9)
    res = train(d.spec, "symmetric", "invariant", d.X, d.y, method="tied", steps=0,
                w0=d.w_true, X_test=d.X_test, y_test=d.y_test)
    assert res.test_loss < 1e-24 and res.invariance_error < 1e-12


@pytest.mark.parametrize("method", ["free", "tied", "projected"])
def test_divergence_is_reported_with_last_good_weights(method, data):
    case = CASES[0]
    d = data[case]
    res = train(*case, d.X, d.y, method=method, steps=200, lr=1e3, init_scale=3.0,
                optimizer="sgd", X_test=d.X_test, y_test=d.y_test)
    assert res.status == "diverged"
    assert isinstance(res.diverged_step, int) and "step" in res.message
    assert np.all(np.isfinite(res.weights))
    if res.train_loss:
        last = nb.mse(nb.forward(case[0], res.weights, d.X), d.y)
        assert last == pytest.approx(res.train_loss[-1], rel=1e-9)


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("method", ["free", "tied"])
def test_torch_and_numpy_training_agree(method, data):
    case = CASES[0]
    d = data[case]
    kw = dict(method=method, steps=15, lr=0.02, X_test=d.X_test, y_test=d.y_test)
    a = train(*case, d.X, d.y, backend="numpy", **kw)
    b = train(*case, d.X, d.y, backend="torch", device="cpu", dtype="float64", **kw)
    assert np.allclose(a.train_loss, b.train_loss, rtol=1e-10)
    assert np.allclose(a.weights, b.weights, rtol=1e-8, atol=1e-10)


def test_bad_input(data):
    case = CASES[0]
    d = data[case]
    with pytest.raises(DataError, match=r"needs \(64, 1\)"):
        train(*case, d.X, d.y[:10])
    with pytest.raises(DataError, match="n_samples, 4"):
        train(*case, d.X[:, :3], d.y)
    y = d.y.copy()
    y[5, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        train(*case, d.X, y)
    with pytest.raises(MethodError, match="unknown method"):
        train(*case, d.X, d.y, method="magic")
    with pytest.raises(MethodError, match="float64"):
        train(*case, d.X, d.y, dtype="float32")
    with pytest.raises(MethodError, match="must start on the variety"):
        w0 = np.random.default_rng(0).normal(size=len(parse_spec(case[0]).weights))
        train(*case, d.X, d.y, method="projected", w0=w0)
    with pytest.raises(MethodError, match="tied subspace"):
        train(*case, d.X, d.y, method="tied", w0=w0)


def test_cli_json_and_csv(tmp_path, capsys):
    assert main(["train", "3,q3,q1", "--method", "tied", "--steps", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["train_loss"]) == 5 and out["invariance_error"] < 1e-9
    for key in ("test_loss", "seconds", "steps_per_second"):
        assert isinstance(out[key], float)
    d = synthetic_data("3,q3,q1", n_train=20, seed=2)
    path = tmp_path / "d.csv"
    rows = ["x0,x1,x2,y0"] + [",".join(map(str, list(x) + list(t))) for x, t in zip(d.X, d.y)]
    path.write_text("\n".join(rows))
    assert main(["train", "3,q3,q1", "--data", str(path), "--steps", "3", "--json",
                 "--method", "free"]) == 0
    assert len(json.loads(capsys.readouterr().out)["train_loss"]) == 3
    path.write_text("a,b\n1,2\n")
    assert main(["train", "3,q3,q1", "--data", str(path)]) == 2
    assert "4 columns" in capsys.readouterr().err
    path.write_text("x0,x1,x2,y0\n1,2,3,nan\n")
    assert main(["train", "3,q3,q1", "--data", str(path)]) == 2


def _permute_hidden(spec, w, sigma):
    """Relabel the hidden neurons of a 2-layer network by ``sigma``: the same function."""
    pos = {name: i for i, name in enumerate(spec.weights)}
    out = np.zeros_like(w)
    for wi in spec.weight_index:
        if wi.layer == 1:
            name = {"A": f"A1_{sigma[wi.k]}_{wi.i}_{wi.j}", "B": f"B1_{sigma[wi.k]}_{wi.i}",
                    "C": f"C1_{sigma[wi.k]}"}[wi.part]
        elif wi.part == "A":
            i, j = sorted((sigma[wi.i], sigma[wi.j]))
            name = f"A2_{wi.k}_{i}_{j}"
        elif wi.part == "B":
            name = f"B2_{wi.k}_{sigma[wi.i]}"
        else:
            name = wi.name
        out[pos[name]] = w[pos[wi.name]]
    return out


def test_projected_from_an_untied_point_of_the_variety(data):
    # Relabelling the hidden neurons of tied weights keeps the function (so the point is on
    # the variety) but leaves the tied subspace: only the projected method can start there.
    case = CASES[0]
    spec = parse_spec(case[0])
    d = data[case]
    M = tying(spec, group=case[1], kind=case[2]).matrix()
    w_tied = M @ np.random.default_rng(3).normal(size=M.shape[1])
    w0 = _permute_hidden(spec, w_tied, [1, 2, 3, 0])
    assert np.allclose(nb.forward(spec, w0, d.X), nb.forward(spec, w_tied, d.X))
    theta = np.linalg.lstsq(M, w0, rcond=None)[0]
    assert np.abs(M @ theta - w0).max() > 1e-3
    with pytest.raises(MethodError, match="tied subspace"):
        train(*case, d.X, d.y, method="tied", w0=w0)
    res = train(*case, d.X, d.y, method="projected", w0=w0, steps=15, lr=0.01,
                X_test=d.X_test, y_test=d.y_test)
    assert res.status == "ok" and max(res.invariance_history) < 1e-9
    assert res.train_loss[-1] < res.train_loss[0]


@needs_torch
@pytest.mark.torch
def test_torch_float32_tied_training_stays_invariant(data):
    case = CASES[0]
    d = data[case]
    res = train(*case, d.X, d.y, method="tied", backend="torch", device="cpu", dtype="float32",
                steps=20, X_test=d.X_test, y_test=d.y_test)
    assert res.status == "ok" and res.dtype == "float32"
    assert res.train_loss[-1] < res.train_loss[0]
    assert max(res.invariance_history) < 1e-9   # the tied weights themselves stay float64


@needs_cuda
@pytest.mark.torch
def test_cuda_training_matches_numpy(data):
    case = CASES[0]
    d = data[case]
    kw = dict(method="tied", steps=10, X_test=d.X_test, y_test=d.y_test)
    a = train(*case, d.X, d.y, backend="numpy", **kw)
    b = train(*case, d.X, d.y, backend="torch", device="cuda", dtype="float64", **kw)
    assert b.device.startswith("cuda")
    assert np.allclose(a.train_loss, b.train_loss, rtol=1e-10)


# --- review findings: input checks, divergence bookkeeping, CSV headers ----------------------

@needs_torch
@pytest.mark.torch
def test_torch_training_on_reversed_rows(data):
    # X[::-1] is a view with a negative stride, which torch.as_tensor cannot wrap.
    case = CASES[0]
    d = data[case]
    kw = dict(method="free", backend="torch", device="cpu", steps=5, X_test=d.X_test,
              y_test=d.y_test)
    a = train(*case, d.X[::-1], d.y[::-1], **kw)
    b = train(*case, d.X[::-1].copy(), d.y[::-1].copy(), **kw)
    assert a.status == "ok"
    assert a.train_loss == b.train_loss
    assert np.array_equal(a.weights, b.weights)


def test_numpy_backend_refuses_other_devices(data, capsys):
    case = CASES[0]
    d = data[case]
    with pytest.raises(MethodError, match="device 'cuda' needs backend 'torch'"):
        train(*case, d.X, d.y, device="cuda", steps=1)
    with pytest.raises(MethodError, match="device 'cuda:1' needs backend 'torch'"):
        train(*case, d.X, d.y, device="cuda:1", steps=1)
    assert train(*case, d.X, d.y, device="cpu", steps=1).device == "cpu"
    assert main(["train", "4,q4,q1", "--device", "cuda", "--steps", "1"]) == 2
    assert "--backend torch" in capsys.readouterr().err


@pytest.mark.parametrize("dtype", ["nonsense", "int32", "float16", object()])
def test_unknown_dtype_is_a_method_error(dtype, data):
    case = CASES[0]
    d = data[case]
    backends = ["numpy"] + (["torch"] if torch is not None else [])
    for backend in backends:
        with pytest.raises(MethodError, match="dtype .* is not supported"):
            train(*case, d.X, d.y, backend=backend, device="cpu", dtype=dtype, steps=1)


def test_dtype_spellings(data):
    case = CASES[0]
    d = data[case]
    kw = dict(method="tied", steps=2, X_test=d.X_test, y_test=d.y_test)
    assert train(*case, d.X, d.y, dtype=np.float64, **kw).dtype == "float64"
    with pytest.raises(MethodError, match="computes in float64, not float32"):
        train(*case, d.X, d.y, dtype=np.float32, **kw)
    if torch is not None:
        with pytest.raises(MethodError, match="computes in float64, not float32"):
            train(*case, d.X, d.y, dtype=torch.float32, **kw)
        res = train(*case, d.X, d.y, backend="torch", device="cpu", dtype=torch.float32, **kw)
        assert res.dtype == "float32"
        res = train(*case, d.X, d.y, backend="torch", device="cpu", dtype=torch.double, **kw)
        assert res.dtype == "float64"


@pytest.mark.parametrize("method", ["tied", "projected"])
def test_invariance_history_matches_kept_steps_after_divergence(method, data):
    case = CASES[0]
    d = data[case]
    # SGD with a huge step from a normal start: the first update already blows up.
    res = train(*case, d.X, d.y, method=method, steps=50, lr=1e3, init_scale=3.0,
                optimizer="sgd", X_test=d.X_test, y_test=d.y_test)
    assert res.status == "diverged" and res.diverged_step == 1
    assert res.steps == 0 and res.invariance_history == []
    # A later divergence: the history ends with the kept weights' invariance error.
    res = train(*case, d.X, d.y, method=method, steps=50, lr=1.0, optimizer="sgd",
                X_test=d.X_test, y_test=d.y_test)
    assert res.status == "diverged" and res.steps >= 1, res.message
    assert len(res.invariance_history) == res.steps
    assert res.invariance_history[-1] == res.invariance_error


@pytest.mark.parametrize("fraction", [1.0, 1.5, -0.1, float("nan"), "abc", None])
def test_bad_test_fraction(fraction, data):
    d = data[CASES[0]]
    with pytest.raises(MethodError, match="test_fraction"):
        train(*CASES[0], d.X, d.y, test_fraction=fraction, steps=1)


def test_empty_data_and_empty_training_split(data):
    case = CASES[0]
    d = data[case]
    with pytest.raises(DataError, match="X has no rows"):
        train(*case, np.zeros((0, 4)), np.zeros((0, 1)), steps=1)
    with pytest.raises(DataError, match="leaves no training rows"):
        train(*case, d.X[:4], d.y[:4], test_fraction=0.9, steps=1)
    res = train(*case, d.X[:8], d.y[:8], test_fraction=0.0, steps=3)
    assert res.status == "ok" and np.isfinite(res.test_loss)


def test_test_data_come_in_pairs(data):
    case = CASES[0]
    d = data[case]
    with pytest.raises(DataError, match="X_test given without y_test; give both X_test and "
                       "y_test or neither"):
        train(*case, d.X, d.y, X_test=d.X_test, steps=1)
    with pytest.raises(DataError, match="y_test given without X_test"):
        train(*case, d.X, d.y, y_test=d.y_test, steps=1)


def test_bad_start_scale_and_learning_rate(data):
    case = CASES[0]
    d = data[case]
    w0 = tying(case[0], group=case[1], kind=case[2]).matrix() @ np.ones(11)
    w0 = np.asarray(w0, dtype=float)
    w0[3] = np.nan
    with pytest.raises(DataError, match=r"w0 contains NaN or inf \(first at index 3\)"):
        train(*case, d.X, d.y, method="tied", w0=w0)
    for scale in (np.nan, np.inf, -1.0, "big"):
        with pytest.raises(MethodError, match="init_scale"):
            train(*case, d.X, d.y, init_scale=scale)
    for lr in ("fast", None, 0, -0.1, np.inf, np.nan, [0.1, 0.2]):
        with pytest.raises(MethodError, match="learning rate"):
            train(*case, d.X, d.y, lr=lr)
    assert train(*case, d.X, d.y, lr="0.02", steps=2).status == "ok"


def _csv(path, X, y, header):
    rows = ([",".join([f"x{i}" for i in range(X.shape[1])] + ["y0"])] if header else [])
    rows += [",".join(repr(float(v)) for v in [*x, *t]) for x, t in zip(X, y)]
    path.write_text("\n".join(rows) + "\n")


def test_csv_with_and_without_header(tmp_path, capsys):
    from varieties.commands.train import read_csv

    d = synthetic_data("3,q3,q1", n_train=20, seed=2)
    for header in (True, False):
        path = tmp_path / f"h{header}.csv"
        _csv(path, d.X, d.y, header)
        X, y = read_csv(str(path), 3, 1)
        assert np.array_equal(X, d.X) and np.array_equal(y, d.y)
    # The same data give the same run whether or not the file has a header.
    outs = []
    for header in (True, False):
        assert main(["train", "3,q3,q1", "--data", str(tmp_path / f"h{header}.csv"),
                     "--steps", "3", "--json", "--method", "free"]) == 0
        outs.append(json.loads(capsys.readouterr().out)["train_loss"])
    assert outs[0] == outs[1]
    # A header of names, and unnamed columns, still read as a header.
    path = tmp_path / "named.csv"
    path.write_text("a,b,c,d\n1,2,3,4\n5,6,7,8\n")
    X, y = read_csv(str(path), 3, 1)
    assert X.tolist() == [[1, 2, 3], [5, 6, 7]] and y.tolist() == [[4], [8]]
    path.write_text("a,b,c,d\n")
    assert main(["train", "3,q3,q1", "--data", str(path)]) == 2
    assert "no rows" in capsys.readouterr().err


def test_median_table_of_the_demonstration(monkeypatch):
    import importlib.util
    import os
    import pathlib

    import pandas as pd

    # Importing the script sets BLAS thread variables; keep them out of this process.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.setenv(var, os.environ.get(var, "1"))
    path = pathlib.Path(__file__).parents[1] / "scripts" / "train_symmetric.py"
    spec = importlib.util.spec_from_file_location("train_symmetric", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    df = pd.DataFrame({"n": 4, "n_train": 16, "method": "tied",
                       "test_loss": [1.0, 2.0, 100.0]})
    table = mod.median_table(df)
    assert table.loc[(4, 16), "tied"] == pytest.approx(np.median(df.test_loss))


def test_cli_threads_sets_torch_threads_and_needs_torch(capsys):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        assert main(["train", "2,q2,q1", "--backend", "torch", "--device", "cpu",
                     "--threads", "1", "--steps", "2", "--json"]) == 0
        assert torch.get_num_threads() == 1
        assert len(json.loads(capsys.readouterr().out)["train_loss"]) == 2
    finally:
        torch.set_num_threads(before)
    assert main(["train", "2,q2,q1", "--threads", "1"]) == 2
    assert "--backend torch" in capsys.readouterr().err
    assert main(["train", "2,q2,q1", "--backend", "torch", "--threads", "0"]) == 2
    assert "--threads 0 is invalid" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["numpy", pytest.param("torch", marks=[needs_torch,
                                                                        pytest.mark.torch])])
def test_loss_and_grad_checks_targets(backend, data):
    case = CASES[0]
    d = data[case]
    spec = parse_spec(case[0])
    w = np.random.default_rng(1).normal(size=len(spec.weights))
    if backend == "numpy":
        fn = nb.loss_and_grad
    else:
        from varieties.learn import torch_backend

        def fn(*a):
            return torch_backend.loss_and_grad(*a, device="cpu")
    loss, _ = fn(spec, w, d.X, d.y)
    # The same loss as the forward pass gives: y is used row for row.
    assert loss == pytest.approx(nb.mse(nb.forward(spec, w, d.X), d.y), rel=1e-12)
    # A y whose entry count fits but whose shape does not is refused, not reshaped.
    spec3 = parse_spec("3,q3,q3")
    w3 = np.random.default_rng(2).normal(size=len(spec3.weights))
    X3 = np.random.default_rng(3).normal(size=(20, 3))
    Y3 = np.random.default_rng(4).normal(size=(20, 3))
    with pytest.raises(DataError, match=r"needs \(20, 3\)"):
        fn(spec3, w3, X3, Y3.T.copy())
    with pytest.raises(DataError, match=r"needs \(64, 1\)"):
        fn(spec, w, d.X, d.y[:10])
    y = d.y.copy()
    y[3, 0] = np.inf
    with pytest.raises(DataError, match="NaN or inf"):
        fn(spec, w, d.X, y)


@pytest.mark.parametrize("kw, match", [
    (dict(seed=-1), "seed = -1"),
    (dict(seed=1.5), "seed = 1.5"),
    (dict(seed=True), "seed = True"),
    (dict(steps=-2), "steps = -2"),
])
def test_bad_seed_and_steps(kw, match, data):
    case = CASES[0]
    d = data[case]
    with pytest.raises(MethodError, match=match):
        train(*case, d.X, d.y, **kw)


@pytest.mark.parametrize("kw, match", [
    (dict(seed=-1), "seed = -1"),
    (dict(n_train=0), "n_train"),
    (dict(n_test=-5), "n_test"),
    (dict(noise=float("nan")), "noise"),
    (dict(noise=-0.1), "noise"),
    (dict(noise="loud"), "noise"),
])
def test_synthetic_data_refuses_bad_sizes(kw, match):
    with pytest.raises(MethodError, match=match):
        synthetic_data("3,q3,q1", **kw)


def test_cli_bad_synthetic_options_and_data_conflict(tmp_path, capsys):
    for args, match in ((["--n-train", "-3"], "n_train"), (["--seed", "-1"], "seed"),
                        (["--noise", "nan"], "noise")):
        assert main(["train", "3,q3,q1", "--steps", "1", *args]) == 2
        assert match in capsys.readouterr().err
    csv = tmp_path / "d.csv"
    csv.write_text("x0,x1,x2,y0\n" + "\n".join("1,2,3,4" for _ in range(8)) + "\n")
    assert main(["train", "3,q3,q1", "--steps", "1", "--data", str(csv), "--noise", "0.1"]) == 2
    assert "--noise applies only to the synthetic target" in capsys.readouterr().err
    assert main(["train", "3,q3,q1", "--steps", "1", "--data", str(csv), "--json"]) == 0


def test_divergence_at_the_first_step_says_no_step_was_good(data):
    case = CASES[0]
    d = data[case]
    res = train(*case, d.X, d.y, steps=5, init_scale=1e100)
    assert res.status == "diverged" and res.diverged_step == 0
    assert "start weights" in res.message and "last step with a good" not in res.message


def test_seed_none_draws_a_recorded_seed(data):
    d = synthetic_data("3,q3,q1", n_train=8, n_test=4, seed=None)
    assert isinstance(d.seed, int) and d.seed >= 0
    again = synthetic_data("3,q3,q1", n_train=8, n_test=4, seed=d.seed)
    assert np.array_equal(d.X, again.X) and np.array_equal(d.y, again.y)
    case = CASES[0]
    res = train(*case, data[case].X, data[case].y, steps=2, seed=None)
    assert res.status == "ok"
