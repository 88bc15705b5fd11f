"""Benchmark: the function/neurovariety dimension by evaluation mod p against two baselines.

In the same run, per network:

``new``
    :func:`varieties.algebra.function_dim` (evaluation mod two primes, both
    ranks; :mod:`varieties.algebra.evaluation`).
``plain``
    A plain implementation of the field's method (Kileel-Trager-Bruna 2019,
    Kubjas-Li-Wiesmann 2024), below: as many random sample points as
    monomials, one back-propagation per sample and output in int64 numpy mod
    ``p = 32003`` (small enough that sums of products fit), the rank by
    python-flint's ``nmod_mat``, for two primes. Power networks ``n, l d1^r,
    ..., l dL`` only.
``old``
    The expansion-based rank (:func:`~varieties.algebra.function_dim.function_dim_expansion`),
    in a child process killed after ``--old-timeout`` seconds (``>T`` in the table),
    only on the networks marked for it.

Each time is the median of ``--repeat`` runs; ``peak MB`` is the largest
traced allocation of the new engine (``tracemalloc``, numpy included). The
table ends with the sums over the published-size set and their ratio
new/plain (target <= 1), and the largest time and memory over the
5,000-weight / 2,500-monomial set (targets 2 s, 2 GB)::

    python scripts/bench_function_dim.py [--repeat 3] [--old-timeout 20] [--threads N]

``--threads N`` sets the BLAS threads (``OPENBLAS_NUM_THREADS``) before numpy
loads; on a loaded 2-core machine 1 is often the fastest.
"""

from __future__ import annotations

import argparse
import os
import sys

from bench_expand import median_time  # scripts/ is on the path when a script runs

# Published-size power networks (2 and 3 inputs, 3 to 10 layers); "old" marks the
# ones the expansion is also timed on.
PUBLISHED = [
    ("2,l3^2,l2^2,l3^2,l4", True),                    # KTB 2019's example
    ("3,l5^2,l6^2,l4^2,l1", True),                    # the issue: 49 s by expansion
    ("3,l9^2,l5^2,l8^2,l1", True),                    # the issue: killed for memory
    ("2,l2^2,l8^2,l6^2,l2^2,l1", True),               # the issue: 6 GB abort
    ("3,l20^2,l12^2,l1^2,l1", False),                 # the issue: 20 GB
    ("3,l4^2,l24^2,l39^2,l29^2,l5^2,l1", False),      # the issue: 0.8 s by the numpy method
    ("2,l4^2,l6^2,l8^2,l6^2,l4^2,l1", False),
    ("3,l6^2,l8^2,l10^2,l8^2,l1", False),
    ("2,l5^3,l5^3,l5^3,l5^3,l1", False),
    ("2,l3^2,l3^2,l3^2,l3^2,l3^2,l3^2,l3^2,l3^2,l1", False),   # 10 layers
    ("3,l10^2,l10^2,l10^2,l10^2,l1", False),
    ("2,l8^2,l8^2,l8^2,l8^2,l8^2,l8^2,l1", False),
]
# At most 5,000 weights and 2,500 output monomials: each under 2 s and 2 GB.
LARGE = [
    "2,l40^7,l40^7,l40^7,l40^7,l1",      # 4,920 weights, 2,402 monomials
    "3,l40^4,l40^4,l40^4,l1",             # 3,360 weights, 2,145 monomials
    "3,q18,q18,q1",                       # 3,790 weights, 165 monomials
    "4,a30^2,l30^2,l40^2,l1",             # 2,290 weights, 495 monomials (degree <= 8)
]


def plain_rank(spec_text: str, p: int, seed: int) -> int:
    """The field's method, plainly: power networks, int64 numpy mod p, flint rank."""
    from math import comb

    import flint
    import numpy as np

    parts = spec_text.split(",")
    n = int(parts[0])
    widths, powers = [n], []
    for tok in parts[1:]:
        w, _, r = tok[1:].partition("^")
        widths.append(int(w))
        powers.append(int(r or 1))
    rng = np.random.default_rng(seed)
    Ws = [rng.integers(1, p, (widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    D = 1
    for r in powers:
        D *= r
    S = comb(n + D - 1, D)                             # as many samples as monomials
    X = rng.integers(0, p, (S, n))
    acts, pres = [X], []                               # forward, storing every layer
    for W, r in zip(Ws, powers):
        t = (acts[-1] @ W.T) % p
        pres.append(t)
        a = np.ones_like(t)
        for _ in range(r):
            a = (a * t) % p
        acts.append(a)
    rows = []
    for k in range(widths[-1]):                        # one backward per output
        g = np.zeros((S, widths[-1]), dtype=np.int64)
        g[:, k] = 1
        grads = []
        for i in range(len(Ws) - 1, -1, -1):
            r, t = powers[i], pres[i]
            if r > 1:
                d = np.full_like(t, r)
                for _ in range(r - 1):
                    d = (d * t) % p
                g = (g * d) % p
            grads.append(((g[:, :, None] * acts[i][:, None, :]) % p).reshape(S, -1))
            g = (g @ Ws[i]) % p
        rows.append(np.concatenate(grads[::-1], axis=1))
    J = np.concatenate(rows, axis=0)
    return flint.nmod_mat(J.tolist(), p).rank()


def _new(spec):
    from varieties.algebra import function_dim

    return function_dim(spec)


def _old(spec):
    from varieties.algebra.function_dim import function_dim_expansion

    return max(function_dim_expansion(spec))


def _peak_mb(spec) -> float:
    import tracemalloc

    tracemalloc.start()
    _new(spec)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old-timeout", type=float, default=20.0)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    from varieties.algebra.evaluation import ambient_dim
    from varieties.network import parse_spec
    from varieties.timelimit import call_in_child

    _new("2,l2^2,l1")                                  # imports and caches out of the timings
    plain_rank("2,l2^2,l1", 32003, 0)
    print(f"{'spec':48} {'weights':>7} {'monos':>6} {'dim':>5} {'new s':>8} {'plain s':>8} "
          f"{'old s':>8} {'plain/new':>9} {'old/new':>8} {'peak MB':>8}")
    tot_new = tot_plain = 0.0
    for spec, with_old in PUBLISHED:
        sp = parse_spec(spec)
        t_new, d = median_time(lambda: _new(spec), args.repeat)
        t_plain, dp = median_time(lambda: max(plain_rank(spec, q, 1) for q in (32003, 32009)),
                              args.repeat)
        old = "-"
        ratio_old = ""
        if with_old:
            res = call_in_child(_old, (spec,), args.old_timeout)
            if res.status == "ok":
                old = f"{res.seconds:.2f}"
                ratio_old = f"{res.seconds / t_new:.0f}"
                assert res.value == d, (spec, res.value, d)
            else:
                old = f">{args.old_timeout:g}"
        assert dp == d, (spec, dp, d)
        tot_new += t_new
        tot_plain += t_plain
        print(f"{spec:48} {sp.n_weights:7d} {ambient_dim(sp):6d} {d:5d} {t_new:8.3f} "
              f"{t_plain:8.3f} {old:>8} {t_plain / t_new:9.2f} {ratio_old:>8} "
              f"{_peak_mb(spec):8.1f}")
    print(f"{'sum over the published-size set':48} {'':7} {'':6} {'':5} {tot_new:8.3f} "
          f"{tot_plain:8.3f} {'':8} {tot_plain / tot_new:9.2f}   new/plain = "
          f"{tot_new / tot_plain:.2f} (target <= 1)")
    worst_t = worst_m = 0.0
    for spec in LARGE:
        sp = parse_spec(spec)
        t_new, d = median_time(lambda: _new(spec), args.repeat)
        mb = _peak_mb(spec)
        worst_t, worst_m = max(worst_t, t_new), max(worst_m, mb)
        print(f"{spec:48} {sp.n_weights:7d} {ambient_dim(sp):6d} {d:5d} {t_new:8.3f} "
              f"{'':>8} {'':>8} {'':>9} {'':>8} {mb:8.1f}")
    print(f"largest over <= 5,000 weights, <= 2,500 monomials: {worst_t:.2f} s (target 2), "
          f"{worst_m:.0f} MB (target 2048)")
    return 0


if __name__ == "__main__":
    import _benchdoc  # --write-docs: this table into docs/benchmarks.md

    sys.exit(_benchdoc.run(main, "bench_function_dim"))
