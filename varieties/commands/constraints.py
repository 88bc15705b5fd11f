"""``varieties constraints SPEC``: the symmetry constraints on the weights.

``--timeout SECONDS`` bounds the expansion and the comparison of coefficients
(checked before each product of two weight polynomials and between
coefficients): past it the command prints one line saying so and exits with
status 124, as ``timeout(1)`` does, instead of running on (``4,q4,q4,q1``
takes about a minute). On a terminal, progress bars of the expansion and the
comparison show on standard error.
"""

from __future__ import annotations

import sys

from ..constraints import MODES
from ..expand import BACKENDS
from .common import add_symmetry_args, print_frame, print_json


def register(sub) -> None:
    p = sub.add_parser(
        "constraints",
        help="polynomial constraints on the weights for invariance/equivariance",
        description="Expand the network exactly and list the x-coefficients of "
        "F(g x) - rho(g) F(x) as constraints on the weights.",
    )
    add_symmetry_args(p)
    p.add_argument(
        "--mode",
        default=MODES[0],
        choices=MODES,
        help=f"group elements used (same ideal; default {MODES[0]})",
    )
    p.add_argument("--backend", default=BACKENDS[0], choices=BACKENDS)
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="stop (exit status 124) when the constraints are not done by then")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="CSV on standard output")
    out.add_argument("--json", action="store_true", help="JSON: weights, constraints, counts")
    p.set_defaults(func=run)


TIMEOUT_STATUS = 124


def run(args) -> int:
    from ..constraints import constraints
    from ..errors import MethodError
    from ..timelimit import TimeLimit, check_timeout

    if args.timeout is not None:
        check_timeout(args.timeout, "--timeout", MethodError)
    try:
        cs = constraints(args.spec, group=args.group, kind=args.kind, mode=args.mode,
                         backend=args.backend, full=args.full, timeout=args.timeout,
                         progress=True)
    except TimeLimit:
        from ..expand import resolve_backend

        hint = ("" if resolve_backend(args.backend) == "flint" else
                " or the flint backend (python-flint), about 10x faster")
        print(f"varieties: the constraints of {args.spec} were not done within "
              f"{args.timeout:g} s; give a larger --timeout{hint}", file=sys.stderr)
        return TIMEOUT_STATUS
    if args.json:
        print_json(cs.to_dict())
    elif args.csv:
        cs.to_frame().to_csv(sys.stdout, index=False)
    else:
        print_frame(cs.to_frame())
        counts = ", ".join(f"{k} {v}" for k, v in cs.counts().items())
        print(
            f"\n{cs.spec}: {len(cs.weights)} weights, {len(cs)} constraints ({counts}) "
            f"under {cs.group} ({cs.kind}, {cs.mode}); "
            f"expand {cs.seconds_expand:.3f} s, constraints {cs.seconds_constraints:.3f} s"
        )
    return 0
