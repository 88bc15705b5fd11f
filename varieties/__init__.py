"""varieties: exact algebraic-variety analysis of symmetric polynomial neural networks.

Pipeline, data flowing one way: :mod:`~varieties.network` (specs) ->
:mod:`~varieties.expand` (exact expansion) -> :mod:`~varieties.groups` and
:mod:`~varieties.actions` (symmetries) -> :mod:`~varieties.constraints`
-> tyings, algebra, learning, reports.
"""

from .actions import KINDS, OutputAction, make_action
from .constraints import Constraint, ConstraintSet, constraints
from .errors import (
    ActionError,
    DataError,
    EngineError,
    GroupError,
    MethodError,
    NonlinearError,
    SpecError,
    VarietiesError,
)
from .expand import Expansion, expand
from .groups import (
    PermutationGroup,
    cyclic,
    dihedral,
    from_generators,
    get_group,
    hyperoctahedral,
    symmetric,
    trivial,
)
from .network import LayerSpec, NetworkSpec, evaluate, parse_spec

__version__ = "0.1.0"

__all__ = [
    "ActionError", "Constraint", "ConstraintSet", "DataError", "EngineError", "Expansion",
    "GroupError", "KINDS", "LayerSpec", "MethodError", "NetworkSpec", "NonlinearError",
    "OutputAction", "PermutationGroup", "SpecError", "VarietiesError", "constraints",
    "cyclic", "dihedral", "evaluate", "expand", "from_generators", "get_group",
    "hyperoctahedral", "make_action", "parse_spec", "symmetric", "trivial",
]
