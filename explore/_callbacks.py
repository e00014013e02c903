"""Hydra callback: at the end of a sweep, draw the fronts of all its jobs in one figure, and
report the jobs that failed (exit code 2)."""

import logging
import os
import sys
from typing import Any

import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

log = logging.getLogger(__name__)
SWEEP_FIGURE = "pareto.png"
FAILED = "error.txt"  # in a sweep job's directory: the job's error line (`explore.__main__.fail`)


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
        else:
            path = sweep_figure(ds, os.path.join(sweep_dir, SWEEP_FIGURE))
            log.info("wrote %s", path)
        failed = failed_jobs(sweep_dir)
        if failed:
            jobs = len([d for d in os.listdir(sweep_dir) if os.path.isdir(os.path.join(sweep_dir, d, ".hydra"))])
            named = "; ".join(f"job {job} ({' '.join(overrides)})" for job, overrides in failed)
            print(
                f"error: {len(failed)} of {jobs} jobs of the sweep failed (their error lines are above): {named}",
                file=sys.stderr,
            )
            sys.exit(2)


def failed_jobs(sweep_dir: str) -> list[tuple[str, list[str]]]:
    """(job directory name, its overrides) of every job of `sweep_dir` that ended with an
    error line (`error.txt`, written by `explore.__main__.fail`), in job order."""
    out = []
    for name in sorted(os.listdir(sweep_dir), key=lambda d: (len(d), d)):
        job = os.path.join(sweep_dir, name)
        if os.path.isfile(os.path.join(job, FAILED)):
            try:
                with open(os.path.join(job, ".hydra", "overrides.yaml")) as f:
                    overrides = [str(o) for o in yaml.safe_load(f) or []]
            except OSError:
                overrides = []
            out.append((name, overrides))
    return out
