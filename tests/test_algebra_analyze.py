"""analyze(): reports, census bounds, exclusions, components, CLI."""

import json

import pytest

from varieties.algebra import VarietyReport, analyze, build_problem, census, groebner
from varieties.algebra.components import minimal_primes
from varieties.algebra.engines import singular_binary
from varieties.cli import main
from varieties.errors import MethodError, VarietiesError

needs_singular = pytest.mark.skipif(singular_binary() is None, reason="Singular binary absent")


def test_report_fields_and_flat_row():
    r = analyze("2,q1,l1", timeout=60)
    assert isinstance(r, VarietyReport)
    full = groebner(build_problem("2,q1,l1").system(0), engine="sympy", timeout=60)
    assert r.dim == full.dim == r.dim_lower == r.dim_upper
    assert r.status == "ok" and r.certificate
    row = r.to_row()
    assert all(not isinstance(v, (list, dict)) for v in row.values())
    assert r.to_frame().shape[0] == 1


@pytest.mark.parametrize("method", ["groebner", "slice"])
def test_methods_agree(method):
    auto = analyze("2,l2,q1", timeout=60)
    other = analyze("2,l2,q1", method=method, timeout=60)
    assert other.dim == auto.dim is not None
    assert other.method == method


def test_census_respects_proven_upper_bound():
    prob = build_problem("2,q1,q1")
    full = groebner(prob.system(0), engine="sympy", timeout=60)
    c = census(prob.system(0), n_points=15, seed=2)
    assert c.n_converged > 0
    assert c.max_dim <= full.dim
    r = analyze("2,q1,q1", method="census", timeout=60)
    assert r.census["consistent"]


def test_time_limit_reported():
    # a limit below what any step takes: the analysis stops on every machine
    r = analyze("2,q2,q1", method="groebner", timeout=1e-3)
    assert r.status == "timeout" and r.dim_lower <= r.dim_upper


def test_exclusion_bounds_nondegenerate_part():
    plain = analyze("2,q2,q1", timeout=60)
    excl = analyze("2,q2,q1", exclude=("constant-output",), timeout=60)
    assert excl.exclusions == ["constant-output"]
    assert excl.dim_upper <= plain.dim_upper
    assert excl.dim_lower is not None and excl.dim_lower <= excl.dim_upper


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("method", ["groebner", "slice"])
@pytest.mark.parametrize("locus", ["constant-output", "B2_0_0"])
def test_exclusion_gives_the_saturation_dimension(n, method, locus):
    """``n,l1,l1`` invariant: F = c (b . x), constraints c (b_i - b_j) = 0.

    By hand, V = {c = 0} (dimension n: b free) union {b_0 = ... = b_{n-1}}
    (dimension 2: the common b and c). Removing the constant networks
    ({c = 0} or {b = 0}), or the locus {c = 0} given as a weight set, leaves
    the second piece minus a hypersurface: dimension 2 for every n.
    """
    plain = analyze(f"{n},l1,l1", method=method, timeout=60)
    excl = analyze(f"{n},l1,l1", method=method, exclude=(locus,), timeout=60)
    assert plain.status == excl.status == "ok"
    assert plain.dim == n
    assert excl.dim == 2


def test_census_under_an_exclusion_sees_only_the_nondegenerate_piece():
    """``3,l1,l1`` minus the constant networks is the plane {b_0 = b_1 = b_2} (dimension 2).

    Points landing on the 3-dimensional piece {c = 0} must be dropped, so every
    kept point has local dimension 2.
    """
    rep = analyze("3,l1,l1", method="census", exclude=("constant-output",), census_points=10,
                  timeout=60)
    assert rep.census is not None and rep.census["consistent"]
    assert rep.census["histogram"] and set(rep.census["histogram"]) == {"2"}


def test_bad_input_raises_named_errors():
    with pytest.raises(MethodError, match="unknown method"):
        analyze("2,l1", method="magic")
    with pytest.raises(VarietiesError, match="neither a preset"):
        analyze("2,l1", exclude=("nonsense",))
    for bad in (0, -1, "soon"):
        with pytest.raises(VarietiesError, match="timeout"):
            analyze("2,l1", timeout=bad)


@pytest.mark.singular
@needs_singular
def test_components_of_a_union_of_planes():
    from varieties.algebra.engines import System

    # xy = 0 in 3-space: two planes of degree 1; on a slice of codim 1 still two components.
    s = System(("x", "y", "z"), [{(1, 1, 0): 1}], 32003)
    for codim in (0, 1):
        res = minimal_primes(s, timeout=30, codim=codim)
        assert res.status == "ok"
        assert sorted((c.dim, c.degree) for c in res.components) == [(2, 1), (2, 1)]


def test_cli_json(capsys):
    assert main(["analyze", "2,a1,q1", "--json", "--timeout", "60"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dim"] == data["dim_lower"] == data["dim_upper"]
    assert main(["analyze", "2,a1,q1", "--exclude", "bogus"]) == 2


@pytest.mark.singular
@needs_singular
def test_two_top_components_of_the_small_quadratic_network():
    """``2,q2,q1`` invariant has (at least) two top components, both found by Singular.

    Independent argument: the linear space L of networks whose two hidden units
    are invariant (degree 1) and the closure of the 'single-unit' family (the
    output reads one invariant unit; the other unit is free) are both in V, both
    of dimension dim V, and the second is not inside L because its point has a
    non-invariant hidden unit. So V has at least two top components, one of
    degree 1.
    """
    from varieties.algebra import families
    from varieties.network import parse_spec

    spec = parse_spec("2,q2,q1")
    rep = analyze(spec, components=True, timeout=120)
    fams = {f.name: f for f in families(spec, "symmetric", "invariant",
                                       polys=build_problem(spec, "symmetric",
                                                           "invariant").cs.polys, seed=0)}
    L, single = fams["invariant-units"], fams["single-unit"]
    assert L.in_variety and single.in_variety
    assert rep.dim == L.dim_lower == single.dim_lower
    w = dict(zip(spec.weights, single.point))
    unit_invariant = [w[f"A1_{k}_0_0"] == w[f"A1_{k}_1_1"] and w[f"B1_{k}_0"] == w[f"B1_{k}_1"]
                      for k in range(2)]
    assert not all(unit_invariant)
    top = [c for c in rep.components if c["dim"] == rep.dim]
    assert len(top) >= 2
    assert 1 in [c["degree"] for c in top]


# ---------------------------------------------------------------------------- exclusion degrees

def _points_on_a_slice(system, n_weights, codim, engine="sympy"):
    """Number of points (with multiplicity) of a random codim-dimensional slice in weight space.

    Independent of the eliminating engines: the Rabinowitsch ideal is sliced by
    random affine forms in the weights only, its basis over GF(p) is 0-dimensional,
    and the standard monomials (those divisible by no leading monomial) are
    counted by brute force. For a generic slice this is the degree of the
    closure of V minus {g = 0}.
    """
    import itertools

    from varieties.algebra.engines import leading_monomial, run_groebner
    from varieties.algebra.slicing import slice_system

    sl = slice_system(system, codim, seed=11, n_weights=n_weights)
    r = run_groebner(sl, engine, 60)
    assert r.ok
    lead = [leading_monomial(f) for f in r.basis]
    bound = max(max(m) for m in lead) + 1
    return sum(1 for m in itertools.product(range(bound), repeat=sl.nvars)
               if not any(all(a >= b for a, b in zip(m, l)) for l in lead))


@pytest.mark.parametrize("engine", ["sympy", "singular", "msolve"])
def test_degree_under_an_exclusion_is_that_of_the_saturation(engine):
    """``2,q1,q1`` minus the constant networks: degree 1, not the graph's 4 (review repro)."""
    from varieties.algebra.engines import available_engines

    if engine not in available_engines():
        pytest.skip(f"{engine} absent")
    r = analyze("2,q1,q1", exclude=("constant-output",), method="groebner", engine=engine,
                timeout=60, function_dim=False)
    assert r.status == "ok" and r.dim == 7
    prob = build_problem("2,q1,q1")
    from varieties.algebra import exclusion_poly
    from varieties.algebra.exclusions import rabinowitsch

    rabinowitsch(prob, exclusion_poly(prob.spec, "constant-output", 0))
    assert r.degree == _points_on_a_slice(prob.system(32003), prob.n_weights, r.dim) == 1


def test_degree_without_exclusion_matches_a_slice_count():
    r = analyze("2,q1,q1", method="groebner", timeout=60, function_dim=False)
    prob = build_problem("2,q1,q1")
    assert r.degree == _points_on_a_slice(prob.system(32003), prob.n_weights, r.dim)


# ---------------------------------------------------------------------------- certainty

def test_certainty_exact_only_for_qq_bases_without_exclusions():
    exact = analyze("2,q1,l1", method="groebner", timeout=60)
    assert exact.certainty == "exact" and exact.proven and exact.prime is None
    assert "(exact)" in exact.summary().splitlines()[1]
    modular = analyze("2,q2,q1", timeout=60)
    assert modular.settled and not modular.proven
    assert modular.certainty == "modular" and modular.prime == 32003
    assert "dim = 14 (modular: mod 32003, probabilistic)" in modular.summary()
    assert modular.to_dict()["certainty"] == "modular" and modular.to_row()["prime"] == 32003
    excl = analyze("2,q1,q1", exclude=("constant-output",), method="groebner", timeout=60,
                   function_dim=False)
    assert excl.certainty == "probabilistic"


@pytest.mark.msolve
def test_msolve_basis_is_modular():
    from varieties.algebra.engines import msolve_binary

    if msolve_binary() is None:
        pytest.skip("msolve absent")
    r = analyze("2,q1,l1", method="groebner", engine="msolve", prime=1031, timeout=60)
    assert r.certainty == "modular" and r.prime == 1031


# ---------------------------------------------------------------------------- empty complements

def test_an_exclusion_containing_v_gives_dimension_minus_one(monkeypatch):
    """``2,l1`` invariant: V = {B1_0_0 = B1_0_1}. Excluding {g = 0} for g = B1_0_0 - B1_0_1,
    which vanishes on all of V, leaves nothing: by hand, dim = -1 (the empty set).
    Starting from the zero network's ``dim >= 0`` would be wrong."""
    from varieties.algebra import exclusions as ex
    from varieties.expand import weight_ring
    from varieties.network import parse_spec

    spec = parse_spec("2,l1")
    R = weight_ring(spec.weights)
    b0, b1 = R.gens
    monkeypatch.setattr(ex, "exclusion", lambda spec, what, seed=0:
                        ex.Exclusion("diagonal", b0 - b1, "b0 != b1"))
    for method in ("auto", "groebner", "slice"):
        r = analyze("2,l1", exclude=("diagonal",), method=method, timeout=60)
        assert r.status == "ok", r.message
        assert r.dim_lower == r.dim_upper == r.dim == -1, (method, r.certificate)
    r = analyze("2,l1", exclude=("diagonal",), method="slice", components=True, timeout=60)
    assert r.components == [] and "no point" in r.message


# ---------------------------------------------------------------------------- components

@pytest.mark.singular
@needs_singular
def test_components_are_gf_p_irreducible():
    """x^2 - 3 y^2: two lines mod p when 3 is a square mod p (Euler's criterion), one
    GF(p)-irreducible component otherwise; over QQ always one, over C always two."""
    from varieties.algebra.engines import System

    for p in (32003, 32009, 1031, 1033):
        square = pow(3, (p - 1) // 2, p) == 1
        res = minimal_primes(System(("x", "y"), [{(2, 0): 1, (0, 2): -3}], p), timeout=30)
        assert res.signature() == ([(1, 1), (1, 1)] if square else [(1, 2)])
        assert "GF(p)-irreducible" in res.certificate()


@pytest.mark.singular
@needs_singular
def test_components_under_an_exclusion_are_projected():
    """xy + z^2 = 0 with x != 0 (t x = 1): the closure is the irreducible quadric cone
    (degree 2); on a slice of codim 1 it stays one component of degree 2, free of t."""
    from varieties.algebra.engines import System

    s = System(("x", "y", "z", "t"), [{(1, 1, 0, 0): 1, (0, 0, 2, 0): 1},
                                      {(1, 0, 0, 1): 1, (0, 0, 0, 0): -1}], 32003)
    for codim in (0, 1):
        res = minimal_primes(s, timeout=30, codim=codim, n_weights=3)
        assert res.status == "ok"
        assert res.signature() == [(2, 2)]
        assert all("t" not in g for c in res.components for g in c.generators)
    # xy = 0 with x != 0: only the line y = 0.
    s = System(("x", "y", "t"), [{(1, 1, 0): 1}, {(1, 0, 1): 1, (0, 0, 0): -1}], 32003)
    res = minimal_primes(s, timeout=30, codim=0, n_weights=2)
    assert [(c.dim, c.degree, c.generators) for c in res.components] == [(1, 1, ["y^1"])]


@pytest.mark.singular
@needs_singular
def test_components_timeout_and_disagreement_are_reported(monkeypatch):
    from varieties.algebra import components as comp

    real = comp.minimal_primes
    calls = []

    def second_prime_differs(system, *, timeout=60.0, codim=0, seed=0, n_weights=None):
        res = real(system, timeout=timeout, codim=codim, seed=seed, n_weights=n_weights)
        calls.append(system.characteristic)
        if len(calls) == 2:
            res.components = res.components[:1]
        return res

    monkeypatch.setattr(comp, "minimal_primes", second_prime_differs)
    r = analyze("2,q2,q1", components=True, timeout=120)
    assert calls == [32003, 32009]
    assert r.status == "ok" and "differ" in r.message

    monkeypatch.setattr(comp, "minimal_primes", lambda *a, **k: comp.ComponentsResult(
        "timeout", 1.0, message="no answer"))
    r = analyze("2,q2,q1", components=True, timeout=120)
    assert r.status == "timeout" and "components" in r.message


# ---------------------------------------------------------------------------- function_dim, input

def test_function_dim_disagreement_is_flagged(monkeypatch):
    import importlib

    # The module, not the function the package exports under the same name.
    fd = importlib.import_module("varieties.algebra.function_dim")

    real = fd.rank_mod_p
    monkeypatch.setattr(fd, "rank_mod_p",
                        lambda rows, p: real(rows, p) - (p == fd.PRIMES[1]))
    v, det = fd.function_dim("2,q2,q1", return_details=True)
    assert det["agree"] is False and v == max(det["ranks"].values())
    r = analyze("2,q2,q1", timeout=60)
    assert "disagree" in r.message and "DISAGREE" in r.certificate


def test_bad_census_and_prime_raise():
    from varieties.errors import EngineError

    for bad in (-1, 1.5, True):
        with pytest.raises(MethodError, match="census_points"):
            analyze("2,l1", census_points=bad)
    for bad in (-7, 2, 32001, 2**31 + 11):
        with pytest.raises(EngineError, match="prime"):
            analyze("2,l1", prime=bad)


def test_cli_refuses_bad_prime_and_census(capsys):
    for bad in ("-7", "2", "32001"):
        assert main(["analyze", "2,l1", "--prime", bad]) == 2
        assert "prime" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "2,l1", "--census", "-1"])
    assert exc.value.code == 2


# ---------------------------------------------------------------------------- time limits

def test_deadline_is_checked_inside_phases():
    """``3,q3,q3,q1`` has 210 constraints of up to 27k terms: without deadline checks
    between them the families alone ran for a minute."""
    import time

    start = time.perf_counter()
    r = analyze("3,q3,q3,q1", engine="sympy", timeout=3)
    assert r.status == "timeout" and "time limit" in r.message
    assert time.perf_counter() - start < 3 * 10  # unbounded: minutes
    # Only exact bounds were reached by then: the families' (evaluated, not expanded,
    # they finish in time) and the number of weights.
    assert 0 <= r.dim_lower <= r.dim_upper == r.n_weights and r.certainty == "exact"


def test_function_dim_honours_a_timeout():
    import time

    from varieties.algebra import function_dim

    v, det = function_dim("2,q2,q1", return_details=True, timeout=0)
    assert v is None and det["timeout"]


def _fork_available():
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


@pytest.mark.skipif(not _fork_available(), reason="needs fork")
def test_cli_timeout_is_a_hard_limit(monkeypatch, capsys, tmp_path):
    """A phase that ignores its deadline (here: a stand-in that sleeps and starts an
    engine-like subprocess) is killed with its whole process group."""
    import os
    import subprocess
    import time

    from varieties.commands import analyze as cmd

    pidfile = tmp_path / "pid"

    def stuck(args):
        proc = subprocess.Popen(["sleep", "60"])
        pidfile.write_text(str(proc.pid))
        time.sleep(60)

    monkeypatch.setattr(cmd, "_analyze", stuck)
    start = time.perf_counter()
    assert main(["analyze", "2,l1", "--timeout", "0.5", "--json"]) == 0
    assert time.perf_counter() - start < 0.5 + cmd.grace(0.5) + 30  # unbounded: 60 s
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "timeout" and data["dim"] is None and "killed" in data["message"]
    pid = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        # A killed child's orphan may linger as a zombie until reaped: check its state.
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the engine subprocess survived the hard time limit")
    assert main(["analyze", "2,l1", "--timeout", "0.5"]) == 0
    assert "status timeout" in capsys.readouterr().out


def test_analyze_shows_constraint_progress_only_when_asked(monkeypatch):
    import io
    import sys

    class Tty(io.StringIO):
        def isatty(self):
            return True

    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    quiet = analyze("2,q1,l1", timeout=30, function_dim=False)
    assert err.getvalue() == ""
    shown = analyze("2,q1,l1", timeout=30, function_dim=False, progress=True)
    assert "coefficient" in err.getvalue()
    assert (shown.dim_lower, shown.dim_upper) == (quiet.dim_lower, quiet.dim_upper)


def test_top_families_leave_out_the_excluded_ones():
    # 2,q1,q1,q1 minus the constant output: the constant families have the
    # same orbit rank as the best admissible one, but lie in the excluded locus.
    from varieties.algebra import analyze

    r = analyze("2,q1,q1,q1", "symmetric", "invariant", exclude=("constant-output",),
                timeout=60)
    tied = [f for f in r.families if f["dim_lower"] == r.dim_lower]
    assert any(f["excluded"] for f in tied)
    assert all(f["top"] == (not f["excluded"]) for f in tied)
    assert any(f["top"] for f in r.families)


def test_a_timeout_still_files_the_exact_count_as_the_function_bound():
    # 3,q3,q3,q1 does not reach its function-dimension phase in 5 s; the report
    # still carries function_dim <= dim Inv_{<=8}, counted here by brute force
    # over the permutations of the monomials of degree <= 8.
    import itertools

    from varieties.algebra.evaluation import x_monomials

    r = analyze("3,q3,q3,q1", "symmetric", timeout=5)
    assert r.status == "timeout"
    orbits = {frozenset(tuple(m[s[i]] for i in range(3)) for s in itertools.permutations(range(3)))
              for m in x_monomials(3, 8)}
    assert r.function_dim_upper == len(orbits)
    assert r.function_dim is None and r.function_dim_certainty == "exact"
    assert "orbit count" in r.certificate
