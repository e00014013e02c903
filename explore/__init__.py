"""`python -m explore`: Hydra-configured Optuna studies of EV designs, scored by the JAX
model in `objectives`.

The public surface for scripts, notebooks and benchmarks:

- configs: `load_config` (the config the command line would run, checked), `ConfigError`;
- studies: `run_study`, `export` (results.nc), `front_trials`, `refine` (the gradient
  refinement of a front, in model evaluations, `cost_per_start`);
- designs and figures: `Scorer` (designs to study figures), `columns` (Optuna params to
  columns), `random_designs`, `build_vehicles`, `feasible`, `constraint_names`, `FIGURES`
  (the figure table) and `Figure`;
- fronts: `pareto_mask`, `hypervolume`;
- results: `open_results`, `ResultsError`.

Names are imported on first use, so `import explore` (and `python -m explore --help`)
does not load JAX or Optuna.
"""

import importlib

_WHERE = {
    "ConfigError": "_config",
    "load_config": "_config",
    "ResultsError": "_open",
    "open_results": "_open",
    "run_study": "_study",
    "front_trials": "_study",
    "REFINE_EVALUATIONS_ATTR": "_study",
    "export": "_export",
    "refine": "_refine",
    "cost_per_start": "_refine",
    "Scorer": "_scoring",
    "feasible": "_scoring",
    "columns": "_columns",
    "random_designs": "_columns",
    "build_vehicles": "_vehicles",
    "FIGURES": "_figures",
    "Figure": "_figures",
    "constraint_names": "_figures",
    "pareto_mask": "_results",
    "hypervolume": "_results",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'explore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
