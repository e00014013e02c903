"""`python -m explore`: Hydra-configured Optuna studies of EV designs, scored by the JAX
model in `objectives`; `load_config` gives scripts the config the command line would run,
checked; `open_results` reads what a run writes."""

from ._config import ConfigError, load_config
from ._open import ResultsError, open_results

__all__ = ["ConfigError", "ResultsError", "load_config", "open_results"]
