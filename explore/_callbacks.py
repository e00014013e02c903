"""Hydra callback: at the end of a sweep, draw the fronts of all its jobs in one figure."""

import logging
import os
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

log = logging.getLogger(__name__)
SWEEP_FIGURE = "pareto.png"


class SweepFronts(Callback):
    """Writes `<sweep dir>/pareto.png` with every job's front when a multirun ends."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from ._open import ResultsError, open_results
        from ._plots import sweep_figure

        sweep_dir = config.hydra.sweep.dir
        try:
            ds = open_results(sweep_dir)
        except ResultsError as e:  # every job failed: nothing to draw
            log.warning("no sweep figure: %s", e)
            return
        path = sweep_figure(ds, os.path.join(sweep_dir, SWEEP_FIGURE))
        log.info("wrote %s", path)
