"""``varieties tying SPEC``: the weight-sharing pattern (colors) of each layer."""

from __future__ import annotations

import sys

from ..tying import METHODS
from .common import add_symmetry_args, print_json


def register(sub) -> None:
    p = sub.add_parser(
        "tying",
        help="linear tying (shared / zero / free weights) of each layer under a group",
        description="Colors of the weights of each layer: classes of weights that must be "
        "equal for the layer to be symmetric, the free parameters (weight-space dimension) "
        "and the function-space dimension. Multi-layer SPECs are tied layer by layer: hidden "
        "layers of width n are equivariant, others invariant.",
    )
    add_symmetry_args(p)
    p.add_argument("--method", default=METHODS[0], choices=METHODS,
                   help="orbits (no expansion, fast) or constraints (exact expansion and row "
                   "reduction); auto = orbits. Both give the same tying")
    p.add_argument("--show", action="store_true",
                   help="print the pattern: A blocks (block k = output k), B matrix, C row")
    p.add_argument("--plot", metavar="FILE", help="write a PNG heatmap of the colors (matplotlib)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help='JSON {"weights", "colors", "zero", "free", "function_dim", "method"}; '
                     "a list of such objects, one per layer, for several layers")
    out.add_argument("--csv", action="store_true",
                     help="CSV, one row per weight: layer, part, k, i, j, color, expression")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..patterns import format_pattern, plot_pattern
    from ..tying import tying

    t = tying(args.spec, group=args.group, kind=args.kind, full=args.full, method=args.method)
    if args.plot:
        plot_pattern(t, args.plot)
    if args.json:
        if len(t.layers) > 1:
            print_json([layer.counts() for layer in t.layers])
        else:
            print_json(t.counts())
        return 0
    if args.csv:
        t.to_frame().to_csv(sys.stdout, index=False)
        return 0
    for layer, sym in zip(t.layers, t.symmetries):
        print(f"{layer.summary()}  [{sym.describe()}]")
        if sym.layer.power != 1:
            print(f"  layer {sym.l} has power ^{sym.layer.power}: its pre-activation is tied "
                  "(sufficient; the exact solution set can have nonlinear sign components: "
                  "see `varieties analyze`)")
    if len(t.layers) > 1:
        print(f"total: {t.n_weights} weights, {t.n_colors} colors, {t.n_zero} zero, "
              f"{t.n_free} free ({t.method})")
    if args.show:
        print()
        print(format_pattern(t))
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
