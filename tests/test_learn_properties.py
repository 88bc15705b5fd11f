"""Forward/backward of quadratic networks on random specs: exact reference, finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from varieties.learn import numpy_backend as nb
from varieties.network import evaluate, parse_spec

layer_tok = st.builds(lambda k, w, r: f"{k}{w}" + (f"^{r}" if r > 1 else ""),
                      st.sampled_from("qsla"), st.integers(1, 3), st.integers(1, 2))


@st.composite
def specs(draw):
    n = draw(st.integers(1, 3))
    layers = draw(st.lists(layer_tok, min_size=1, max_size=3))
    return parse_spec(",".join([str(n)] + layers), full=draw(st.booleans()))


def _data(spec, seed=0, batch=5):
    rng = np.random.default_rng(seed)
    w = rng.uniform(-1, 1, len(spec.weights))
    X = rng.uniform(-1, 1, (batch, spec.n_inputs))
    y = rng.normal(size=(batch, spec.n_outputs))
    return w, X, y


@settings(max_examples=40, deadline=None)
@given(specs(), st.integers(0, 10**6))
def test_forward_matches_exact_reference(spec, seed):
    w, X, _ = _data(spec, seed)
    got = nb.forward(spec, w, X)
    wd = dict(zip(spec.weights, map(float, w)))
    ref = np.array([[float(v) for v in evaluate(spec, wd, list(x))] for x in X])
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(specs(), st.integers(0, 10**6))
def test_gradient_matches_finite_differences(spec, seed):
    w, X, y = _data(spec, seed)
    _, g = nb.loss_and_grad(spec, w, X, y)
    h = 1e-6
    fd = np.array([(nb.loss_and_grad(spec, w + h * e, X, y)[0]
                    - nb.loss_and_grad(spec, w - h * e, X, y)[0]) / (2 * h)
                   for e in np.eye(len(w))])
    assert np.allclose(g, fd, rtol=1e-5, atol=1e-6 * (1 + np.abs(fd).max()))
