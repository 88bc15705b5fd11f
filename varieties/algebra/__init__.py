"""The variety of symmetric weights: Groebner bases, dimension with certificates,
components, numerical census and function-space dimension.

Main entry point: :func:`analyze` -> :class:`VarietyReport`.
"""

from .analyze import METHODS, analyze
from .census import CensusResult, census
from .components import ComponentsResult, minimal_primes
from .engines import (ENGINES, EngineResult, System, available_engines, check_prime,
                      msolve_binary, run_elimination, run_groebner, singular_binary)
from .exclusions import PRESETS, exclusion_poly
from .factor_images import Rank2Image, rank2_image
from .families import Family, families
from .function_dim import expected_neurovariety_dim, function_dim, function_dim_float
from .neurovariety import NeurovarietyResult, neurovariety
from .hidden_normal_form import HiddenNormalFormBounds, hidden_normal_form_bounds
from .deep_normal_form import deep_normal_form_bounds
from .normal_form import NormalFormBounds, normal_form_bounds
from .groebner import GroebnerResult, elimination, groebner, krull_dimension
from .variety_report import CERTAINTIES, VarietyReport
from .slicing import SliceBounds, slice_bounds, slice_test
from .system import Problem, build_problem, variable_order

__all__ = [
    "CERTAINTIES", "CensusResult", "ComponentsResult", "ENGINES", "EngineResult", "Family",
    "GroebnerResult",
    "METHODS", "PRESETS", "Problem", "SliceBounds", "System", "VarietyReport", "analyze",
    "available_engines", "build_problem", "census", "check_prime", "elimination",
    "exclusion_poly", "expected_neurovariety_dim", "families", "function_dim",
    "function_dim_float", "groebner", "krull_dimension", "minimal_primes", "msolve_binary",
    "NeurovarietyResult", "neurovariety", "NormalFormBounds", "normal_form_bounds",
    "HiddenNormalFormBounds", "hidden_normal_form_bounds", "deep_normal_form_bounds",
    "Rank2Image", "rank2_image",
    "run_elimination", "run_groebner", "singular_binary", "slice_bounds",
    "slice_test", "variable_order",
]
