r"""``SymmetricNetwork``: a tied symmetric quadratic network as a ``torch.nn.Module`` (float).

The trainable parameters are exactly the free parameters of the layer-wise
tying (:func:`varieties.tying.tying`), one ``Parameter`` per layer in
``module.theta`` (a ``ParameterList``): ``theta[l - 1][c]`` is the parameter
named ``module.param_names()[l - 1][c]``, the tying's representative weight, in
the tying's order. So every weight vector the module can hold is layer-wise
symmetric, and equivariance cannot break silently.

* ``S_n`` layers (default ``i <= j`` indexing) run through power sums in
  ``O(n)`` per sample (:mod:`varieties.learn.power_sum`, differentiated by
  autograd): an equivariant quadratic layer has 7 parameters, an invariant
  neuron 4, and the weight vector is never built. Layers whose inputs the
  group fixes (after an invariant hidden layer) are dense.
* Other groups (default indexing) plan their layers from orbits of the output
  neurons and their stabilisers (:func:`varieties.nn.layers.plan_network`, no
  tying, milliseconds at ``n = 256``). A layer of more than
  :data:`~varieties.nn.layers.ORBIT_DENSE_MAX_WEIGHTS` weights runs without its
  dense weights: neuron ``g.k0`` is neuron ``k0`` on the inputs permuted by
  ``g``, so only each orbit's first neuron is gathered (an ``n x n`` quadratic
  form per orbit; single-neuron orbits sum the features ``o_i o_j`` over the
  stabiliser's colors first). Smaller layers gather their weights
  (``theta[colors]``) and run densely, which is faster there. The orbit path
  saves the memory of the dense weights and their gradient, not time: at
  ``n = 256`` it runs at about 0.6-0.8x the dense path's speed
  (``scripts/bench_nn.py``, table 5).
* The full indexing gathers each layer's weights from its parameters by an
  index tensor (``M theta`` with signs for the antisymmetric parts, one
  parameter per weight pair) read from the orbit tying, and evaluates densely.

Floating point: the default dtype is float64, in which the module agrees with
the reference evaluator :func:`varieties.learn.forward` at :meth:`weights` to
about 1e-12 relative and :meth:`check_equivariance` is at rounding level
(< 1e-10 for outputs of moderate size); float32 (``.float()``) gives about
1e-5 relative.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import MethodError
from ..groups import get_group
from ..learn import power_sum as ps
from ..network import NetworkSpec, parse_spec
from . import layers as ly
from .functional import check_input, dense_layer, equivariance_error, infer_kind


def _upper(w, n: int, I, J):
    """``(nb, n, n)`` matrices with ``w[:, t]`` at ``(I[t], J[t])`` and zeros elsewhere."""
    Q = w.new_zeros(w.shape[0], n * n)
    return Q.index_copy(1, I * n + J, w).view(-1, n, n)


class SymmetricNetwork(torch.nn.Module):
    """A quadratic network whose weights are tied to be symmetric under a permutation group.

    Parameters
    ----------
    spec : str or NetworkSpec
        E.g. ``"8,q8,q1"``.
    group : str or PermutationGroup
        As in :func:`varieties.groups.get_group`.
    kind : {"invariant", "equivariant", "folded", "none"} or None
        The action on the outputs. ``None`` infers it from the output width:
        1 output is invariant, ``n`` outputs equivariant (other widths need it
        given). ``"none"`` ties nothing (every weight a parameter): an
        unconstrained network of quadratic neurons.
    full : bool
        The notes' full indexing ``A_kij`` for all ``i, j`` (dense layers).
    init_scale : float
        Parameters start normal with standard deviation ``init_scale /
        sqrt(m * c)`` (``m`` the weights of one neuron sharing the parameter,
        ``c`` the parameters of a neuron), so pre-activations start of size
        about ``init_scale`` for inputs of size 1.
    device, dtype
        Where the parameters live; float64 by default (the exactness checks
        need it), float32 for speed.

    Raises
    ------
    ActionError
        A kind the output width or the group cannot have (folded outputs
        under ``S_n``), the same error as :func:`varieties.tying.tying`.
    GroupError, SpecError
        A group or spec that cannot be read.

    Examples
    --------
    >>> m = SymmetricNetwork("4,q4,q1")
    >>> [len(t) for t in m.theta], m.kind
    ([7, 4], 'invariant')
    >>> x = torch.rand(5, 4, dtype=torch.float64)
    >>> m(x).shape, m.check_equivariance(x) < 1e-12
    (torch.Size([5, 1]), True)
    """

    def __init__(self, spec: NetworkSpec | str, group="symmetric", kind: str | None = None, *,
                 full: bool = False, init_scale: float = 1.0, device=None,
                 dtype=torch.float64):
        super().__init__()
        self.spec = parse_spec(spec, full=full)
        self.group = get_group(group, self.spec.n_inputs)
        self.kind = infer_kind(self.spec, kind)
        self.plans = ly.plan_network(self.spec, self.group, self.kind)
        self.init_scale = float(init_scale)
        fk = {"device": device, "dtype": dtype}
        self.theta = torch.nn.ParameterList(
            [torch.nn.Parameter(torch.empty(p.n_params, **fk)) for p in self.plans])
        def idx(a):
            return torch.as_tensor(a, dtype=torch.int64, device=device)

        # Layers evaluated by gathering all their weights: see ly.ORBIT_DENSE_MAX_WEIGHTS.
        self._gathered = {p.l for p in self.plans if p.role == "dense" or (
            p.role == "orbit" and p.size <= ly.ORBIT_DENSE_MAX_WEIGHTS)}
        for p in self.plans:
            if p.role == "orbit" and p.l not in self._gathered:
                self._register_orbit(p, idx)
                continue
            if p.l not in self._gathered:
                self.register_buffer(f"_coef{p.l}", idx(p.coef), persistent=False)
                continue
            rows, cols, vals = ly.layer_matrix(p)
            plain = bool(np.array_equal(rows, np.arange(p.size)) and np.all(vals == 1))
            self.register_buffer(f"_cols{p.l}", idx(cols), persistent=False)
            if not plain:
                self.register_buffer(f"_rows{p.l}", idx(rows), persistent=False)
                self.register_buffer(f"_vals{p.l}", torch.as_tensor(vals, **fk),
                                     persistent=False)
            if p.n_a:
                I, J = ly.pairs(p.n_in, p.full)
                self.register_buffer(f"_I{p.l}", idx(I), persistent=False)
                self.register_buffer(f"_J{p.l}", idx(J), persistent=False)
        self.reset_parameters()

    def _register_orbit(self, p, idx) -> None:
        """Index buffers of an ``orbit`` layer: per block, neurons, permutations, colors."""
        for b, bl in enumerate(p.blocks):
            self.register_buffer(f"_ks{p.l}_{b}", idx(bl.ks.ravel()), persistent=False)
            # The representative neurons' weights: theta[offsets + local].
            self.register_buffer(f"_gather{p.l}_{b}", idx(bl.offsets[:, None] + bl.local),
                                 persistent=False)
            if bl.ks.shape[1] > 1:
                self.register_buffer(f"_perm{p.l}_{b}", idx(bl.perms), persistent=False)
            else:
                self.register_buffer(f"_local{p.l}_{b}", idx(bl.local), persistent=False)
                self.register_buffer(f"_params{p.l}_{b}",
                                     idx(bl.offsets[:, None] + np.arange(bl.m)), persistent=False)
        order = np.concatenate([bl.ks.ravel() for bl in p.blocks])
        self.register_buffer(f"_unorder{p.l}", idx(np.argsort(order)), persistent=False)
        if p.n_a:
            I, J = ly.pairs(p.n_in, False)
            self.register_buffer(f"_I{p.l}", idx(I), persistent=False)
            self.register_buffer(f"_J{p.l}", idx(J), persistent=False)

    def _orbit_layer(self, p, theta, o):
        r"""Pre-activations of an ``orbit`` layer without its dense weights.

        Neuron ``k = g.k0`` is neuron ``k0`` on the inputs ``o[:, a]`` (``a`` the
        input permutation of ``g``). Orbits of several neurons: the quadratic
        form of ``k0``'s ``n x n`` matrix on every permuted input, ``O(batch K
        n^2)`` flops and ``O(batch K n)`` memory. Single-neuron orbits (invariant
        layers): the features ``o_i o_j`` summed over each stabiliser orbit
        (``index_add_``), then times the parameters, ``O(batch stride)`` memory.
        """
        n, batch = p.n_in, o.shape[0]
        I, J = getattr(self, f"_I{p.l}", None), getattr(self, f"_J{p.l}", None)
        outs = []
        for b, bl in enumerate(p.blocks):
            nb, size = bl.ks.shape
            if size == 1:
                feats = [o[:, I] * o[:, J]] if p.n_a else []
                feats += [o] if p.n_b else []
                feats += [o.new_ones(batch, 1)] if p.n_c else []
                pooled = o.new_zeros(batch, bl.m).index_add_(
                    1, getattr(self, f"_local{p.l}_{b}"), torch.cat(feats, dim=1))
                outs.append(pooled @ theta[getattr(self, f"_params{p.l}_{b}")].T)
                continue
            W0 = theta[getattr(self, f"_gather{p.l}_{b}")]          # (nb, stride)
            y = o[:, getattr(self, f"_perm{p.l}_{b}")]              # (batch, nb, size, n)
            t = o.new_zeros(batch, nb, size)
            if p.n_a:
                t = t + ((y @ _upper(W0[:, :p.n_a], n, I, J)) * y).sum(-1)
            if p.n_b:
                t = t + torch.einsum("bgri,gi->bgr", y, W0[:, p.n_a:p.n_a + p.n_b])
            if p.n_c:
                t = t + W0[:, -1][:, None]
            outs.append(t.reshape(batch, nb * size))
        return torch.cat(outs, dim=1)[:, getattr(self, f"_unorder{p.l}")]

    # ------------------------------------------------------------------ parameters

    def reset_parameters(self) -> None:
        """Draw the parameters afresh (torch's global generator; see ``init_scale``)."""
        with torch.no_grad():
            for p, theta in zip(self.plans, self.theta):
                std = self.init_scale / np.sqrt(p.mult * max(p.per_neuron, 1))
                theta.copy_(torch.randn_like(theta)
                            * torch.as_tensor(std, dtype=theta.dtype, device=theta.device))

    def param_names(self) -> list[tuple[str, ...]]:
        """Per layer, the names of its parameters: the tying's ``params`` of that layer."""
        return [ly.param_names(p) for p in self.plans]

    @property
    def n_params(self) -> int:
        """Trainable parameters in all (the tying's ``n_free``)."""
        return sum(p.n_params for p in self.plans)

    def _dense_weights(self, p, theta):
        """``(K, stride)`` weights of a dense layer, gathered from its parameters."""
        cols = getattr(self, f"_cols{p.l}")
        if not hasattr(self, f"_rows{p.l}"):
            w = theta[cols]
        else:
            w = theta.new_zeros(p.size).index_add_(
                0, getattr(self, f"_rows{p.l}"), getattr(self, f"_vals{p.l}") * theta[cols])
        return w.view(p.layer.width, p.stride)

    def weights(self) -> torch.Tensor:
        """The full weight vector in ``spec.weights`` order, differentiable in the parameters.

        Dense: ``spec.n_weights`` entries (8.5 million for ``256,q256,q1``).
        """
        return self._assemble(list(self.theta))

    def _assemble(self, thetas) -> torch.Tensor:
        out = []
        for p, theta in zip(self.plans, thetas):
            if p.l in self._gathered:
                out.append(self._dense_weights(p, theta).reshape(-1))
            else:
                cols = torch.as_tensor(ly.layer_matrix(p)[1], device=theta.device)
                out.append(theta[cols])
        return torch.cat(out)

    def params_from_weights(self, w, tol: float = 1e-9) -> list[torch.Tensor]:
        """Per-layer parameters (float64, on the module's device) of a tied weight vector ``w``.

        ``w`` is in ``spec.weights`` order (a tensor, array or list). Raises
        :class:`~varieties.errors.MethodError` naming the worst weight unless
        ``w`` is tied: the weights rebuilt from the parameters must equal ``w``
        to ``tol * max(1, max |w|)``.
        """
        device = self.theta[0].device
        w = torch.as_tensor(w if torch.is_tensor(w) else np.asarray(w, dtype=np.float64))
        w = w.detach().to(dtype=torch.float64, device=device)
        if w.shape != (self.spec.n_weights,):
            raise MethodError(f"weight vector has shape {tuple(w.shape)}; {self.spec} has "
                              f"{self.spec.n_weights} weights (spec.weights order)")
        params, offset = [], 0
        for p in self.plans:
            rows, cols, vals = (torch.as_tensor(a, device=device) for a in ly.left_inverse(p))
            wl = w[offset:offset + p.size]
            params.append(w.new_zeros(p.n_params).index_add_(0, rows, vals * wl[cols]))
            offset += p.size
        with torch.no_grad():
            dev = (self._assemble(params) - w).abs()
        if len(dev):
            worst = int(dev.argmax())
            if not float(dev[worst]) <= tol * max(1.0, float(w.abs().max())):
                raise MethodError(
                    f"the weights are not tied for {self.group} ({self.kind}): weight "
                    f"{self.spec.weights[worst]} = {float(w[worst]):.6g} differs by "
                    f"{float(dev[worst]):.3g} from its color (tolerance {tol:g} relative); "
                    "tie them (varieties.tying) or use VarietyNetwork for weights on the variety"
                )
        return params

    def load_weights_(self, w, tol: float = 1e-9) -> "SymmetricNetwork":
        """Set the parameters from a tied weight vector (checked by :meth:`params_from_weights`)."""
        params = self.params_from_weights(w, tol)
        with torch.no_grad():
            for t, v in zip(self.theta, params):
                t.copy_(v)
        return self

    # ------------------------------------------------------------------ evaluation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(batch, n_outputs)`` of inputs ``x`` ``(batch, n_inputs)``."""
        ref = self.theta[0]
        check_input(x, self.spec.n_inputs, ref.dtype, ref.device, f"SymmetricNetwork {self.spec}")
        o = x
        for p, theta in zip(self.plans, self.theta):
            if p.role == "orbit" and p.l not in self._gathered:
                t = self._orbit_layer(p, theta, o)
            elif p.l in self._gathered:
                t = dense_layer(o, self._dense_weights(p, theta), p.n_a, p.n_b, p.n_c,
                                getattr(self, f"_I{p.l}", None), getattr(self, f"_J{p.l}", None))
            else:
                coef = getattr(self, f"_coef{p.l}")
                # Absent coefficients (index -1) read the appended zero.
                c = torch.cat([theta, theta.new_zeros(1)])[coef]
                if p.role == "equivariant":
                    t = ps.equivariant_layer(o, *c)
                else:
                    t = ps.invariant_layer(o, *c)
            o = t if p.layer.power == 1 else t ** p.layer.power
        return o

    def check_equivariance(self, x: torch.Tensor) -> float | None:
        """Largest ``|F(g x) - rho(g) F(x)|`` over the group's generators and the rows of ``x``.

        ``None`` for kind ``none``. At rounding level by construction (float64:
        below 1e-10 for outputs of moderate size).
        """
        return equivariance_error(self, self.group, self.kind, self.spec.n_outputs, x)

    def extra_repr(self) -> str:
        return (f"spec={self.spec}, group={self.group}, kind={self.kind}, "
                f"params={[p.n_params for p in self.plans]} ("
                + ", ".join(p.role for p in self.plans) + ")")
