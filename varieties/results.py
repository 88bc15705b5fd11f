"""Read sweep results into pandas, write them back, and draw them.

:func:`load` gives a DataFrame with typed columns (nullable integers, nullable
booleans, strings, float timings, and JSON columns such as ``census`` decoded
into Python objects); :func:`save` writes it back in exactly the text the
sweep engine writes, so ``save(load(p))`` reproduces ``p`` byte for byte
(an integer such as ``5`` in a float column, e.g. a grid's ``timeout``,
included). :func:`figures`
draws the PNGs next to the CSVs (matplotlib with the Agg backend, no display
needed):

* ``constraint_tables.png``: colors (tied parameters) against ``n``, one
  panel per layer kind and output kind, one line per group;
* ``variety_dimensions.png``: dimension (a dot) or bounds (a bar) per
  architecture, with the number of weights and the function-space
  dimension for scale.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
from typing import Any

import pandas as pd

from .errors import DataError

INT_COLUMNS = (
    "n", "weights", "constraints", "equality", "zero", "linear", "polynomial", "colors",
    "zero_weights", "free", "function_dim", "closed_form", "dim", "dim_lower", "dim_upper",
    "function_dim_lower", "function_dim_upper",
    "prime", "degree", "seed", "width", "w", "w1", "w2",
)
BOOL_COLUMNS = ("agree", "full", "fail")
FLOAT_COLUMNS = ("seconds", "sleep", "timeout")
_INT_TEXT = re.compile(r"-?[0-9]+")
JSON_COLUMNS = ("census", "components", "exclude")
STRING_COLUMNS = (
    "key", "spec", "group", "kind", "layers", "layer", "method", "certificate", "certainty",
    "function_dim_certainty", "top_families",
    "engine",
    "status", "message", "closed_form_method", "mode",
)


def _to_bool(text: str):
    low = text.strip().lower()
    if low in ("true", "1", "yes"):
        return True
    if low in ("false", "0", "no"):
        return False
    if low == "":
        return pd.NA
    raise DataError(f"cannot read {text!r} as a boolean")


def _to_json(text: str):
    if text == "":
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _column_type(name: str, values: pd.Series) -> str:
    if name in INT_COLUMNS:
        return "int"
    if name in BOOL_COLUMNS:
        return "bool"
    if name in FLOAT_COLUMNS:
        return "float"
    if name in JSON_COLUMNS:
        return "json"
    if name in STRING_COLUMNS:
        return "string"
    filled = values[values != ""]
    if filled.empty:
        return "string"
    if filled.str.fullmatch(r"-?\d+").all():
        return "int"
    if filled.str.lower().isin(["true", "false"]).all():
        return "bool"
    if pd.to_numeric(filled, errors="coerce").notna().all():
        return "float"
    return "string"


def load(path: str | pathlib.Path) -> pd.DataFrame:
    """Read a sweep CSV into a DataFrame with typed columns.

    Integers are ``Int64`` and booleans ``boolean`` (both nullable: an empty
    cell is ``<NA>``), text is ``string``, ``seconds`` is ``float64``, and the
    JSON columns (``census``, ``components``, ``exclude``) hold decoded
    Python objects (``None`` when empty). The typed columns are stored in
    :attr:`DataFrame.attrs` ``["types"]`` for :func:`save`, and so are the
    rows (index labels) whose float cell was written as an integer
    (``attrs["int_text"]``), so that ``5`` is saved as ``5`` and not ``5.0``.

    Examples
    --------
    >>> import io
    >>> df = load(io.StringIO("key,n,agree,seconds,census\\nk,3,True,0.5,\\"{\\"\\"2\\"\\": 4}\\"\\n"))
    >>> df.dtypes["n"], df.dtypes["agree"], df.loc[0, "census"]
    (Int64Dtype(), BooleanDtype, {'2': 4})
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except FileNotFoundError:
        raise DataError(f"results file {str(path)!r} does not exist; run the sweep that "
                        "writes it (see `varieties sweep --help`)") from None
    out = {}
    types = {}
    int_text = {}
    for name in raw.columns:
        col = raw[name]
        kind = _column_type(name, col)
        types[name] = kind
        if kind == "int":
            out[name] = pd.array([pd.NA if v == "" else int(v) if _INT_TEXT.fullmatch(v)
                                  else int(float(v)) for v in col], dtype="Int64")
        elif kind == "bool":
            out[name] = pd.array([_to_bool(v) for v in col], dtype="boolean")
        elif kind == "float":
            out[name] = pd.to_numeric(col.replace("", math.nan)).astype("float64")
            ints = [label for label, v in zip(raw.index, col) if _INT_TEXT.fullmatch(v)]
            if ints:
                int_text[name] = ints
        elif kind == "json":
            out[name] = pd.Series([_to_json(v) for v in col], dtype=object)
        else:
            out[name] = pd.array([pd.NA if v == "" else v for v in col], dtype="string")
    df = pd.DataFrame(out, columns=list(raw.columns))
    df.attrs["types"] = types
    df.attrs["int_text"] = int_text
    return df


def _cell(value: Any, kind: str, int_text: bool = False) -> str:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return ""
    if kind == "json":
        if isinstance(value, str):
            return value
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if kind == "bool":
        return str(bool(value))
    if kind == "int":
        return str(int(value))
    if kind == "float":
        value = float(value)
        if int_text and value.is_integer():
            return str(int(value))
        # repr is the shortest text that reads back as the same float: what
        # the engine and pandas' to_csv write, so the text survives a round trip.
        return repr(value)
    return str(value)


def save(df: pd.DataFrame, path: str | pathlib.Path) -> pathlib.Path:
    """Write a DataFrame from :func:`load` back to CSV (atomically), in the engine's format.

    Examples
    --------
    >>> import io, os, tempfile
    >>> text = "key,n,agree,seconds\\nk,3,True,0.5\\nm,,False,\\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = save(load(io.StringIO(text)), os.path.join(d, "r.csv"))
    ...     open(p).read() == text
    True
    """
    from .sweep.engine import atomic_write_csv

    types = dict(df.attrs.get("types", {}))
    for name in df.columns:
        if name not in types:
            types[name] = _infer_type(df[name])
    int_text = {c: set(labels) for c, labels in df.attrs.get("int_text", {}).items()}
    empty: set = set()
    rows = [{c: _cell(v, types[c], label in int_text.get(c, empty))
             for c, v in zip(df.columns, rec)}
            for label, rec in zip(df.index, df.itertuples(index=False, name=None))]
    path = pathlib.Path(path)
    atomic_write_csv(path, list(df.columns), rows)
    return path


def _infer_type(col: pd.Series) -> str:
    if col.name in JSON_COLUMNS:
        return "json"
    if pd.api.types.is_bool_dtype(col.dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(col.dtype):
        return "int"
    if pd.api.types.is_float_dtype(col.dtype):
        return "float"
    return "string"


# --------------------------------------------------------------------------- summaries

# Values a finished row settles exactly (counts, ranks, dimensions that are set
# only when their bounds meet): two runs of one configuration must agree on them
# whatever the machine, engine or timing. Bounds and timings may differ.
SETTLED_COLUMNS = (
    "constraints", "equality", "zero", "linear", "polynomial", "colors", "zero_weights", "free",
    "closed_form", "dim", "dimension_computed", "ambient_dimension", "expected_dimension",
)


def compare(new: pd.DataFrame, reference: pd.DataFrame,
            columns=SETTLED_COLUMNS) -> tuple[int, pd.DataFrame]:
    """Check a fresh run against reference rows: ``(rows compared, disagreements)``.

    Rows are matched by ``key``; only rows ``ok`` in both are compared, and
    in each only the ``columns`` (by default :data:`SETTLED_COLUMNS`, the
    exact values) that both rows fill. The disagreements have one row per
    differing value: ``key``, ``column``, ``new``, ``reference``.

    Examples
    --------
    >>> a = pd.DataFrame({"key": ["k", "m"], "status": ["ok", "ok"], "dim": [3, 4]})
    >>> b = pd.DataFrame({"key": ["k", "m"], "status": ["ok", "timeout"], "dim": [3, None]})
    >>> n, diff = compare(a, b)
    >>> n, len(diff)
    (1, 0)
    """
    ref = reference[reference["status"] == "ok"].set_index("key")
    mine = new[new["status"] == "ok"].set_index("key")
    keys = [k for k in mine.index if k in ref.index]
    cols = [c for c in columns if c in mine.columns and c in ref.columns]
    diffs = []
    for k in keys:
        for c in cols:
            a, b = mine.at[k, c], ref.at[k, c]
            if pd.isna(a) or pd.isna(b):
                continue
            if a != b:
                diffs.append({"key": k, "column": c, "new": a, "reference": b})
    return len(keys), pd.DataFrame(diffs, columns=["key", "column", "new", "reference"])


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """A short table of a sweep's results (what ``make run`` prints).

    Constraint tables: per group and kind, the number of cases, how many
    succeeded, the range of colors and how many closed forms agree.
    Variety dimensions: one line per configuration with the dimension or its
    bounds and their certainty, the function dimension, status and seconds.
    """
    if "colors" in df.columns:
        def agree(s):
            known = s.dropna()
            return f"{int(known.sum())}/{len(known)}" if len(known) else "-"

        def span(s):
            s = s.dropna()
            return f"{int(s.min())}-{int(s.max())}" if len(s) else "-"

        g = df.groupby(["group", "kind"], sort=False)
        return pd.DataFrame({
            "cases": g.size(),
            "ok": g["status"].apply(lambda s: int((s == "ok").sum())),
            "n": g["n"].apply(span),
            "colors": g["colors"].apply(span),
            "closed form agrees": g["agree"].apply(agree),
        }).reset_index()
    if "dim" in df.columns or "dim_lower" in df.columns:
        out = pd.DataFrame({
            "spec": df["spec"], "kind": df["kind"],
            "exclude": df["exclude"].map(lambda v: ",".join(v) if isinstance(v, list) else "")
            if "exclude" in df.columns else "",
            "weights": df.get("weights"),
            "dim": [_dim_text(r) for r in df.itertuples()],
            "certainty": df.get("certainty"),
            "function_dim": df.get("function_dim"),
            "method": df.get("method"),
            "status": df["status"],
            "seconds": df["seconds"].round(2),
        })
        return out
    return df


def _dim_text(row) -> str:
    return bounds_text(getattr(row, "dim", pd.NA), getattr(row, "dim_lower", pd.NA),
                       getattr(row, "dim_upper", pd.NA))


def bounds_text(value, lower, upper) -> str:
    """A settled value, else ``[lower, upper]`` (``?`` for a missing side, ``-`` for neither).

    Examples
    --------
    >>> bounds_text(7, 7, 7), bounds_text(pd.NA, 9, 11), bounds_text(None, None, None)
    ('7', '[9, 11]', '-')
    """
    if not pd.isna(value):
        return str(int(value))
    if pd.isna(lower) and pd.isna(upper):
        return "-"
    return f"[{'?' if pd.isna(lower) else int(lower)}, {'?' if pd.isna(upper) else int(upper)}]"


# --------------------------------------------------------------------------- figures

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_colors(df: pd.DataFrame, path: str | pathlib.Path) -> pathlib.Path:
    """Colors (tied free parameters) against ``n``: panels by layer kind and output kind."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    data = df[df["status"] == "ok"].dropna(subset=["colors"])
    if data.empty:
        raise DataError("no rows with colors to plot (is varieties.tying installed?)")
    layer_col = "layers" if "layers" in data.columns else "layer"
    layers = list(dict.fromkeys(data[layer_col]))
    kinds = list(dict.fromkeys(data["kind"]))
    groups = list(dict.fromkeys(data["group"]))
    fig, axes = plt.subplots(len(layers), len(kinds), figsize=(3.2 * len(kinds), 2.4 * len(layers)),
                             squeeze=False, sharex=True)
    markers = dict(zip(groups, "osD^v<>p"))
    for r, layer in enumerate(layers):
        for c, kind in enumerate(kinds):
            ax = axes[r][c]
            sub = data[(data[layer_col] == layer) & (data["kind"] == kind)]
            for group in groups:
                s = sub[sub["group"] == group].sort_values("n")
                if not s.empty:
                    ax.plot(s["n"].astype(int), s["colors"].astype(int),
                            marker=markers[group], label=group, linewidth=1)
            if not sub.empty and sub["colors"].max() - sub["colors"].min() < 2:
                # a constant panel: give the integer ticks room
                ax.set_ylim(int(sub["colors"].min()) - 1.5, int(sub["colors"].max()) + 1.5)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if r == 0:
                ax.set_title(kind)
            if c == 0:
                ax.set_ylabel(f"layer {layer}: colors")
            if r == len(layers) - 1:
                ax.set_xlabel("n")
            ax.grid(alpha=0.3)
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    path = pathlib.Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_dimensions(df: pd.DataFrame, path: str | pathlib.Path) -> pathlib.Path:
    """Dimension (dot) or bounds (bar) of the variety per architecture, with weights and function_dim."""
    plt = _pyplot()
    if df.empty:
        raise DataError("no rows to plot")
    labels = []
    for r in df.itertuples():
        excl = getattr(r, "exclude", None)
        excl = f" -{'/'.join(excl)}" if isinstance(excl, list) and excl else ""
        status = "" if r.status == "ok" else f" ({r.status})"
        labels.append(f"{r.spec} {r.kind}{excl}{status}")
    y = list(range(len(df)))
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(df) + 1.2))
    for i, r in enumerate(df.itertuples()):
        dim = getattr(r, "dim", pd.NA)
        lo, hi = getattr(r, "dim_lower", pd.NA), getattr(r, "dim_upper", pd.NA)
        if not pd.isna(dim):
            ax.plot([int(dim)], [i], "o", color="C0", label="dimension")
        elif not (pd.isna(lo) and pd.isna(hi)):
            a = 0 if pd.isna(lo) else int(lo)
            b = int(r.weights) if pd.isna(hi) else int(hi)
            ax.plot([a, b], [i, i], "-", color="C1", linewidth=4, alpha=0.7, label="bounds")
        if not pd.isna(getattr(r, "weights", pd.NA)):
            ax.plot([int(r.weights)], [i], "|", color="gray", markersize=10, label="weights")
        fd = getattr(r, "function_dim", pd.NA)
        flo, fhi = getattr(r, "function_dim_lower", pd.NA), getattr(r, "function_dim_upper", pd.NA)
        if not pd.isna(fd):
            ax.plot([int(fd)], [i], "x", color="C3", label="function dim")
        elif not (pd.isna(flo) or pd.isna(fhi)):
            ax.plot([int(flo), int(fhi)], [i, i], "-", color="C3", linewidth=2, alpha=0.6,
                    label="function dim bounds")
    handles, seen = [], {}
    for h, lab in zip(*ax.get_legend_handles_labels()):
        seen.setdefault(lab, h)
    ax.legend(seen.values(), seen.keys(), loc="lower right", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("dimension")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = pathlib.Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _hidden_width(spec: str):
    """``(n, width)`` of a ``n,qw,q1`` spec (quadratic hidden layer), else ``None``."""
    parts = spec.split(",")
    if len(parts) != 3 or parts[2] != "q1" or parts[1][:1] != "q" or not parts[1][1:].isdigit():
        return None
    return int(parts[0]), int(parts[1][1:])


def _width_rows(df: pd.DataFrame) -> list:
    """``(group, n, width, row)`` of the invariant ``n,qw,q1`` rows without exclusions.

    Affine hidden layers (``n,aw,q1``) are left out: at the same width they
    would draw a second point on the same line.
    """
    rows = []
    for r in df.itertuples():
        nw = _hidden_width(str(r.spec))
        excl = getattr(r, "exclude", None)
        if isinstance(excl, str):
            excl = json.loads(excl) if excl.strip() else []
        if nw is None or r.kind != "invariant" or (isinstance(excl, list) and excl):
            continue
        rows.append((str(r.group), nw[0], nw[1], r))
    return rows


def plot_dimensions_by_width(df: pd.DataFrame, path: str | pathlib.Path) -> pathlib.Path | None:
    """Dimension and function dimension of 2-layer invariant networks against the hidden width.

    One panel per group, one colour per ``n``: the variety's dimension (solid;
    its bounds as a band when they do not meet) and the function-space
    dimension (dashed; its bounds likewise) of ``n,qw,q1``, rows without
    exclusions. ``None`` when the CSV has no such rows.
    """
    plt = _pyplot()
    rows = _width_rows(df)
    if not rows:
        return None
    groups = sorted({g for g, *_ in rows})
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 3.6), squeeze=False)
    colour = {n: f"C{i}" for i, n in enumerate(sorted({n for _, n, _, _ in rows}))}
    for ax, g in zip(axes[0], groups):
        for n in sorted({n for gg, n, _, _ in rows if gg == g}):
            c = colour[n]
            pts = sorted((w, r) for gg, nn, w, r in rows if gg == g and nn == n)
            ws = [w for w, _ in pts]

            def series(col, lo, hi):
                mid = [getattr(r, col, pd.NA) for _, r in pts]
                low = [getattr(r, lo, pd.NA) for _, r in pts]
                high = [getattr(r, hi, pd.NA) for _, r in pts]
                val = [float(m) if not pd.isna(m) else float("nan") for m in mid]
                band = [(float(a), float(b)) if not (pd.isna(a) or pd.isna(b)) else
                        (float("nan"), float("nan")) for a, b in zip(low, high)]
                return val, band

            for col, lo, hi, style in (("dim", "dim_lower", "dim_upper", "-o"),
                                       ("function_dim", "function_dim_lower",
                                        "function_dim_upper", "--x")):
                if col not in df.columns:
                    continue
                val, band = series(col, lo, hi)
                ax.plot(ws, val, style, color=c,
                        label=f"n={n} {'dim' if col == 'dim' else 'function dim'}")
                ax.fill_between(ws, [a for a, _ in band], [b for _, b in band],
                                color=c, alpha=0.15)
        ax.set_title(g, fontsize=9)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("hidden width")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("dimension")
    for ax in axes[0]:
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    path = pathlib.Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def figures(csv_paths) -> list[pathlib.Path]:
    """Draw the figure of each sweep CSV next to it (``X.csv`` -> ``X.png``).

    The figure follows the columns: ``colors`` -> :func:`plot_colors`,
    ``dim``/``dim_lower`` -> :func:`plot_dimensions`; other CSVs, and CSVs
    with no rows yet (a sweep run with ``--limit 0``), are skipped.
    """
    written = []
    for p in [csv_paths] if isinstance(csv_paths, (str, pathlib.Path)) else csv_paths:
        p = pathlib.Path(p)
        df = load(p)
        if df.empty:
            continue
        png = p.with_suffix(".png")
        if "colors" in df.columns and df["colors"].notna().any():
            written.append(plot_colors(df, png))
        elif "dim_lower" in df.columns or "dim" in df.columns:
            written.append(plot_dimensions(df, png))
            by_width = plot_dimensions_by_width(df, p.with_name(p.stem + "_by_width.png"))
            if by_width is not None:
                written.append(by_width)
    return written
