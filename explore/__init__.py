"""`python -m explore`: Hydra-configured Optuna studies of EV designs, scored by the JAX
model in `objectives`.

The public surface for scripts, notebooks, benchmarks and tests:

- configs: `load_config` (the config the command line would run, checked), `ConfigError`;
- studies: `run_study`, `export` (results.nc), `front_trials`, `make_sampler` (the
  study's batch samplers), `refine` (the gradient refinement of a front, in model
  evaluations, `cost_per_start`);
- designs: `Designs` (a batch of designs of one search space: from Optuna params, drawn
  at random, chunked), `VARIABLES` (the variable table), `distributions` (a space as
  Optuna distributions), `build_vehicles` (designs to the batched model),
  `reference_vehicles` (the platform's published variants);
- figures: `Scorer` (designs to study figures and their derivatives), `FIGURES` (the figure
  table: `Figure` rows with a `Role`), `OBJECTIVES`, `study_figures`, `feasible`,
  `constraint_names`;
- fronts: `pareto_mask`, `hypervolume`, `spread`, `front_slopes` (the price of
  performance along a front);
- results: `open_results`, `ResultsError`.

Names are imported on first use, so `import explore` (and `python -m explore --help`)
does not load JAX or Optuna.
"""

import importlib
from typing import TYPE_CHECKING, Any

# The public surface for type checkers and IDEs (`name as name`: re-exported); at run time
# `__getattr__` imports each name on first use (tests/test_explore_surface.py keeps the two
# lists equal).
if TYPE_CHECKING:
    from ._config import ConfigError as ConfigError
    from ._config import load_config as load_config
    from ._designs import Designs as Designs
    from ._designs import distributions as distributions
    from ._export import export as export
    from ._figures import FIGURES as FIGURES
    from ._figures import OBJECTIVES as OBJECTIVES
    from ._figures import Figure as Figure
    from ._figures import Role as Role
    from ._figures import constraint_names as constraint_names
    from ._figures import study_figures as study_figures
    from ._front import front_slopes as front_slopes
    from ._open import ResultsError as ResultsError
    from ._open import open_results as open_results
    from ._refine import cost_per_start as cost_per_start
    from ._refine import refine as refine
    from ._results import hypervolume as hypervolume
    from ._results import pareto_mask as pareto_mask
    from ._results import spread as spread
    from ._samplers import make_sampler as make_sampler
    from ._scoring import Scorer as Scorer
    from ._scoring import feasible as feasible
    from ._study import REFINE_EVALUATIONS_ATTR as REFINE_EVALUATIONS_ATTR
    from ._study import front_trials as front_trials
    from ._study import run_study as run_study
    from ._variables import VARIABLES as VARIABLES
    from ._vehicles import build_vehicles as build_vehicles
    from ._vehicles import reference_vehicles as reference_vehicles

_WHERE = {
    "ConfigError": "_config",
    "load_config": "_config",
    "ResultsError": "_open",
    "open_results": "_open",
    "REFINE_EVALUATIONS_ATTR": "_study",
    "front_trials": "_study",
    "run_study": "_study",
    "export": "_export",
    "cost_per_start": "_refine",
    "refine": "_refine",
    "Scorer": "_scoring",
    "feasible": "_scoring",
    "Designs": "_designs",
    "distributions": "_designs",
    "VARIABLES": "_variables",
    "build_vehicles": "_vehicles",
    "reference_vehicles": "_vehicles",
    "make_sampler": "_samplers",
    "FIGURES": "_figures",
    "OBJECTIVES": "_figures",
    "Figure": "_figures",
    "Role": "_figures",
    "constraint_names": "_figures",
    "study_figures": "_figures",
    "front_slopes": "_front",
    "hypervolume": "_results",
    "pareto_mask": "_results",
    "spread": "_results",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'explore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
