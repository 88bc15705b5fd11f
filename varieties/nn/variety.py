r"""``VarietyNetwork``: all the weights as parameters, kept on the variety of whole-network symmetry.

The variety ``V = {w : c(w) = 0}`` of the symmetry constraints of
:func:`varieties.constraints.constraints` is nonlinear (it contains the tied
subspace and more: relabelled hidden neurons, sign flips under even powers).
A :class:`VarietyNetwork` holds one flat ``Parameter`` ``weight`` in
``spec.weights`` order, starts on ``V`` (random tied weights, or a given
``w0`` on ``V``), and offers three ways to stay there with any torch
optimizer:

* :meth:`~VarietyNetwork.project_grad_` (or :meth:`~VarietyNetwork.register_tangent_hook`)
  projects the gradient onto the tangent space ``ker J(w)``;
* :meth:`~VarietyNetwork.project_` retracts the weights onto ``V`` by
  Gauss-Newton, as :mod:`varieties.learn.projected` does;
* :class:`ProjectedOptimizer` wraps an optimizer: the gradient and the
  optimizer's update are projected, the step is taken and retracted -- the
  projected method of :func:`varieties.learn.train`.

All of it runs on the module's device (:mod:`varieties.nn.projection`); the
constraints are evaluated in float64 whatever the module's dtype. Floating
point: in float64 the invariance error stays below 1e-9 after any number of
steps plus :meth:`~VarietyNetwork.project_` (outputs of moderate size); in
float32 the weights are rounded to float32 after the float64 retraction, so
the residual is about 1e-7.

The constraints are expanded exactly, which limits this to small networks
(``8,q8,q1``: 617 constraints on 405 weights, about a second to build).
"""

from __future__ import annotations

import torch

from ..errors import MethodError
from ..groups import get_group
from ..learn import numpy_backend as nb
from ..learn.projected import check_on_variety, compile_constraints
from ..network import NetworkSpec, iter_layers, parse_spec
from . import layers as ly
from . import projection as pj
from .functional import check_input, dense_layer, equivariance_error, infer_kind


class VarietyNetwork(torch.nn.Module):
    """A quadratic network with every weight a parameter, kept on the symmetric variety.

    Parameters
    ----------
    spec, group, kind, full
        As for :class:`~varieties.nn.SymmetricNetwork` (``kind=None`` infers
        invariant for one output, equivariant for ``n``).
    w0 : array-like or tensor, optional
        Start weights (``spec.weights`` order) on the variety (relative
        residual at most 1e-10, else :class:`~varieties.errors.MethodError`).
        By default random tied weights ``M theta`` with ``theta`` normal of
        standard deviation ``init_scale`` (torch's global generator).
    device, dtype
        Where the weights live; float64 by default.

    Examples
    --------
    >>> m = VarietyNetwork("3,q3,q1")
    >>> x = torch.rand(16, 3, dtype=torch.float64)
    >>> opt = ProjectedOptimizer(torch.optim.SGD(m.parameters(), lr=0.05), m)
    >>> for _ in range(3):
    ...     opt.zero_grad(); (m(x) ** 2).mean().backward(); _ = opt.step()
    >>> m.residual() < 1e-12, m.check_equivariance(x) < 1e-10
    (True, True)
    """

    def __init__(self, spec: NetworkSpec | str, group="symmetric", kind: str | None = None, *,
                 full: bool = False, w0=None, init_scale: float = 0.3, device=None,
                 dtype=torch.float64):
        super().__init__()
        self.spec = parse_spec(spec, full=full)
        self.group = get_group(group, self.spec.n_inputs)
        self.kind = infer_kind(self.spec, kind)
        self._cc = compile_constraints(self.spec, self.group, self.kind, full=self.spec.full)
        self._tc = None
        if w0 is None:
            from ..tying import tying

            M = torch.as_tensor(tying(self.spec, self.group, self.kind, full=self.spec.full)
                                .matrix(), dtype=torch.float64)
            w = M @ (init_scale * torch.randn(M.shape[1], dtype=torch.float64))
        else:
            w0 = w0.detach().cpu().double().numpy() if torch.is_tensor(w0) else w0
            w = nb.check_finite(nb.check_weights(self.spec, w0), "w0",
                                "give finite start weights or omit w0")
            check_on_variety(self._cc, w)
            w = torch.as_tensor(w)
        self.weight = torch.nn.Parameter(w.to(device=device, dtype=dtype))
        self._layers = []
        offset = 0
        for l, layer, p in iter_layers(self.spec):
            size = layer.n_weights(p, self.spec.full)
            dims = layer.part_sizes(p, self.spec.full)
            self._layers.append((l, layer, offset, size, dims))
            if layer.has_quadratic:
                I, J = ly.pairs(p, self.spec.full)
                self.register_buffer(f"_I{l}", torch.as_tensor(I, device=device), persistent=False)
                self.register_buffer(f"_J{l}", torch.as_tensor(J, device=device), persistent=False)
            offset += size

    # ------------------------------------------------------------------ evaluation

    def weights(self) -> torch.Tensor:
        """The weight vector (the parameter itself), ``spec.weights`` order."""
        return self.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(batch, n_outputs)`` of inputs ``x`` ``(batch, n_inputs)``."""
        check_input(x, self.spec.n_inputs, self.weight.dtype, self.weight.device,
                    f"VarietyNetwork {self.spec}")
        o = x
        for l, layer, offset, size, (n_a, n_b, n_c) in self._layers:
            W = self.weight[offset:offset + size].view(layer.width, -1)
            t = dense_layer(o, W, n_a, n_b, n_c, getattr(self, f"_I{l}", None),
                            getattr(self, f"_J{l}", None))
            o = t if layer.power == 1 else t ** layer.power
        return o

    def check_equivariance(self, x: torch.Tensor) -> float | None:
        """Largest ``|F(g x) - rho(g) F(x)|`` over the group's generators and the rows of ``x``."""
        return equivariance_error(self, self.group, self.kind, self.spec.n_outputs, x)

    # ------------------------------------------------------------------ the variety

    @property
    def constraints(self) -> pj.TorchConstraints:
        """The constraints as float64 tensors on the weights' device (moved when it changes)."""
        dev = self.weight.device
        if self._tc is None:
            self._tc = pj.TorchConstraints(self._cc, dev)
        self._tc = self._tc.to(dev)
        return self._tc

    def residual(self) -> float:
        """Relative constraint residual of the weights (0 on the variety, up to rounding)."""
        return float(self.constraints.residual(self.weight.detach()))

    def tangent_rows(self) -> torch.Tensor:
        """Orthonormal (or zero) rows spanning the normal space at the weights (float64)."""
        tc = self.constraints
        return pj.tangent_basis(tc.jacobian(self.weight.detach()))

    def project_grad_(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        """Project ``weight.grad`` onto the tangent space in place; returns the normal rows used."""
        rows = self.tangent_rows() if rows is None else rows
        g = self.weight.grad
        if g is not None:
            g.copy_(pj.project(g.to(rows.dtype), rows).to(g.dtype))
        return rows

    def register_tangent_hook(self):
        """A gradient hook projecting every gradient of ``weight`` onto the tangent space.

        Returns the handle (``handle.remove()`` undoes it). The projection is at
        the weights when the gradient arrives, i.e. before the optimizer step.
        """
        def hook(grad):
            return pj.project(grad.to(torch.float64), self.tangent_rows()).to(grad.dtype)

        return self.weight.register_hook(hook)

    def project_(self, tol: float = 1e-10, max_iter: int = 30) -> float:
        """Retract the weights onto the variety (Gauss-Newton); returns the residual.

        Raises :class:`~varieties.errors.MethodError` naming the residual when
        the retraction ends above ``tol`` (relative); the weights then stay
        where they were.
        """
        with torch.no_grad():
            new, r, it = pj.retract(self.constraints, self.weight.detach(), max_iter=max_iter)
            if not r <= tol:
                raise MethodError(
                    f"the Gauss-Newton retraction did not converge: constraint residual "
                    f"{r:.3g} after {it} iterations (tolerance {tol:g}); the weights are "
                    "unchanged (lower the learning rate, or project after every step)"
                )
            self.weight.copy_(new.to(self.weight.dtype))
        return r

    def extra_repr(self) -> str:
        return (f"spec={self.spec}, group={self.group}, kind={self.kind}, "
                f"weights={self.spec.n_weights}, constraints={self._cc.n_polys}")


class ProjectedOptimizer:
    """Wrap a torch optimizer so that its steps keep :class:`VarietyNetwork` modules on the variety.

    :meth:`step` projects each module's gradient onto the tangent space at its
    weights, lets the optimizer step, projects the update ``w_new - w`` onto
    the same tangent space and retracts (:meth:`VarietyNetwork.project_`).
    With Adam this is the projected method of :func:`varieties.learn.train`.
    When a retraction fails, every wrapped module's weights go back to where
    they were before the step and the :class:`~varieties.errors.MethodError`
    propagates. The other optimizer methods pass through.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, *modules: VarietyNetwork,
                 tol: float = 1e-10):
        if not modules or not all(isinstance(m, VarietyNetwork) for m in modules):
            raise MethodError("ProjectedOptimizer needs one or more VarietyNetwork modules "
                              "after the optimizer, e.g. ProjectedOptimizer(opt, net)")
        self.optimizer, self.modules, self.tol = optimizer, modules, tol

    def __getattr__(self, name):
        # Only for names this wrapper lacks (param_groups, state, ...); never for its own.
        if name in ("optimizer", "modules", "tol"):
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self, closure=None):
        saved = [(m, m.weight.detach().clone(), m.project_grad_()) for m in self.modules]
        loss = self.optimizer.step(closure)
        with torch.no_grad():
            try:
                for m, w_old, rows in saved:
                    u = (m.weight.detach() - w_old).to(rows.dtype)
                    m.weight.copy_((w_old.to(rows.dtype) + pj.project(u, rows)).to(w_old.dtype))
                    m.project_(self.tol)
            except MethodError:
                for m, w_old, _ in saved:
                    m.weight.copy_(w_old)
                raise
        return loss
