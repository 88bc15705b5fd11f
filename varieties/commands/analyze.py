"""``varieties analyze SPEC``: dimension of the variety of symmetric weights, with certificates.

``--timeout`` is a hard limit here: the analysis runs in a child process
(forked where the platform allows) in a process group of its own, and the
group (the child and any Singular, msolve or sympy process it started) is
killed ``GRACE`` past the limit. :func:`varieties.algebra.analyze` itself
checks its deadline between and inside its phases, but one polynomial
product, conversion or foreign call could otherwise run on. A killed
analysis prints a report with status ``timeout``
(one line, or JSON with ``--json``) and, like any report, exits with status 0;
bad input exits with status 2 as everywhere in the CLI.
"""

from __future__ import annotations

import argparse

from ..algebra.analyze import DEFAULT_TIMEOUT, METHODS
from ..algebra.engines import DEFAULT_ENGINE, DEFAULT_PRIME, ENGINES
from .common import add_symmetry_args, print_json


def grace(timeout: float) -> float:
    """Seconds past ``timeout`` before the child is killed: 2 s plus 5% of the limit."""
    return 2.0 + 0.05 * timeout


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of points") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} points is negative; give 0 or more")
    return value


def register(sub) -> None:
    p = sub.add_parser(
        "analyze",
        help="dimension (or certified bounds), components, census of the symmetric-weight variety",
        description="Bound the dimension of the variety of weights making the network "
        "symmetric: exact families (rigorous lower bounds), random affine slices over GF(p) "
        "(modular upper/lower bounds), full Groebner bases, Singular components (mod p) and "
        "a numerical census. The report's certainty says whether the bounds are exact, "
        "probabilistic or modular. --timeout is a hard limit on the whole analysis.",
    )
    add_symmetry_args(p)
    p.add_argument("--engine", default=DEFAULT_ENGINE, choices=("auto", *ENGINES),
                   help="Groebner engine (default auto: for each computation the fastest "
                   "installed that can do it -- msolve, else Singular, else sympy over GF(p); "
                   "Singular, else sympy over QQ; the report names those used)")
    p.add_argument("--method", default=METHODS[0], choices=METHODS,
                   help="auto: families + slices (+ Groebner for tiny systems); says which it used")
    p.add_argument("--exclude", action="append", default=[], metavar="LOCUS",
                   help="constant-output, dead-unit, or comma-separated weights that must not "
                   "all vanish (repeatable)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"total seconds (default {DEFAULT_TIMEOUT:g}); a hard limit: the "
                   "analysis is killed 2 s + 5%% after it and reported with status timeout")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--prime", type=int, default=DEFAULT_PRIME,
                   help="prime for modular computations, 2^10 < p < 2^31 "
                   f"(default {DEFAULT_PRIME})")
    p.add_argument("--components", action="store_true",
                   help="top-dimensional components (Singular minAssGTZ on a slice, mod p: "
                   "GF(p)-irreducible components)")
    p.add_argument("--census", type=_nonnegative_int, default=None, metavar="N",
                   help="number of census points, N >= 0 (numerical)")
    p.add_argument("--json", action="store_true", help="the full report as JSON")
    p.set_defaults(func=run)


def _analyze(args):
    from ..algebra import analyze

    return analyze(args.spec, group=args.group, kind=args.kind, engine=args.engine,
                   method=args.method, exclude=tuple(args.exclude), timeout=args.timeout,
                   seed=args.seed, full=args.full, prime=args.prime,
                   components=args.components, census_points=args.census, progress=True)


def _timeout_report(args, seconds: float):
    from ..algebra import VarietyReport
    from ..algebra.engines import resolve_engine
    from ..network import parse_spec

    spec = parse_spec(args.spec, full=args.full)
    return VarietyReport(
        spec=str(spec), group=args.group, kind=args.kind, n_weights=len(spec.weights),
        n_constraints=None, engine=resolve_engine(args.engine, args.prime), method=args.method, seconds=seconds,
        status="timeout", exclusions=list(args.exclude),
        message=f"killed after {seconds:.1f} s: the analysis did not finish within "
        f"--timeout {args.timeout:g} s (plus {grace(args.timeout):.1f} s grace); "
        "nothing was proven")


def run_limited(args):
    """``(report, killed)``: the analysis' report, or a ``timeout`` report if it was killed."""
    from ..algebra.engines import check_engine, check_prime, resolve_engine
    from ..errors import EngineError, MethodError
    from ..progress import clear_line
    from ..timelimit import call_in_child, check_timeout

    # Bad input fails here, in one line, before anything is forked.
    check_timeout(args.timeout, "--timeout", MethodError)
    check_engine(resolve_engine(args.engine, args.prime), check_prime(args.prime))
    res = call_in_child(_analyze, (args,), args.timeout + grace(args.timeout))
    if res.status == "ok":
        return res.value, False
    clear_line()   # a progress bar the killed child left behind
    if res.status == "raised":
        raise res.value
    if res.status == "died":
        raise EngineError(
            f"the analysis process died without an answer (exit code {res.exitcode}, e.g. "
            "killed for lack of memory); try a smaller network or --timeout")
    return _timeout_report(args, res.seconds), True


def run(args) -> int:
    rep, killed = run_limited(args)
    if args.json:
        print_json(rep.to_dict())
    elif killed:
        print(f"{rep.spec}: status timeout ({rep.message})")
    else:
        print(rep.summary())
    return 0
