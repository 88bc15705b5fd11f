"""Training quadratic networks free, tied to the layer-wise tying, or projected onto the variety.

========== ===================================================================
method     parameters and update
========== ===================================================================
free       all weights ``w``; Adam on the mean squared error. The baseline:
           nothing keeps the network symmetric.
tied       the tying's free parameters ``theta`` with ``w = M theta``
           (:func:`varieties.tying.tying`, layer-wise equivariant; last layer
           of ``kind``). ``grad_theta = M^T grad_w``: for a pure color the sum
           of the gradients of its weights (notes 7.2), and the additive
           constraints of the full indexing enter through the dependent
           weights, i.e. through the columns of ``M``.
projected  all weights, kept on the nonlinear variety of whole-network
           symmetry: Adam's update projected onto ``ker J(w)``, then a
           Gauss-Newton retraction (:mod:`~varieties.learn.projected`). Starts
           at tied weights (or ``w0``, which must lie on the variety). With
           the torch backend the whole step (Adam, the constraint Jacobian,
           the projection and the retraction) runs on the device in float64
           (:mod:`varieties.nn.projection`).
========== ===================================================================

Training is numerical (float64 weights; the torch backend computes the loss
and gradient in ``dtype``). After every step of ``tied`` and ``projected``
the invariance error ``max |F(g x) - rho(g) F(x)|`` over the group's
generators on held-out inputs is recorded; it stays at rounding level
(below 1e-9 for float64 while the outputs are of moderate size). A loss that
becomes NaN/inf, or grows beyond ``1e8`` times ``max(1, first loss, mean
y^2)``, stops the run with status ``diverged``, the step, and the last good
weights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._deprecate import deprecated_call
from .._result_methods import ResultMixin, dataclass_eq
from ..actions import make_action, resolve_kind
from ..errors import DataError, MethodError
from ..groups import get_group, inverse
from ..network import NetworkSpec, parse_spec
from . import numpy_backend as nb
from .synthetic import get_tying

METHODS = ("free", "tied", "projected")
BACKENDS = ("numpy", "torch")
DTYPES = ("float64", "float32")
# The one set of defaults of train() and `varieties train` (the command line reads these):
# tied, because keeping the network symmetric is what this package trains for.
DEFAULT_METHOD = "tied"
DEFAULT_STEPS = 300
DEFAULT_LR = 0.02
DEFAULT_BACKEND = "numpy"
DIVERGENCE_FACTOR = 1e8


# eq=False + dataclass_eq: the generated __eq__ would compare the weight arrays with ``==``.
@dataclass(eq=False)
class TrainResult(ResultMixin):
    """What a training run did: losses, symmetry, speed, status and the final weights."""

    spec: str
    group: str
    kind: str
    method: str
    backend: str
    device: str
    dtype: str
    steps: int
    n_params: int
    train_loss: list[float]
    test_loss: float
    invariance_error: float | None
    invariance_history: list[float]
    seconds: float
    setup_seconds: float
    steps_per_second: float
    status: str
    diverged_step: int | None
    message: str
    weights: np.ndarray = field(repr=False)
    params: np.ndarray | None = field(default=None, repr=False)

    __eq__ = dataclass_eq
    __hash__ = None

    def to_frame(self):
        """One row per step: ``step``, ``train_loss`` and ``invariance_error`` (if recorded)."""
        import pandas as pd

        n = len(self.train_loss)
        inv = list(self.invariance_history) + [None] * (n - len(self.invariance_history))
        return pd.DataFrame({"step": range(n), "train_loss": [float(v) for v in self.train_loss],
                             "invariance_error": inv[:n]},
                            columns=["step", "train_loss", "invariance_error"])

    def summary(self) -> str:
        """A few lines: the run, the losses, the invariance error, speed and status."""
        loss = self.train_loss
        lines = [f"{self.spec} {self.method} ({self.group}, {self.kind}) on {self.backend}/"
                 f"{self.device} {self.dtype}: {self.n_params} parameters, {self.steps} steps"]
        if loss:
            lines.append(f"train loss {loss[0]:.4g} -> {loss[-1]:.4g}; test loss "
                         f"{self.test_loss:.4g}")
        inv = "n/a" if self.invariance_error is None else f"{self.invariance_error:.3g}"
        lines.append(f"invariance error {inv}; {self.seconds:.2f} s "
                     f"({self.steps_per_second:.1f} steps/s); status {self.status}"
                     + (f": {self.message}" if self.message else ""))
        return "\n".join(lines)

    def to_dict(self, weights: bool = False) -> dict:
        """JSON-ready dict (``weights`` adds the final weight vector)."""
        out = {k: getattr(self, k) for k in (
            "spec", "group", "kind", "method", "backend", "device", "dtype", "steps",
            "n_params", "train_loss", "test_loss", "invariance_error", "invariance_history",
            "seconds", "setup_seconds", "steps_per_second", "status", "diverged_step",
            "message")}
        out["train_loss"] = [float(v) for v in self.train_loss]
        out["invariance_history"] = [float(v) for v in self.invariance_history]
        if weights:
            out["weights"] = [float(v) for v in self.weights]
        return out


def invariance_error(spec: NetworkSpec | str, group, kind: str, w, X) -> float | None:
    """``max |F(g x) - rho(g) F(x)|`` over the generators ``g`` and the rows ``x`` of ``X``.

    ``None`` for kind ``none`` (no symmetry to measure).

    Examples
    --------
    >>> spec = parse_spec("2,l1")
    >>> invariance_error(spec, "symmetric", "invariant", [1.0, 3.0], [[1.0, 0.0]])
    2.0
    """
    spec = nb.as_spec(spec)
    if kind == "none":
        return None
    G = get_group(group, spec.n_inputs)
    action = make_action(G, kind, spec.n_outputs)
    X = nb.check_inputs(spec, X)
    F = nb.forward(spec, w, X)
    err = 0.0
    for g in G.generators:
        # (g.x)_i = x_{g^-1(i)} and (rho(g) y)_k = y_{rho(g)^-1(k)}.
        Fg = nb.forward(spec, w, X[:, list(inverse(g))])
        err = max(err, float(np.max(np.abs(Fg - F[:, list(inverse(action.rho(g)))]),
                                    initial=0.0)))
    return err


class Adam:
    """Adam on a flat parameter vector; :meth:`step` returns the update to subtract.

    ``x0`` (the start parameters) gives the shape, and the array kind: a numpy
    array or a torch tensor, whose device and dtype the state then keeps.
    """

    def __init__(self, x0, lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = x0 * 0.0
        self.v = x0 * 0.0
        self.t = 0

    def step(self, g: np.ndarray) -> np.ndarray:
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        mh = self.m / (1 - self.b1**self.t)
        vh = self.v / (1 - self.b2**self.t)
        return self.lr * mh / (vh**0.5 + self.eps)


class SGD:
    """Plain gradient descent: the update is ``lr * g``."""

    def __init__(self, x0, lr: float):
        self.lr = lr

    def step(self, g: np.ndarray) -> np.ndarray:
        return self.lr * g


OPTIMIZERS = {"adam": Adam, "sgd": SGD}


def check_backend(backend: str, device=None, dtype="float64") -> str:
    """Refuse backend/device/dtype combinations that cannot run; return the dtype's name.

    The numpy backend computes in float64 on the CPU, so a float32 dtype or a
    device other than ``cpu`` there raises :class:`MethodError` instead of
    being silently ignored. For torch, torch is imported and the device
    resolved (:func:`~varieties.learn.torch_backend.resolve_device`), so that
    a missing torch or GPU is reported before any setup work.

    Examples
    --------
    >>> check_backend("numpy", "cpu", np.float64)
    'float64'
    >>> check_backend("numpy", "cuda")   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    varieties.errors.MethodError: device 'cuda' needs backend 'torch'; pass backend='torch' ...
    """
    if backend not in BACKENDS:
        raise MethodError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    name = nb.dtype_name(dtype)
    if backend == "numpy":
        if name != "float64":
            raise MethodError(f"backend 'numpy' computes in float64, not {name}; use "
                              "backend 'torch' for float32")
        if device is not None and str(device).partition(":")[0] != "cpu":
            raise MethodError(f"device {str(device)!r} needs backend 'torch'; pass "
                              "backend='torch' (--backend torch) or leave the device out")
    else:
        from .torch_backend import resolve_device

        resolve_device(device)
    return name


def loss_grad_fn(spec: NetworkSpec, X, y, backend="numpy", device=None, dtype="float64",
                 on_device: bool = False):
    """``w -> (loss, grad_w)`` on fixed data, for ``backend``; also returns the device name.

    With ``on_device`` (torch only) ``w`` and the gradient are float64 tensors
    on the device (the loss is computed in ``dtype``); otherwise numpy arrays.
    """
    dtype = check_backend(backend, device, dtype)
    if backend == "numpy":
        return (lambda w: nb.loss_and_grad(spec, w, X, y)), "cpu"
    from .torch_backend import TorchNet

    net = TorchNet(spec, device=device, dtype=dtype)
    Xt, yt = net.tensor(X), net.tensor(y)

    def fn(w):
        wt = (w.detach().to(net.dtype) if on_device else net.tensor(w)).requires_grad_(True)
        loss = ((net.forward(wt, Xt) - yt) ** 2).mean()
        loss.backward()
        g = wt.grad.detach().double()
        return float(loss.detach()), (g if on_device else g.cpu().numpy())

    return fn, str(net.device)


def _finite(a) -> bool:
    """Whether every entry of a numpy array or torch tensor is finite (no host copy)."""
    return bool(a.isfinite().all()) if nb.is_torch(a) else bool(np.all(np.isfinite(a)))


def _host(a) -> np.ndarray:
    """``a`` as a float64 numpy array (a torch tensor is copied from its device)."""
    return a.detach().cpu().double().numpy() if nb.is_torch(a) else a


def _real(value, name: str, ok, want: str) -> float:
    """``value`` as a float satisfying ``ok``, else :class:`MethodError` saying what is wanted."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (np.isfinite(v) and ok(v)):
        raise MethodError(f"{name} = {value!r} is invalid; give {want}")
    return v


def _check_options(method, backend, device, dtype, optimizer, steps, seed, lr, init_scale,
                   test_fraction):
    """Validate the options before any setup work; return ``dtype, steps, seed, lr,
    init_scale, test_fraction`` normalised (a bad option fails before the tying or
    the constraints are computed)."""
    if method not in METHODS:
        raise MethodError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    dtype = check_backend(backend, device, dtype)
    if optimizer not in OPTIMIZERS:
        raise MethodError(f"unknown optimizer {optimizer!r}; choose one of "
                          f"{', '.join(OPTIMIZERS)}")
    steps = nb.check_int(steps, "steps")
    seed = nb.check_seed(seed)
    lr = _real(lr, "learning rate lr", lambda v: v > 0, "a finite lr > 0")
    init_scale = _real(init_scale, "init_scale", lambda v: v >= 0, "a finite init_scale >= 0")
    test_fraction = _real(test_fraction, "test_fraction", lambda v: 0 <= v < 1,
                          "a fraction 0 <= test_fraction < 1 (or X_test and y_test)")
    return dtype, steps, seed, lr, init_scale, test_fraction


def _check_data(spec: NetworkSpec, X, y, X_test, y_test):
    """``X, y`` checked (given, finite, the right shapes, at least one row); ``X_test`` and
    ``y_test`` must come together (they are checked by :func:`_split`)."""
    if X is None or y is None:
        raise DataError("train needs data X and y (see varieties.learn.synthetic_data)")
    if (X_test is None) != (y_test is None):
        given, missing = ("X_test", "y_test") if y_test is None else ("y_test", "X_test")
        raise DataError(f"{given} given without {missing}; give both X_test and y_test "
                        "or neither")
    X = nb.check_inputs(spec, X)
    if len(X) == 0:
        raise DataError("X has no rows; give at least one training sample")
    return X, nb.check_targets(spec, X, y)


def _split(spec: NetworkSpec, X, y, X_test, y_test, test_fraction: float, rng):
    """``X, y, X_test, y_test``: the given held-out data (checked), or ``test_fraction``
    of ``(X, y)`` held out by a permutation from ``rng`` (none below 4 samples)."""
    if X_test is not None:
        X_test = nb.check_inputs(spec, X_test, "X_test")
        return X, y, X_test, nb.check_targets(spec, X_test, y_test, "y_test")
    # Fewer than 4 samples are too few to split: they train and test alike.
    n_test = int(round(test_fraction * len(X))) if len(X) >= 4 else 0
    if n_test >= len(X):
        raise DataError(
            f"test_fraction {test_fraction:g} of {len(X)} samples leaves no training "
            "rows; lower test_fraction or give X_test and y_test"
        )
    perm = rng.permutation(len(X))
    X, y, X_test, y_test = (X[perm[n_test:]], y[perm[n_test:]], X[perm[:n_test]],
                            y[perm[:n_test]])
    if n_test == 0:
        X_test, y_test = X, y
    return X, y, X_test, y_test


def _tying_matrix(spec: NetworkSpec, G, kind: str, tying) -> np.ndarray:
    """The tying's matrix ``M`` (``w = M theta``), checked against the network's weights."""
    N = len(spec.weights)
    T = get_tying(spec, G, kind, tying)
    M = np.asarray(T.matrix(), dtype=np.float64)
    if M.shape[0] != N:
        raise MethodError(f"the tying has {M.shape[0]} weights, the network {spec} has {N}")
    return M


def _start_weights(spec: NetworkSpec, M, w0, init_scale: float, rng) -> np.ndarray:
    """``w0`` (checked, copied), else random tied weights (with ``M``) or random weights."""
    if w0 is not None:
        return nb.check_finite(nb.check_weights(spec, w0), "w0",
                               "give finite start weights or omit w0").copy()
    if M is not None:
        return M @ (init_scale * rng.standard_normal(M.shape[1]))
    return init_scale * rng.standard_normal(len(spec.weights))


def _parametrise(spec: NetworkSpec, G, kind: str, method: str, backend: str, device, M, w,
                 w0):
    """``params, cc, ops``: the trained parameters (``theta`` for tied, else ``w``); for
    projected the compiled constraints ``cc`` (``w`` checked on the variety) and, with
    torch, the device operations ``ops`` (:mod:`varieties.nn.projection`), else None."""
    if method == "tied":
        theta, *_ = np.linalg.lstsq(M, w, rcond=None)
        if w0 is not None and not np.allclose(M @ theta, w, rtol=1e-10, atol=1e-12):
            raise MethodError("w0 is not in the tied subspace (w = M theta); omit w0 or tie it")
        return theta, None, None
    params, cc, ops = w, None, None
    if method == "projected":
        from .projected import check_on_variety, compile_constraints

        cc = compile_constraints(spec, G, kind, full=spec.full)
        check_on_variety(cc, w)
        if backend == "torch":
            # The whole projected step on the device: weights, Adam, constraints, projection
            # and retraction as float64 tensors (the loss in dtype); see varieties.nn.projection.
            from ..nn import projection as ops
            from .torch_backend import import_torch, resolve_device

            dev_t = resolve_device(device)
            cc = ops.TorchConstraints(cc, dev_t)
            params = import_torch().as_tensor(w, dtype=cc.dtype, device=dev_t)
    return params, cc, ops


@dataclass
class _Stop:
    """Why a run stopped early (status ``diverged``): the step and the message."""

    step: int
    message: str


def _update_fn(method: str, opt, M, cc, ops):
    """``(params, grad_w, step) -> (new params, None)``, or ``(None, _Stop)`` when the
    projected step's retraction fails."""
    if method == "tied":
        return lambda params, gw, step: (params - opt.step(M.T @ gw), None)
    if method == "free":
        return lambda params, gw, step: (params - opt.step(gw), None)
    from .projected import projected_update

    def update(params, gw, step):
        new, r = projected_update(cc, params, gw, opt.step, ops)
        if not r <= 1e-10:
            return None, _Stop(step, f"the Gauss-Newton retraction failed at step {step} "
                                     f"(constraint residual {r:.3g}); kept the last weights "
                                     "on the variety (lower lr)")
        return new, None

    return update


def _divergence_limit(first_loss: float, y) -> float:
    """The loss above which a run has diverged: ``DIVERGENCE_FACTOR`` times ``max(1, first
    loss, mean y^2)``."""
    return DIVERGENCE_FACTOR * max(1.0, first_loss if np.isfinite(first_loss) else 0.0,
                                   float(np.mean(y**2)))


def _loss_diverged(loss: float, step: int, limit: float) -> _Stop:
    """The stop for a loss that became NaN/inf or passed ``limit`` at ``step``."""
    kept = ("kept the weights of the last step with a good loss" if step else
            "the start weights already give it; they are kept")
    return _Stop(step, f"loss became {loss:.3g} at step {step} (limit {limit:.3g}); {kept} "
                       "(lower lr or init_scale)")


def _step_loop(fn, update, params, to_w, steps: int, y, measure):
    """Run up to ``steps`` steps from ``params``.

    Returns ``params, done, losses, history, stop``: the final (or last good)
    parameters, the steps done, the loss before each step, ``measure(params)``
    after each (when ``measure`` is given) and the :class:`_Stop` (None when
    every step ran). A bad loss or gradient keeps the weights of the last step
    with a good loss; a failed retraction or NaN/inf weights keep the last ones.
    """
    losses: list[float] = []
    history: list[float] = []
    stop = None
    done = 0
    good = params
    for step in range(steps):
        w = to_w(params)
        with np.errstate(all="ignore"):
            loss, gw = fn(w)
        if step == 0:
            limit = _divergence_limit(loss, y)
        if not (np.isfinite(loss) and loss < limit and _finite(gw)):
            stop = _loss_diverged(loss, step, limit)
            params, done = good, max(step - 1, 0)
            # The last recorded invariance error belongs to the discarded step.
            del history[done:]
            break
        good = params
        losses.append(loss)
        new, stop = update(params, gw, step)
        if stop is not None:
            break
        if not _finite(new):
            stop = _Stop(step, f"the weights became NaN/inf at step {step}; kept the last "
                               "finite weights")
            break
        params = new
        done = step + 1
        if measure is not None:
            history.append(measure(params))
    return params, done, losses, history, stop


@deprecated_call(positional=("method", "backend", "steps", "lr", "seed", "device", "dtype",
                             "X_test", "y_test", "test_fraction", "init_scale", "optimizer",
                             "w0", "tying", "full"))
def train(spec: NetworkSpec | str, group="symmetric", kind: str | None = None, X=None, y=None,
          *, method: str = DEFAULT_METHOD, backend: str = DEFAULT_BACKEND,
          steps: int = DEFAULT_STEPS, lr: float = DEFAULT_LR, seed: int = 0, device=None,
          dtype="float64", X_test=None, y_test=None,
          test_fraction: float = 0.25, init_scale: float = 0.3, optimizer: str = "adam",
          w0=None, tying=None, full: bool = False) -> TrainResult:
    """Fit the network to ``(X, y)`` by ``method``; see the module docstring.

    Parameters
    ----------
    spec, group, kind
        The network and its symmetry (``kind`` of the last layer; default
        :func:`~varieties.actions.default_kind`: invariant for one output,
        equivariant for ``n``).
    X, y : array-like
        ``(n_samples, n_inputs)`` and ``(n_samples, n_outputs)`` (or
        ``(n_samples,)`` for one output); finite.
    method : {"free", "tied", "projected"}
        Default ``tied`` (:data:`DEFAULT_METHOD`); ``steps`` and ``lr``
        default to :data:`DEFAULT_STEPS` and :data:`DEFAULT_LR`, as on the
        command line.
    backend : {"numpy", "torch"}
        Who computes loss and gradient. numpy runs in float64 on the CPU
        (``device`` None or ``"cpu"``); torch picks ``cuda`` when available
        unless ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:i"``) says
        otherwise. ``dtype`` is float64 or float32 (torch only), given as a
        string, numpy or torch dtype.
    steps, lr, optimizer, seed, init_scale
        Number of steps (integer >= 0), learning rate (finite, > 0), ``adam``
        or ``sgd``, seed of the initial weights and the split (integer >= 0,
        or None for a fresh one), standard deviation of the initial weights
        or tied parameters (finite, >= 0).
    X_test, y_test, test_fraction
        Held-out data (both or neither); without them ``test_fraction``
        (``0 <= f < 1``) of ``(X, y)`` is held out, or none below 4 samples.
        The invariance error is measured on the held-out inputs.
    w0 : array-like, optional
        Finite start weights (for ``projected`` they must lie on the variety).
    tying : Tying, optional
        Use this tying instead of :func:`varieties.tying.tying`.

    Returns
    -------
    TrainResult

    Raises
    ------
    DataError
        Data of the wrong shape, with NaN/inf, without rows, or a split that
        leaves no training rows; non-finite ``w0``.
    MethodError
        An unknown method, backend, optimizer, dtype or device; a device or
        dtype the backend cannot use; invalid numbers; a ``w0`` off the
        tied subspace (``tied``) or the variety (``projected``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, (40, 2)); y = X.sum(axis=1)
    >>> res = train("2,l1", "symmetric", "invariant", X, y, method="free", steps=300, lr=0.05)
    >>> res.status, res.test_loss < 1e-6
    ('ok', True)
    """
    t_start = time.perf_counter()
    spec = parse_spec(spec, full=full)
    kind = resolve_kind(kind, spec)
    dtype, steps, seed, lr, init_scale, test_fraction = _check_options(
        method, backend, device, dtype, optimizer, steps, seed, lr, init_scale, test_fraction)
    X, y = _check_data(spec, X, y, X_test, y_test)
    G = get_group(group, spec.n_inputs)
    make_action(G, kind, spec.n_outputs)
    rng = np.random.default_rng(seed)
    X, y, X_test, y_test = _split(spec, X, y, X_test, y_test, test_fraction, rng)
    X_inv = X_test[:256] if len(X_test) else X[:256]

    needs_tying = method == "tied" or (method == "projected" and w0 is None)
    M = _tying_matrix(spec, G, kind, tying) if needs_tying else None
    w = _start_weights(spec, M, w0, init_scale, rng)
    params, cc, ops = _parametrise(spec, G, kind, method, backend, device, M, w, w0)
    fn, dev = loss_grad_fn(spec, X, y, backend, device, dtype, on_device=ops is not None)
    opt = OPTIMIZERS[optimizer](params, lr)
    record = method in ("tied", "projected")
    to_w = (lambda p: M @ p) if method == "tied" else (lambda p: p)

    def measure(p):
        return invariance_error(spec, G, kind, _host(to_w(p)), X_inv)

    setup = time.perf_counter() - t_start
    t_loop = time.perf_counter()
    params, done, losses, history, stop = _step_loop(
        fn, _update_fn(method, opt, M, cc, ops), params, to_w, steps, y,
        measure if record else None)
    loop = time.perf_counter() - t_loop
    return _result(spec, G, kind, method, backend, dev, dtype, params, to_w, done, losses,
                   history, stop, X_test, y_test, X_inv, t_start, setup, loop)


def _result(spec: NetworkSpec, G, kind: str, method: str, backend: str, dev: str, dtype: str,
            params, to_w, done: int, losses, history, stop, X_test, y_test, X_inv,
            t_start: float, setup: float, loop: float) -> TrainResult:
    """The :class:`TrainResult`: the final weights, their test loss and invariance error
    (flagged in the message above 1e-9 for tied and projected), timings and status."""
    status, diverged_step, message = (("ok", None, "") if stop is None else
                                      ("diverged", stop.step, stop.message))
    w = _host(to_w(params))
    with np.errstate(all="ignore"):
        test_loss = nb.mse(nb.forward(spec, w, X_test), y_test) if len(X_test) else float("nan")
    inv = invariance_error(spec, G, kind, w, X_inv)
    if method in ("tied", "projected") and inv is not None and inv > 1e-9:
        message += (f"{'; ' if message else ''}invariance error {inv:.3g} is above 1e-9: "
                    "float rounding at this output size, or a tying/retraction problem")
    return TrainResult(
        spec=str(spec), group=str(G.name), kind=kind, method=method, backend=backend,
        device=dev, dtype=dtype, steps=done,
        n_params=len(params), train_loss=losses, test_loss=float(test_loss),
        invariance_error=inv, invariance_history=history,
        seconds=time.perf_counter() - t_start, setup_seconds=setup,
        steps_per_second=done / loop if loop > 0 else float("nan"), status=status,
        diverged_step=diverged_step, message=message, weights=w,
        params=params if method == "tied" else None,
    )
