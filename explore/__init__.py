"""`python -m explore`: Hydra-configured Optuna studies of EV designs, scored by the JAX
model in `objectives`; `open_results` reads what they write."""

from ._open import ResultsError, open_results

__all__ = ["ResultsError", "open_results"]
