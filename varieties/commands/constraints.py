"""``varieties constraints SPEC``: the symmetry constraints on the weights."""

from __future__ import annotations

import sys

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
        default="generators",
        choices=["generators", "transpositions", "elements"],
        help="group elements used (same ideal; default generators)",
    )
    p.add_argument("--backend", default="auto", choices=["auto", "sympy", "flint"])
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="CSV on standard output")
    out.add_argument("--json", action="store_true", help="JSON: weights, constraints, counts")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..constraints import constraints

    cs = constraints(args.spec, group=args.group, kind=args.kind, mode=args.mode,
                     backend=args.backend, full=args.full)
    if args.json:
        print_json(cs.to_json())
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
