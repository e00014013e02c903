"""Differentiable JAX model of an electric vehicle, and the objectives of a design study.

Everything is SI inside; names at the boundaries carry their units. All functions are
pure over immutable pytrees and are jit, vmap and grad compatible.
"""

from importlib.metadata import PackageNotFoundError, version

from . import _units as units
from ._battery import CELLS, PACK_MASS_FACTOR, Cell, Pack
from ._cache import Program, enable_compilation_cache
from ._constants import MOTOR_TYPES, Constant
from ._constants import table as constants_table
from ._consumption import cycle_energy, cycle_trace, step_powers
from ._cycles import CYCLE_NAMES, Cycle, load_cycle
from ._evaluate import REASONS, describe_infeasible, pack_figures, score, score_one
from ._gearing import Axle, Gearbox, with_second_gear
from ._motor import AbstractMotor, SynchronousMotor, motor_of_type
from ._performance import accel_run, accel_time, sustained_speed, top_speed
from ._predict import SpecFileError, common_structure, load_specs, reference_specs
from ._pytree import stack, unstack
from ._spec import SpecError, spec_tyre_fields, vehicle_from_spec
from ._tyre import CATEGORIES, LABEL_CLASSES, Tyre, parse_size, tyre
from ._vehicle import Body, Vehicle

try:
    __version__ = version("ev-explore")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "CATEGORIES",
    "CELLS",
    "CYCLE_NAMES",
    "LABEL_CLASSES",
    "MOTOR_TYPES",
    "PACK_MASS_FACTOR",
    "REASONS",
    "AbstractMotor",
    "Axle",
    "Body",
    "Cell",
    "Constant",
    "Cycle",
    "Gearbox",
    "Pack",
    "Program",
    "SpecError",
    "SpecFileError",
    "SynchronousMotor",
    "Tyre",
    "Vehicle",
    "accel_run",
    "accel_time",
    "common_structure",
    "constants_table",
    "cycle_energy",
    "cycle_trace",
    "describe_infeasible",
    "enable_compilation_cache",
    "load_cycle",
    "load_specs",
    "motor_of_type",
    "pack_figures",
    "parse_size",
    "reference_specs",
    "score",
    "score_one",
    "spec_tyre_fields",
    "stack",
    "step_powers",
    "sustained_speed",
    "top_speed",
    "tyre",
    "units",
    "unstack",
    "vehicle_from_spec",
    "with_second_gear",
]
