"""Gradient refinement of a front (explore._refine) and the hypervolume it is judged by.

References: hand-computed hypervolume of a two-point front and a closed-form projection;
the model itself, rescored independently, for bounds, constraints and dominance.
"""

import moocore
import numpy as np
import pytest
import xarray as xr
from explore_helpers import compose_config, run

from explore import VARIABLES, Designs, Scorer, cost_per_start, feasible, hypervolume, refine, spread
from explore._refine import _fill_gaps, choice_neighbours, project  # the refinement's own steps
from explore._summary import summary

# Tighter than the defaults, so that constraints bind on the front being refined.
TIGHT = [
    "study.batch_size=64",
    "constraints.top_speed.min_kmh=170",
    "constraints.cell_current.max_frac=0.6",
    "constraints.pack_fits.max_energy_kwh=80",
]


def test_hypervolume_of_two_points_by_hand():
    # Points (4 s, 500 km) and (8 s, 550 km) against (12 s, 450 km): an L-shaped area of
    # (12 - 4) x (500 - 450) + (12 - 8) x (550 - 500) = 400 + 200 = 600 s km.
    assert hypervolume([4.0, 8.0], [500.0, 550.0], (12.0, 450.0)) == pytest.approx(600.0, rel=1e-12)
    # A dominated third point and one beyond the reference add nothing.
    assert hypervolume([4.0, 8.0, 9.0, 13.0], [500.0, 550.0, 540.0, 600.0], (12.0, 450.0)) == pytest.approx(600.0)
    assert hypervolume([], [], (12.0, 450.0)) == 0.0


def test_projection_onto_a_half_plane_and_a_box_matches_closed_form():
    # Nearest point of {x + y <= 1, 0 <= x, y <= 1} to (2, 2) is (0.5, 0.5); to (2, -1)
    # it is (1, 0) (a corner); a point already inside stays.
    y = np.asarray([[2.0, 2.0], [2.0, -1.0], [0.2, 0.3]])
    rows = np.ones((3, 1, 2))
    out = project(y, rows, np.ones((3, 1)), np.zeros((3, 2)), np.ones((3, 2)))
    np.testing.assert_allclose(out, [[0.5, 0.5], [1.0, 0.0], [0.2, 0.3]], atol=1e-6)


def test_spread_takes_distinct_points_along_the_whole_front():
    accel = np.asarray([3.0, 3.1, 3.2, 3.3, 3.4, 6.0, 9.0, 12.0, 3.0])
    range_km = np.asarray([500, 505, 510, 515, 520, 540, 550, 555, 500.0])
    picked = spread(accel, range_km, 5)
    assert len(picked) == 5 and len({(accel[i], range_km[i]) for i in picked}) == 5
    # Evenly along the front's length (scaled): both ends, and the sparse stretch gets
    # three of five although it holds three of eight points.
    assert sorted(accel[picked]) == [3.0, 3.4, 6.0, 9.0, 12.0]
    assert len(spread(accel, range_km, 50)) == 8  # never more than the distinct points


@pytest.fixture(scope="module")
def poor_front():
    """A deliberately poor front: the first three non-dominated layers of the feasible
    designs among 640 random ones."""
    _, cfg = compose_config(TIGHT)
    designs = Designs.random(cfg.space, 640, np.random.default_rng(7))
    fig = Scorer(cfg).figures(designs)
    ok = feasible(fig)
    rank = np.full(len(ok), 99)
    rank[ok] = moocore.pareto_rank(
        np.column_stack([fig["accel_0_100_s"][ok], fig["range_km"][ok]]), maximise=[False, True]
    )
    on = rank < 3
    assert on.sum() >= 10
    front = designs.take(on)
    steps = 6
    budget = 3 * on.sum() * cost_per_start(steps, 2)  # neighbours, a spread of starts and gaps each get a share
    new, fig_new, start, evaluations = refine(cfg, front, fig["accel_0_100_s"][on], fig["range_km"][on], budget, steps)
    return cfg, front, {k: v[on] for k, v in fig.items()}, new, fig_new, start, evaluations, budget


def changed_choices(cfg, designs, front, start):
    """How many categorical variables of each design differ from its starting design's."""
    names = [n for n in cfg.space.variables if VARIABLES[n].kind == "choice"]
    return sum((np.asarray(designs[n]) != np.asarray(front[n])[start]).astype(int) for n in names)


def test_choice_neighbours_change_one_choice_each():
    _, cfg = compose_config([])
    designs = Designs.random(cfg.space, 3, np.random.default_rng(1))
    near, source = choice_neighbours(designs)
    per_design = sum(len(v.choices) - 1 for n, v in cfg.space.variables.items() if VARIABLES[n].kind == "choice")
    assert len(source) == 3 * per_design and np.array_equal(np.bincount(source), [per_design] * 3)
    assert np.all(changed_choices(cfg, near, designs, source) == 1)
    for name in cfg.space.variables:  # the rest of each design is its source's
        if VARIABLES[name].kind != "choice":
            assert np.array_equal(np.asarray(near[name]), np.asarray(designs[name])[source])


@pytest.mark.slow
def test_refined_designs_stay_within_bounds_and_choices(poor_front):
    cfg, front, _, designs, _, start, _, _ = poor_front
    assert len(start) > 0
    # a design differs from its start in one categorical choice at most (a neighbour, or
    # one refined from a neighbour); the gradient steps hold the choices
    changed = changed_choices(cfg, designs, front, start)
    assert np.all(changed <= 1) and np.any(changed == 0) and np.any(changed == 1)
    for name, var in cfg.space.variables.items():
        values = np.asarray(designs[name])
        if VARIABLES[name].kind == "choice":
            assert set(values) <= set(var.choices)
            continue
        assert np.all(values >= var.low) and np.all(values <= var.high), name
        if VARIABLES[name].kind == "int":
            assert np.issubdtype(values.dtype, np.integer), name


@pytest.mark.slow
def test_refined_designs_meet_every_constraint_when_scored_again(poor_front):
    cfg, _, _, designs, _, _, _, _ = poor_front
    fig = Scorer(cfg).figures(designs)  # independent of the figures refine returned
    names = [k for k in fig if k.startswith("constraint_")]
    assert len(names) == 8
    for name in names:
        assert np.all(fig[name] <= 0.0), (name, fig[name].max())


@pytest.mark.slow
def test_refined_designs_are_never_dominated_by_their_start(poor_front):
    cfg, front, fig0, designs, _, start, _, _ = poor_front
    fig = Scorer(cfg).figures(designs)
    t0, r0 = fig0["accel_0_100_s"][start], fig0["range_km"][start]
    t, r = fig["accel_0_100_s"], fig["range_km"]
    assert not np.any((t0 <= t) & (r0 >= r) & ((t0 < t) | (r0 > r)))
    # A design refined from a spread start (its choices held) improves its own
    # scalarisation within an epsilon bound at the start's own figure, so it dominates its
    # start; only the two that push the ends outwards and those sent into a gap (most
    # range short of the gap's midpoint, so slower than their start) need not.
    held = changed_choices(cfg, designs, front, start) == 0
    dominates = (t <= t0) & (r >= r0) & ((t < t0) | (r > r0))
    assert held.sum() > 2 and dominates[held].sum() >= held.sum() // 2


@pytest.mark.slow
def test_refinement_improves_a_poor_front_within_its_budget(poor_front):
    _, _, fig0, _, fig_new, start, evaluations, budget = poor_front
    reference = (12.0, 400.0)
    before = hypervolume(fig0["accel_0_100_s"], fig0["range_km"], reference)
    after = hypervolume(
        np.concatenate([fig0["accel_0_100_s"], fig_new["accel_0_100_s"]]),
        np.concatenate([fig0["range_km"], fig_new["range_km"]]),
        reference,
    )
    assert after > 1.01 * before, (before, after)
    assert 0 < evaluations <= budget
    assert len(start) >= len(fig0["accel_0_100_s"]) // 2  # most starts improved


@pytest.mark.slow
def test_a_gap_is_filled_from_its_quicker_side(poor_front):
    # The widest gap of a front (scaled objectives) gets a design from its quicker end
    # that has more range than that end, at no more than the gap's mid 0-100 time.
    cfg, front, fig0, *_ = poor_front
    t, r = fig0["accel_0_100_s"], fig0["range_km"]
    on = np.flatnonzero(moocore.is_nondominated(np.column_stack([t, -r])))
    on = on[np.argsort(t[on])]
    width = np.hypot(np.diff(t[on]) / np.ptp(t[on]), np.diff(r[on]) / np.ptp(r[on]))
    j = width.argmax()
    quick, slow = on[j], on[j + 1]
    empty = front.take(np.zeros(0, int))
    designs, fig, start, evaluations = _fill_gaps(
        cfg, front, t, r, empty, {}, np.zeros(0, int), cost_per_start(6, 2), 6
    )
    assert evaluations == cost_per_start(6, 2) and list(start) == [quick]
    rescored = Scorer(cfg).figures(designs)
    assert feasible(rescored).all()
    assert rescored["range_km"][0] > r[quick]
    assert rescored["accel_0_100_s"][0] <= 0.5 * (t[quick] + t[slow]) * (1 + 1e-6)


def test_no_budget_no_refinement():
    _, cfg = compose_config(TIGHT)
    designs = Designs.random(cfg.space, 4, np.random.default_rng(0))
    new, fig, start, evaluations = refine(cfg, designs, np.ones(4), np.ones(4), cost_per_start(6, 2) - 1, 6)
    assert len(start) == 0 and evaluations == 0 and len(new) == 0


@pytest.mark.slow
def test_study_refines_its_front_and_marks_the_refined_designs(tmp_path):
    overrides = ["refine.enabled=true", "refine.evaluations=400", "refine.steps=4", "study.n_trials=100"]
    study, _, run_dir = run(tmp_path, overrides, name="refined")
    refined = [t for t in study.trials if t.user_attrs.get("origin") == "refine"]
    assert refined and len(study.trials) == 100 + len(refined)
    with xr.open_dataset(run_dir / "results.nc") as ds:
        origin = ds["origin"].values
        assert (origin == "refine").sum() == len(refined) and (origin == "sampler").sum() == 100
        start = ds["refined_from"].values[origin == "refine"]
        assert np.all(np.isin(start, ds["trial"].values[origin == "sampler"]))
        assert np.all(ds["feasible"].values[origin == "refine"])
        # Refined designs reach the front, and the summary says how many.
        n_refined = int(ds["pareto"].values[origin == "refine"].sum())
        assert n_refined > 0
        assert f"({n_refined} from refinement) on the Pareto front" in summary(ds)
    # A rerun in the same directory resumes: nothing is sampled or refined again.
    again, _, _ = run(tmp_path, overrides, name="refined")
    assert len(again.trials) == len(study.trials)
