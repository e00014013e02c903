"""Optuna samplers from config, always seeded."""

import warnings

import optuna

from ._config import SamplerName


class _BatchGenerations:
    """Generation bookkeeping of Optuna's genetic samplers, memoised between tells.

    Optuna works out a new trial's generation, its parent population and the search space
    by scanning completed trials, once per trial asked: O(n^2) over a study (20 s of
    bookkeeping for 10,000 trials). All three only change when a trial is told, so here
    they are computed once and reused until the next `after_trial`. The trials sampled
    are the same (tested).
    Only valid when this process is the only one telling trials (in-memory storage).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._told = 0
        self._memo = {}

    def get_trial_generation(self, study, trial):
        key = self._get_generation_key()
        if key in trial.system_attrs:
            return trial.system_attrs[key]
        memo = ("generation", self._told)
        if memo not in self._memo:
            self._memo = {memo: super().get_trial_generation(study, trial)}  # sets the attr too
            return self._memo[memo]
        study._storage.set_trial_system_attr(trial._trial_id, key, self._memo[memo])
        return self._memo[memo]

    def infer_relative_search_space(self, study, trial):
        memo = ("space", self._told)
        if memo not in self._memo:
            self._memo[memo] = super().infer_relative_search_space(study, trial)
        return dict(self._memo[memo])

    def get_parent_population(self, study, generation):
        memo = ("parents", generation, self._told)
        if memo not in self._memo:
            self._memo[memo] = super().get_parent_population(study, generation)
        return self._memo[memo]

    def after_trial(self, study, trial, state, values):
        self._told += 1
        super().after_trial(study, trial, state, values)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_memo"] = {}  # trials of this process; rebuilt on demand
        return state


class BatchNSGAIISampler(_BatchGenerations, optuna.samplers.NSGAIISampler):
    """`optuna.samplers.NSGAIISampler` with memoised generation bookkeeping."""


class BatchNSGAIIISampler(_BatchGenerations, optuna.samplers.NSGAIIISampler):
    """`optuna.samplers.NSGAIIISampler` with memoised generation bookkeeping."""


def make_sampler(cfg, seed, batch_size, shared=False):
    """The sampler named by `cfg` (a SamplerConfig) seeded with `seed` (int).

    Genetic samplers take one batch as their population unless `population_size` is set.
    With a `shared` storage (other workers tell trials too) Optuna's own genetic samplers
    are used, whose bookkeeping sees every worker's trials.
    """
    with warnings.catch_warnings():  # NSGA-III and QMC are marked experimental in Optuna 5
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return _make_sampler(cfg, seed, batch_size, shared)


def _make_sampler(cfg, seed, batch_size, shared):
    name = cfg.name
    if name in (SamplerName.nsga2, SamplerName.nsga3):
        ga = {
            "population_size": cfg.population_size or batch_size,
            "mutation_prob": cfg.mutation_prob,
            "crossover_prob": cfg.crossover_prob,
            "swapping_prob": cfg.swapping_prob,
            "seed": seed,
        }
        if name is SamplerName.nsga2:
            return (optuna.samplers.NSGAIISampler if shared else BatchNSGAIISampler)(**ga)
        return (optuna.samplers.NSGAIIISampler if shared else BatchNSGAIIISampler)(**ga)
    if name is SamplerName.tpe:
        return optuna.samplers.TPESampler(
            n_startup_trials=cfg.n_startup_trials,
            multivariate=cfg.multivariate,
            constant_liar=cfg.constant_liar,
            seed=seed,
        )
    if name is SamplerName.random:
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.QMCSampler(qmc_type=cfg.qmc_type, scramble=cfg.scramble, seed=seed)
