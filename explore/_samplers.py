"""Optuna samplers from config, always seeded."""

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from ._config import GeneticSamplerConfig, QMCSamplerConfig, SamplerConfig, SamplerName, TPESamplerConfig

# What `_BatchGenerations` is mixed into, for type checkers: NSGA-II or NSGA-III (the same
# methods); at run time a plain mixin.
if TYPE_CHECKING:
    _GeneticSampler = optuna.samplers.NSGAIISampler
else:
    _GeneticSampler = object


class _BatchGenerations(_GeneticSampler):
    """Search space and parent population of Optuna's genetic samplers, memoised between tells.

    Optuna works out a new trial's search space and its parent population by scanning the
    study's trials, once per trial asked: O(n^2) over a study. Both only change when a
    trial is told, so here they are computed once and reused until the next `after_trial`
    (through the samplers' public methods; the generation of a trial is Optuna's own,
    which it keeps incrementally). The trials sampled are the same (tested).
    Only valid when this process is the only one telling trials (in-memory storage).
    """

    def __init__(self, search_space: dict[str, BaseDistribution] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._memo: dict[str | tuple[str, int], Any] = {}
        # Every trial of the study asked with these distributions: the intersection search
        # space Optuna would work out (less single-valued ones, sorted by name) is known, and
        # a sampler new to the study need not rebuild it from every trial.
        self._space = None if search_space is None else dict(sorted(search_space.items()))

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        if self._space is not None:
            return {name: d for name, d in self._space.items() if not d.single()}
        if "space" not in self._memo:
            self._memo["space"] = super().infer_relative_search_space(study, trial)
        return dict(self._memo["space"])

    def get_parent_population(self, study: optuna.Study, generation: int) -> list[FrozenTrial]:
        memo = ("parents", generation)
        if memo not in self._memo:
            self._memo[memo] = super().get_parent_population(study, generation)
        return self._memo[memo]

    def after_trial(
        self, study: optuna.Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None
    ) -> None:
        self._memo = {}
        super().after_trial(study, trial, state, values)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_memo"] = {}  # trials of this process; rebuilt on demand
        return state


class BatchChildren:
    """NSGA-II's child generation (Optuna's default strategy: binary tournaments under
    constrained domination, uniform crossover, mutation by leaving a parameter to the
    sampler's independent draw), a whole population's children at once.

    Optuna's own strategy draws each child in Python from the parent trials (tournaments
    that compare FrozenTrials, parents removed from a copied list: ~0.6 ms a child, 5 s of
    the default run). Here the parents' values, constraint violations and parameters are
    read into arrays once per parent population and `batch` children are drawn with numpy;
    each call of the strategy (Optuna's public `child_generation_strategy` hook) hands out
    the next. The children are distributed as Optuna's are (tested), not the same draws.
    """

    _key: tuple[tuple[int, ...], tuple[str, ...]] | None  # the parents and space of `_children`
    _children: list[dict[str, Any]]

    def __init__(
        self,
        *,
        crossover_prob: float,
        swapping_prob: float,
        mutation_prob: float | None,
        batch: int,
        seed: int | np.random.SeedSequence | None,
    ) -> None:
        for name, p in (
            ("crossover_prob", crossover_prob),
            ("swapping_prob", swapping_prob),
            ("mutation_prob", mutation_prob),
        ):
            if p is not None and not 0.0 <= p <= 1.0:
                raise ValueError(f"`sampler.{name}` must be within [0, 1], got {p!r}")
        self.crossover_prob, self.swapping_prob, self.mutation_prob = crossover_prob, swapping_prob, mutation_prob
        self.batch = max(1, int(batch))
        self.rng = np.random.default_rng(seed)
        self._key, self._children = None, []

    def __call__(
        self, study: optuna.Study, search_space: dict[str, BaseDistribution], parent_population: list[FrozenTrial]
    ) -> dict[str, Any]:
        key = (tuple(t.number for t in parent_population), tuple(search_space))
        if key != self._key or not self._children:
            self._key = key
            self._children = self._draw(study, list(search_space), parent_population)
        return self._children.pop()

    def _draw(self, study: optuna.Study, names: list[str], parents: list[FrozenTrial]) -> list[dict[str, Any]]:
        rng, n, k = self.rng, len(parents), self.batch
        sign = np.array([1.0 if d == optuna.study.StudyDirection.MINIMIZE else -1.0 for d in study.directions])
        values = np.array([t.values for t in parents], float) * sign  # all minimised
        violation = np.array([sum(v for v in t.constraints.values() if v > 0) for t in parents], float)
        feasible = violation <= 0.0

        # constrained domination of parent i over parent j (arrays of indices)
        def dominates(i: np.ndarray, j: np.ndarray) -> np.ndarray:
            a, b = values[i], values[j]
            pareto = np.all(a <= b, axis=1) & np.any(a < b, axis=1)
            both = feasible[i] & feasible[j]
            return np.where(both, pareto, np.where(feasible[i] | feasible[j], feasible[i], violation[i] < violation[j]))

        def tournament(exclude: np.ndarray | None = None) -> np.ndarray:
            draw = [rng.integers(0, n - (exclude is not None), k) for _ in range(2)]
            if exclude is not None:  # drawn from the population without the first parent
                draw = [d + (d >= exclude) for d in draw]
            return np.where(dominates(draw[0], draw[1]), draw[0], draw[1])

        first = tournament()
        second = tournament(first) if n > 1 else first
        swap = rng.random((k, len(names))) >= self.swapping_prob  # the second parent's value, as Optuna's
        crossed = rng.random(k) < self.crossover_prob
        single = rng.integers(0, n, k)  # children that copy one parent
        source_a = np.where(crossed[:, None], np.where(swap, second[:, None], first[:, None]), single[:, None])
        mutation = self.mutation_prob if self.mutation_prob is not None else 1.0 / max(1, len(names))
        keep = rng.random((k, len(names))) >= mutation
        params = [t.params for t in parents]
        return [
            {name: params[source_a[c, j]][name] for j, name in enumerate(names) if keep[c, j]}
            for c in reversed(range(k))
        ]


class BatchNSGAIISampler(_BatchGenerations, optuna.samplers.NSGAIISampler):
    """`optuna.samplers.NSGAIISampler` with memoised generation bookkeeping."""


class BatchNSGAIIISampler(_BatchGenerations, optuna.samplers.NSGAIIISampler):
    """`optuna.samplers.NSGAIIISampler` with memoised generation bookkeeping."""


def make_sampler(
    cfg: SamplerConfig,
    seed: int,
    batch_size: int,
    shared: bool = False,
    batch: int | None = None,
    search_space: dict[str, BaseDistribution] | None = None,
) -> optuna.samplers.BaseSampler:
    """The sampler named by `cfg` (a SamplerConfig) seeded with `seed` (int).

    Genetic samplers take one batch as their population unless `population_size` is set.
    With a `shared` storage (other workers tell trials too) Optuna's own genetic samplers
    are used, whose bookkeeping sees every worker's trials.

    `batch`: the sampler of the study's batch number `batch` alone, drawing from a stream of
    its own (`SeedSequence([seed, batch])`). A run that takes a new one for every batch
    carries no sampler state from batch to batch but what the study holds (the trials,
    NSGA-II's parent populations, QMC's position in its sequence), so a resumed run samples
    what an uninterrupted one does. QMC keeps `seed`'s scrambling in every batch: one
    sequence over the study. `search_space`: the distributions every trial is asked with,
    if known (the genetic samplers then skip working it out from the study's trials).
    """
    if batch is not None and cfg.name is not SamplerName.qmc:
        seed = int(np.random.SeedSequence([seed, batch]).generate_state(1)[0])
    with warnings.catch_warnings():  # NSGA-III and QMC are marked experimental in Optuna 5
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return _make_sampler(cfg, seed, batch_size, shared, search_space)


def _make_sampler(
    cfg: SamplerConfig,
    seed: int,
    batch_size: int,
    shared: bool,
    search_space: dict[str, BaseDistribution] | None,
) -> optuna.samplers.BaseSampler:
    name = cfg.name
    if name in (SamplerName.nsga2, SamplerName.nsga3):
        cfg = cast(GeneticSamplerConfig, cfg)  # each sampler name has its schema (SAMPLER_SCHEMAS)
        population = cfg.population_size or batch_size
        ga: dict[str, Any] = {
            "population_size": population,
            "mutation_prob": cfg.mutation_prob,
            "crossover_prob": cfg.crossover_prob,
            "swapping_prob": cfg.swapping_prob,
            "seed": seed,
        }
        if not shared:
            ga["child_generation_strategy"] = BatchChildren(
                crossover_prob=cfg.crossover_prob,
                swapping_prob=cfg.swapping_prob,
                mutation_prob=cfg.mutation_prob,
                batch=population,
                seed=np.random.SeedSequence([seed, 1]),
            )
        nsga2 = name is SamplerName.nsga2
        if shared:
            return (optuna.samplers.NSGAIISampler if nsga2 else optuna.samplers.NSGAIIISampler)(**ga)
        return (BatchNSGAIISampler if nsga2 else BatchNSGAIIISampler)(search_space=search_space, **ga)
    if name is SamplerName.tpe:
        cfg = cast(TPESamplerConfig, cfg)
        return optuna.samplers.TPESampler(
            n_startup_trials=cfg.n_startup_trials,
            multivariate=cfg.multivariate,
            constant_liar=cfg.constant_liar,
            seed=seed,
        )
    if name is SamplerName.random:
        return optuna.samplers.RandomSampler(seed=seed)
    cfg = cast(QMCSamplerConfig, cfg)
    return optuna.samplers.QMCSampler(qmc_type=cfg.qmc_type, scramble=cfg.scramble, seed=seed)
