"""Forward/backward of quadratic networks on random specs: exact reference, finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import random_batch
from varieties.learn import numpy_backend as nb
from varieties.network import evaluate, parse_spec

layer_tok = st.builds(lambda k, w, r: f"{k}{w}" + (f"^{r}" if r > 1 else ""),
                      st.sampled_from("qsla"), st.integers(1, 3), st.integers(1, 2))


@st.composite
def specs(draw):
    n = draw(st.integers(1, 3))
    layers = draw(st.lists(layer_tok, min_size=1, max_size=3))
    return parse_spec(",".join([str(n)] + layers), full=draw(st.booleans()))


@settings(max_examples=40, deadline=None)
@given(specs(), st.integers(0, 10**6))
def test_forward_matches_exact_reference(spec, seed):
    w, X, _ = random_batch(spec, seed)
    got = nb.forward(spec, w, X)
    wd = dict(zip(spec.weights, map(float, w)))
    ref = np.array([[float(v) for v in evaluate(spec, wd, list(x))] for x in X])
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(specs(), st.integers(0, 10**6))
def test_gradient_matches_finite_differences(spec, seed):
    w, X, y = random_batch(spec, seed)
    _, g = nb.loss_and_grad(spec, w, X, y)
    h = 1e-6
    fd = np.array([(nb.loss_and_grad(spec, w + h * e, X, y)[0]
                    - nb.loss_and_grad(spec, w - h * e, X, y)[0]) / (2 * h)
                   for e in np.eye(len(w))])
    assert np.allclose(g, fd, rtol=1e-5, atol=1e-6 * (1 + np.abs(fd).max()))
