"""Weight-sharing patterns to look at: the notes' display of colors.

For a quadratic part the notes draw ``N`` blocks of ``N x N`` matrices, block
``k`` holding ``A_kij`` of output ``k``; a linear part is one matrix with a row
per output (eq. 21). Cells show color numbers **starting at 1** as in the
notes, ``0`` for a weight forced to zero. In the triangular indexing ``A_kij``
(``i <= j``) is drawn in both cells ``(i, j)`` and ``(j, i)``; in the full
indexing each cell is its own weight (and off-diagonal weights carry their own
antisymmetric parameter, so each gets its own color).

Text (:func:`format_pattern`), CSV (:func:`pattern_frame`) and a PNG heatmap
with a legend (:func:`plot_pattern`, matplotlib imported only there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import VarietiesError
from .orbits import layer_layout


@dataclass
class LayerPattern:
    """Color numbers (1-based, 0 = zero weight) of one layer.

    ``A`` has shape ``(width, n_in, n_in)`` (or is ``None``), ``B`` shape
    ``(width, n_in)`` (or ``None``), ``C`` shape ``(width,)`` (or ``None``).
    """

    l: int
    A: np.ndarray | None
    B: np.ndarray | None
    C: np.ndarray | None


def layer_patterns(t) -> list[LayerPattern]:
    """Per-layer color arrays of a :class:`~varieties.tying.Tying`.

    Examples
    --------
    >>> from varieties.tying import tying
    >>> layer_patterns(tying("3,l3", "symmetric", "equivariant"))[0].B.tolist()
    [[1, 2, 2], [2, 1, 2], [2, 2, 1]]
    """
    spec = t.spec
    out, offset = [], 0
    colors = t.color_ids + 1
    for l, (layer, p) in enumerate(zip(spec.layers, spec.input_widths), start=1):
        lay = layer_layout(layer, p, spec.full)
        if t.layer is not None and t.layer != l:
            continue
        c = colors[offset:offset + lay.size]
        if len(c) != lay.size:
            raise VarietiesError(f"tying covers {t.n_weights} weights, layer {l} needs {lay.size}")
        offset += lay.size
        A = B = C = None
        w = layer.width
        if lay.n_a:
            A = np.zeros((w, p, p), dtype=np.int64)
            m = lay.part == 0
            A[lay.k[m], lay.i[m], lay.j[m]] = c[m]
            if not spec.full:
                A[lay.k[m], lay.j[m], lay.i[m]] = c[m]
        if lay.n_b:
            B = np.zeros((w, p), dtype=np.int64)
            m = lay.part == 1
            B[lay.k[m], lay.i[m]] = c[m]
        if lay.n_c:
            m = lay.part == 2
            C = c[m].copy()
        out.append(LayerPattern(l, A, B, C))
    return out


def _matrix_lines(M: np.ndarray, width: int) -> list[str]:
    return [" ".join(f"{v:>{width}d}" for v in row) for row in M]


def format_pattern(t, max_width: int = 100) -> str:
    """The notes' display as text: A blocks side by side, B as one matrix, C as a row.

    Examples
    --------
    >>> from varieties.tying import tying
    >>> print(format_pattern(tying("2,s2", "symmetric", "equivariant")))
    layer 1 (s2): A blocks, block k = output k (colors from 1, 0 = zero)
    block 0  block 1
    1 2      3 2
    2 3      2 1
    """
    lines = []
    for pat in layer_patterns(t):
        layer = t.spec.layers[pat.l - 1]
        wd = len(str(max(int(np.max(a)) for a in (pat.A, pat.B, pat.C) if a is not None)))
        if pat.A is not None:
            lines.append(f"layer {pat.l} ({layer}): A blocks, block k = output k "
                         "(colors from 1, 0 = zero)")
            blocks = [_matrix_lines(pat.A[k], wd) for k in range(pat.A.shape[0])]
            bw = max(len(blocks[0][0]), len(f"block {pat.A.shape[0] - 1}"))
            per_row = max(1, (max_width + 2) // (bw + 2))
            for s in range(0, len(blocks), per_row):
                chunk = range(s, min(s + per_row, len(blocks)))
                lines.append("  ".join(f"{'block ' + str(k):<{bw}}" for k in chunk).rstrip())
                for r in range(pat.A.shape[1]):
                    lines.append("  ".join(f"{blocks[k][r]:<{bw}}" for k in chunk).rstrip())
        if pat.B is not None:
            lines.append(f"layer {pat.l} ({layer}): B, row k = output k, column i = input i")
            lines += _matrix_lines(pat.B, wd)
        if pat.C is not None:
            lines.append(f"layer {pat.l} ({layer}): C, one per output")
            lines += _matrix_lines(pat.C[None, :], wd)
    return "\n".join(lines)


def pattern_frame(t):
    """One row per weight (layer, part, k, i, j, color, expression): the CSV form."""
    return t.to_frame()


def plot_pattern(t, path, max_blocks: int = 12) -> str:
    """Write a PNG heatmap of the colors with a legend; returns the path.

    Needs matplotlib (the ``plot`` extra). Quadratic parts show at most
    ``max_blocks`` blocks per layer (the title says so when cut).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch
    except ImportError:
        raise VarietiesError(
            "--plot needs matplotlib; install it with `pip install 'varieties[plot]'`"
        ) from None
    pats = layer_patterns(t)
    panels = []
    for pat in pats:
        layer = t.spec.layers[pat.l - 1]
        if pat.A is not None:
            nb = min(max_blocks, pat.A.shape[0])
            cut = f" (first {nb} of {pat.A.shape[0]})" if nb < pat.A.shape[0] else ""
            for k in range(nb):
                panels.append((f"layer {pat.l} ({layer}) A, block {k}{cut}", pat.A[k]))
        if pat.B is not None:
            panels.append((f"layer {pat.l} ({layer}) B", pat.B))
        if pat.C is not None:
            panels.append((f"layer {pat.l} ({layer}) C", pat.C[None, :]))
    n_col = min(4, len(panels))
    n_row = -(-len(panels) // n_col)
    fig, axes = plt.subplots(n_row, n_col, figsize=(3.2 * n_col + 1.5, 3.0 * n_row), squeeze=False)
    top = max(int(np.max(m)) for _, m in panels)
    base = plt.get_cmap("tab20" if top <= 20 else "turbo")
    cols = [(1, 1, 1, 1)] + [base(c / max(1, top - 1) if top > 20 else c % 20) for c in range(top)]
    cmap = ListedColormap(cols)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, M) in zip(axes.ravel(), panels):
        ax.axis("on")
        ax.imshow(M, cmap=cmap, vmin=-0.5, vmax=top + 0.5, interpolation="nearest")
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        if M.size <= 144:
            for (r, c), v in np.ndenumerate(M):
                ax.text(c, r, str(v), ha="center", va="center", fontsize=7)
    shown = sorted({int(v) for _, M in panels for v in np.unique(M)})
    if len(shown) <= 40:
        handles = [Patch(facecolor=cols[v], edgecolor="k",
                         label="zero" if v == 0 else f"color {v}") for v in shown]
        fig.legend(handles=handles, loc="center right", fontsize=7, title="colors")
    fig.suptitle(f"{t.spec} under {t.group} ({t.kind}): {t.n_colors} colors, {t.n_free} free",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 0.88, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)
