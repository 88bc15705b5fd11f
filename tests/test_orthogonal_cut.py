"""The O(r) cut of the central strata's image slices agrees with the dense random forms."""

import random

import pytest

from varieties.algebra import normal_form
from varieties.algebra.normal_form import normal_form_bounds, strata

pytestmark = pytest.mark.skipif(
    __import__("varieties.algebra.engines", fromlist=["x"]).resolve_engine("auto", 32003)
    == "sympy", reason="needs msolve or Singular")


def _function_bounds(spec, group, monkeypatch, cut):
    real, used = normal_form._orthogonal_cut, []

    def spy(*args):
        out = real(*args) if cut else []
        used.append(len(out))
        return out

    monkeypatch.setattr(normal_form, "_orthogonal_cut", spy)
    nf = normal_form_bounds(spec, group, "invariant", timeout=600)
    monkeypatch.undo()
    assert (3 in used) == cut        # the rank-3 stratum was cut (or not)
    return [(st.name, st.function_lower, st.function_upper) for st in nf.strata], nf


@pytest.mark.parametrize("spec,group", [("3,a3,q1", "symmetric"), ("3,a3,q1", "cyclic")])
def test_cut_gives_the_dense_forms_bounds(spec, group, monkeypatch):
    with_cut, nf = _function_bounds(spec, group, monkeypatch, True)
    without, _ = _function_bounds(spec, group, monkeypatch, False)
    assert with_cut == without
    rank3 = [t for t in nf.tests if t.stratum.startswith("central rank 3")
             and t.what == "image slice"]
    assert rank3 and all(t.empty is not None for t in rank3)


def test_cut_has_dim_O_r_conditions_each_on_one_unit():
    st = [s for s in strata("3,q3,q1", "symmetric") if s.name.startswith("central rank 3")][0]
    cut = normal_form._orthogonal_cut(st, 3, 32003, random.Random(0))
    assert len(cut) == 3
    nq = st.n_unknowns // 3
    for f in cut:
        units = {i // nq for m in f for i, e in enumerate(m) if e}
        assert len(units) == 1 and max(sum(m) for m in f) == 1
    # not central, or rank < 3: no cut
    low = [s for s in strata("3,q3,q1", "symmetric") if s.r < 3 or not s.central]
    assert all(normal_form._orthogonal_cut(s, 3, 32003, random.Random(0)) == [] for s in low)
