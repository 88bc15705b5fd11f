"""``varieties analyze SPEC``: dimension of the variety of symmetric weights, with certificates."""

from __future__ import annotations

from .common import add_symmetry_args, print_json


def register(sub) -> None:
    p = sub.add_parser(
        "analyze",
        help="dimension (or certified bounds), components, census of the symmetric-weight variety",
        description="Bound the dimension of the variety of weights making the network "
        "symmetric: exact families (rigorous lower bounds), random affine slices over GF(p) "
        "(modular upper/lower bounds), full Groebner bases, Singular components and a "
        "numerical census. Every engine call has a hard time limit.",
    )
    add_symmetry_args(p)
    p.add_argument("--engine", default="sympy", choices=["sympy", "singular", "msolve"],
                   help="Groebner engine (default sympy; msolve is fastest for slices)")
    p.add_argument("--method", default="auto", choices=["auto", "groebner", "slice", "census"],
                   help="auto: families + slices (+ Groebner for tiny systems); says which it used")
    p.add_argument("--exclude", action="append", default=[], metavar="LOCUS",
                   help="constant-output, dead-unit, or comma-separated weights that must not "
                   "all vanish (repeatable)")
    p.add_argument("--timeout", type=float, default=60.0, help="total seconds (default 60)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--prime", type=int, default=32003, help="prime for modular computations")
    p.add_argument("--components", action="store_true",
                   help="top-dimensional components (Singular minAssGTZ on a slice)")
    p.add_argument("--census", type=int, default=None, metavar="N",
                   help="number of census points (numerical)")
    p.add_argument("--json", action="store_true", help="the full report as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..algebra import analyze

    rep = analyze(args.spec, group=args.group, kind=args.kind, engine=args.engine,
                  method=args.method, exclude=tuple(args.exclude), timeout=args.timeout,
                  seed=args.seed, full=args.full, prime=args.prime,
                  components=args.components, census_points=args.census)
    if args.json:
        print_json(rep.to_dict())
    else:
        print(rep.summary())
    return 0
