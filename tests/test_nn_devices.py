"""Every tensor of the torch modules and of the projected step stays on the weights' device.

Without a GPU the CUDA tests skip; these run the same code on torch's ``meta`` device, where
tensors have shapes but no data and any operation mixing in a CPU tensor raises ("Tensor on
device cpu is not on the expected device meta"), which is what CUDA would raise. Steps that
read a value on the host (the retraction's convergence test, ``.item()``) cannot run there;
everything before them does.
"""

from __future__ import annotations

import pytest

from conftest import needs_torch, torch

pytestmark = [pytest.mark.torch, needs_torch]

CASES = [("4,q4,q1", "symmetric", "invariant"), ("4,q4,q1", "cyclic", "invariant"),
         ("4,q2,q4", "dihedral", "equivariant"), ("4,q4,q2,q1", "hyperoctahedral", "invariant"),
         ("3,q3,q3", "symmetric", "equivariant"), ("2,q2^2,l1", "symmetric", "invariant")]


def test_the_meta_device_refuses_cpu_tensors():
    """The premise: a CPU tensor in a meta computation raises, as it would on CUDA."""
    with pytest.raises(RuntimeError, match="device"):
        torch.ones(3, 3, device="meta") @ torch.ones(3)


@pytest.mark.parametrize("spec,group,kind", CASES)
def test_symmetric_network_forward_and_backward_stay_on_the_device(spec, group, kind):
    from varieties.nn import SymmetricNetwork

    m = SymmetricNetwork(spec, group, kind=kind).double().to("meta")
    x = torch.empty(7, m.spec.n_inputs, dtype=torch.float64, device="meta")
    y = m(x)
    assert y.device.type == "meta" and y.shape == (7, m.spec.n_outputs)
    y.sum().backward()
    assert all(p.grad is not None and p.grad.device.type == "meta" for p in m.parameters())
    assert m.weights().device.type == "meta"


@pytest.mark.parametrize("spec,group,kind", CASES[:4])
def test_variety_network_step_stays_on_the_device(spec, group, kind):
    """Forward, backward, the constraint values and Jacobian, the tangent projection of the
    gradient (hook and explicit) and the least-squares step of the retraction."""
    from varieties.nn import VarietyNetwork
    from varieties.nn import projection as pj

    m = VarietyNetwork(spec, group, kind=kind).double().to("meta")
    x = torch.empty(5, m.spec.n_inputs, dtype=torch.float64, device="meta")
    m(x).sum().backward()
    rows = m.tangent_rows()
    g = m.project_grad_(rows)
    assert rows.device.type == g.device.type == "meta"
    tc = m.constraints
    w = m.weights().detach()
    v, sc = tc.values_and_scale(w)
    step = pj.lstsq(tc.jacobian(w), v, 1e-6)
    assert {v.device.type, sc.device.type, step.device.type, tc.residual(w).device.type} == {"meta"}
    handle = m.register_tangent_hook()
    m.zero_grad()
    m(x).sum().backward()
    assert all(p.grad.device.type == "meta" for p in m.parameters())
    handle.remove()
