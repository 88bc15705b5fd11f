"""varieties: exact algebraic-variety analysis of symmetric polynomial neural networks.

Pipeline, data flowing one way: :mod:`~varieties.network` (specs) ->
:mod:`~varieties.expand` (exact expansion) -> :mod:`~varieties.groups` and
:mod:`~varieties.actions` (symmetries) -> :mod:`~varieties.constraints`
-> :mod:`~varieties.tying` -> :mod:`~varieties.algebra` -> :mod:`~varieties.learn`
-> :mod:`~varieties.sweep` and :mod:`~varieties.results`. The torch modules
(:mod:`~varieties.nn`, the ``torch`` extra) are not imported here.
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
from .tying import Tying, tying
from .algebra import VarietyReport, analyze, function_dim, groebner, krull_dimension
from .algebra import NeurovarietyResult, neurovariety
from .learn import TrainResult, invariance_error, synthetic_data, train
from .sweep import SweepResult, load_config, run_sweep
from . import results

# ``varieties.report`` was renamed ``varieties.results``; the old name stays
# reachable for one release, importing the warning shim only when asked for.
def __getattr__(name):
    if name == "report":
        import importlib

        return importlib.import_module(".report", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "ActionError", "Constraint", "ConstraintSet", "DataError", "EngineError", "Expansion",
    "GroupError", "KINDS", "LayerSpec", "MethodError", "NetworkSpec", "NonlinearError",
    "OutputAction", "PermutationGroup", "SpecError", "TrainResult", "Tying", "VarietiesError",
    "VarietyReport", "analyze", "constraints", "function_dim", "groebner", "invariance_error",
    "NeurovarietyResult", "neurovariety",
    "krull_dimension", "load_config", "results", "run_sweep", "SweepResult", "synthetic_data",
    "train", "tying",
    "cyclic", "dihedral", "evaluate", "expand", "from_generators", "get_group",
    "hyperoctahedral", "make_action", "parse_spec", "symmetric", "trivial",
]
