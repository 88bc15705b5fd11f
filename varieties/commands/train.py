"""``varieties train SPEC``: train a quadratic network free, tied or projected."""

from __future__ import annotations

from ..learn.train import (BACKENDS, DEFAULT_BACKEND, DEFAULT_LR, DEFAULT_METHOD, DEFAULT_STEPS,
                           DTYPES, METHODS)
from .common import add_symmetry_args, print_json


def register(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a network: free, tied (layer-wise tying) or projected onto the variety",
        description="Fit the network to data (--data FILE.csv) or to a synthetic symmetric "
        "target drawn from --seed, and report losses, the invariance error "
        "max |F(gx) - rho(g)F(x)| on held-out inputs, and speed.",
    )
    add_symmetry_args(p)
    p.add_argument("--method", default=DEFAULT_METHOD, choices=METHODS,
                   help="free (no constraint), tied (layer-wise tying) or projected "
                   f"(default {DEFAULT_METHOD})")
    p.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS)
    p.add_argument("--device", default=None,
                   help="torch device cpu, cuda or cuda:i (default: cuda if available); "
                   "needs --backend torch unless cpu")
    p.add_argument("--dtype", default=DTYPES[0], choices=DTYPES,
                   help="float32 needs --backend torch")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="torch CPU threads (default: torch's choice); 1 is often fastest for "
                   "these small networks, and on a loaded machine")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help=f"optimisation steps (default {DEFAULT_STEPS})")
    p.add_argument("--lr", type=float, default=DEFAULT_LR,
                   help=f"Adam learning rate (default {DEFAULT_LR:g})")
    p.add_argument("--seed", type=int, default=0, help="seed of the target, data and start")
    p.add_argument("--data", metavar="FILE.csv", default=None,
                   help="CSV with input columns x0..x{n-1} and output columns y0..; without "
                   "such names the first n columns are inputs and the rest outputs")
    p.add_argument("--n-train", type=int, default=None,
                   help="synthetic training samples (default 256; not with --data)")
    p.add_argument("--noise", type=float, default=None,
                   help="synthetic target noise (default 0.01; not with --data)")
    p.add_argument("--json", action="store_true", help="JSON with train_loss, test_loss, ...")
    p.set_defaults(func=run)


def read_csv(path: str, n_inputs: int, n_outputs: int):
    """``(X, y)`` from a CSV file; :class:`DataError` when it does not fit the network.

    The first line is a header unless every entry of it is a number (or
    empty): pandas would otherwise take the first sample of a file without a
    header for column names and silently drop it.
    """
    import numpy as np
    import pandas as pd

    from ..errors import DataError

    try:
        first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
        header = not all(_is_number(v) for v in first.iloc[0])
        df = pd.read_csv(path, header=0 if header else None)
    except (OSError, ValueError, IndexError) as exc:
        raise DataError(f"cannot read data file {path!r}: {exc}") from None
    xs = [f"x{i}" for i in range(n_inputs)]
    ys = [f"y{k}" for k in range(n_outputs)]
    if set(xs + ys) <= set(df.columns):
        df = df[xs + ys]
    elif df.shape[1] != n_inputs + n_outputs:
        raise DataError(
            f"data file {path!r} has {df.shape[1]} columns; the network needs {n_inputs} "
            f"inputs and {n_outputs} outputs: name them {', '.join(xs + ys)} or give exactly "
            f"{n_inputs + n_outputs} columns"
        )
    try:
        arr = df.to_numpy(dtype=np.float64)
    except ValueError as exc:
        raise DataError(f"data file {path!r} has non-numeric entries ({exc})") from None
    return arr[:, :n_inputs], arr[:, n_inputs:]


def _is_number(text: str) -> bool:
    """Whether a CSV cell reads as a number; an empty cell is a missing number, not a name."""
    text = text.strip()
    if not text:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def run(args) -> int:
    from ..learn import synthetic_data, train
    from ..network import parse_spec

    from ..errors import MethodError

    spec = parse_spec(args.spec, full=args.full)
    if args.threads is not None:
        if args.backend != "torch":
            raise MethodError("--threads sets torch's CPU threads; add --backend torch")
        if args.threads < 1:
            raise MethodError(f"--threads {args.threads} is invalid; give 1 or more")
        from ..learn.torch_backend import import_torch

        import_torch().set_num_threads(args.threads)
    kw = dict(method=args.method, backend=args.backend, device=args.device, dtype=args.dtype,
              steps=args.steps, lr=args.lr, seed=args.seed)
    if args.data:
        given = [o for o, v in (("--n-train", args.n_train), ("--noise", args.noise))
                 if v is not None]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise MethodError(f"{' and '.join(given)} {verb} only to the synthetic target; with "
                              "--data the file's samples are used as they are: leave them out")
        X, y = read_csv(args.data, spec.n_inputs, spec.n_outputs)
        res = train(spec, args.group, args.kind, X, y, **kw)
    else:
        # Options left out keep synthetic_data's defaults.
        given = {k: v for k, v in (("n_train", args.n_train), ("noise", args.noise))
                 if v is not None}
        data = synthetic_data(spec, args.group, args.kind, seed=args.seed, **given)
        res = train(spec, args.group, args.kind, data.X, data.y, X_test=data.X_test,
                    y_test=data.y_test, **kw)
    if args.json:
        print_json(res.to_dict())
        return 0
    loss = res.train_loss
    print(f"{res.spec} {res.method} ({res.group}, {res.kind}) on {res.backend}/{res.device} "
          f"{res.dtype}: {res.n_params} parameters, {res.steps} steps")
    if loss:
        print(f"train loss {loss[0]:.4g} -> {loss[-1]:.4g}; test loss {res.test_loss:.4g}")
    inv = "n/a" if res.invariance_error is None else f"{res.invariance_error:.3g}"
    print(f"invariance error {inv}; {res.seconds:.2f} s ({res.steps_per_second:.1f} steps/s); "
          f"status {res.status}" + (f": {res.message}" if res.message else ""))
    return 0
