"""NSGA-II's children drawn a population at a time (`BatchChildren`) follow the rules of
Optuna's own strategy: binary tournaments under constrained domination, uniform crossover,
mutation by leaving parameters to the independent sampler. Checked against the closed-form
probabilities of those rules on populations whose order is known."""

import numpy as np
import optuna
import pytest

from explore._samplers import BatchChildren

N_PARENTS = 20
N_CHILDREN = 40_000
DISTS = {
    "x": optuna.distributions.FloatDistribution(0.0, 1.0),
    "y": optuna.distributions.FloatDistribution(0.0, 1.0),
    "c": optuna.distributions.CategoricalDistribution(["a", "b"]),
}


def population(violations=None):
    """Parents 0..n-1 in a chain: parent i dominates every parent after it (time 1+i s,
    range 500-i km). Parameter x identifies the parent."""
    violations = violations if violations is not None else [0.0] * N_PARENTS
    return [
        optuna.trial.create_trial(
            values=[1.0 + i, 500.0 - i],
            params={"x": i / 100.0, "y": 0.5, "c": "a"},
            distributions=DISTS,
            constraints={"v": v},
        )
        for i, v in enumerate(violations)
    ]


def draw(parents, **options):
    study = optuna.create_study(directions=["minimize", "maximize"])
    strategy = BatchChildren(
        **{"crossover_prob": 1.0, "swapping_prob": 1.0, "mutation_prob": 0.0, **options}, batch=N_CHILDREN, seed=3
    )
    return [strategy(study, DISTS, parents) for _ in range(N_CHILDREN)]


def chosen(children):
    """Index of the parent each child took its `x` from."""
    return np.rint(np.array([c["x"] for c in children]) * 100).astype(int)


def tournament_probabilities(n):
    """P(parent of rank r wins a binary tournament with replacement), r = 0 best:
    both candidates ranked r or worse, less both worse than r."""
    r = np.arange(n)
    return ((n - r) ** 2 - (n - r - 1) ** 2) / n**2


def test_tournament_winner_follows_domination():
    # swapping_prob 1: every value from the first parent (Optuna takes the second parent's
    # value where a uniform draw is >= swapping_prob), so x names the tournament's winner.
    counts = np.bincount(chosen(draw(population())), minlength=N_PARENTS) / N_CHILDREN
    assert np.max(np.abs(counts - tournament_probabilities(N_PARENTS))) < 0.01


def test_feasible_beats_infeasible_and_less_violation_wins():
    # Chain order reversed by violation for the second half: parents 10..19 infeasible, 19
    # violating least. The order of constrained domination is then 0..9, 19, 18, ..., 10.
    violations = [0.0] * 10 + [float(20 - i) for i in range(10, 20)]
    order = list(range(10)) + list(range(19, 9, -1))
    counts = np.bincount(chosen(draw(population(violations))), minlength=N_PARENTS) / N_CHILDREN
    expected = np.empty(N_PARENTS)
    expected[order] = tournament_probabilities(N_PARENTS)
    assert np.max(np.abs(counts - expected)) < 0.01
    assert counts[10:].sum() == pytest.approx(0.25, abs=0.01)  # both candidates infeasible


def test_second_parent_is_another_parent():
    # swapping_prob 0: every value from the second parent, chosen among the others.
    parents = population()
    children = draw(parents[:2], swapping_prob=0.0)
    first = draw(parents[:2])
    assert set(chosen(children)) == {0, 1}
    # with two parents the second is always the first's loser: 0 first 3/4, so second 1/4
    assert np.mean(chosen(first) == 0) == pytest.approx(0.75, abs=0.01)
    assert np.mean(chosen(children) == 0) == pytest.approx(0.25, abs=0.01)


def test_without_crossover_a_child_copies_a_uniform_parent():
    counts = np.bincount(chosen(draw(population(), crossover_prob=0.0)), minlength=N_PARENTS) / N_CHILDREN
    assert np.max(np.abs(counts - 1.0 / N_PARENTS)) < 0.01


@pytest.mark.parametrize("mutation_prob,expected", [(None, 1.0 / 3.0), (0.2, 0.2), (0.0, 0.0)])
def test_mutation_leaves_parameters_to_the_independent_sampler(mutation_prob, expected):
    children = draw(population(), mutation_prob=mutation_prob)
    left = np.mean([[name not in c for name in DISTS] for c in children])
    assert left == pytest.approx(expected, abs=0.01)


def test_a_new_population_draws_new_children_and_pickles():
    import pickle

    parents = population()
    study = optuna.create_study(directions=["minimize", "maximize"])
    strategy = BatchChildren(crossover_prob=0.9, swapping_prob=0.5, mutation_prob=None, batch=8, seed=0)
    strategy(study, DISTS, parents)
    copy = pickle.loads(pickle.dumps(strategy))
    assert [strategy(study, DISTS, parents) for _ in range(10)] == [copy(study, DISTS, parents) for _ in range(10)]
    assert all(round(c["x"] * 100) < 5 for c in (strategy(study, DISTS, parents[:5]) for _ in range(20)) if "x" in c)


def test_bad_probability_is_refused():
    with pytest.raises(ValueError, match="sampler.crossover_prob"):
        BatchChildren(crossover_prob=1.5, swapping_prob=0.5, mutation_prob=None, batch=4, seed=0)
