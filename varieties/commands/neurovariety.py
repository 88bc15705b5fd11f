"""``varieties neurovariety SPEC``: dimension, ambient and expected dimension, defect.

The ranks are computed by evaluation mod two primes
(:func:`varieties.algebra.neurovariety.neurovariety`); nothing is expanded.
``--timeout`` stops the ranks with one line and exit status 124 (as
``timeout(1)`` does); a network whose sample Jacobian does not fit in
``--max-memory`` is refused in one line with exit status 2.
"""

from __future__ import annotations

import argparse
import sys

from .common import print_json

TIMEOUT_STATUS = 124


def _primes(text: str) -> list[int]:
    try:
        primes = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of primes, e.g. 2097143,2097133") from None
    if not primes:
        raise argparse.ArgumentTypeError("give at least one prime, e.g. 2097143,2097133")
    return primes


def register(sub) -> None:
    from ..algebra.evaluation import PRIMES

    p = sub.add_parser(
        "neurovariety",
        help="dimension of the neurovariety (functions the network computes), its ambient "
        "and expected dimension and defect",
        description="Dimension of the set of functions the network computes: the rank of the "
        "Jacobian of weights -> outputs at random sample inputs, by back-propagation mod two "
        "primes (each rank a lower bound, the dimension when they agree, with high "
        "probability), against the ambient dimension (monomials of the output) and the "
        "expected dimension (weights minus the symmetry group, capped by the ambient).",
    )
    p.add_argument("spec", metavar="SPEC", help="network, e.g. 2,l3^2,l2^2,l3^2,l4 or 3,q3,q1")
    p.add_argument("--primes", type=_primes, default=list(PRIMES), metavar="P,Q",
                   help=f"primes 2^10 < p < 2^26 (default {PRIMES[0]},{PRIMES[1]})")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="stop (exit status 124) when the ranks are not done by then")
    p.add_argument("--max-memory", type=float, default=None, metavar="GB",
                   help="GB the sample Jacobian may take (default 3/4 of the available memory)")
    p.add_argument("--json", action="store_true",
                   help='JSON {"dim", "ambient", "expected", "defect", "filling", "params", '
                   '"primes", "ranks", "agree", "seconds", ...}')
    p.set_defaults(func=run)


def run(args) -> int:
    from ..algebra.neurovariety import neurovariety
    from ..errors import MethodError
    from ..timelimit import check_timeout

    if args.timeout is not None:
        check_timeout(args.timeout, "--timeout", MethodError)
    res = neurovariety(args.spec, primes=args.primes, seed=args.seed, timeout=args.timeout,
                       max_memory=args.max_memory, progress=True)
    if args.json:
        print_json(res.to_dict())
    else:
        print(res.summary())
    if res.status == "timeout":
        print(f"varieties: the ranks of {args.spec} were not done within {args.timeout:g} s; "
              "give a larger --timeout", file=sys.stderr)
        return TIMEOUT_STATUS
    return 0
