"""Gradient refinement: move a sampler's front designs onto the model's own front.

A sampler only sees objective values. The model is differentiable, so once the sampler's
budget is spent (or at rounds during the study, `refine.rounds`), each of a spread of
front designs is improved with exact gradients:

- Scalarisation (epsilon-constraint), alternating along the front: either the most range
  at no more than the design's 0-100 time, or the quickest 0-100 at no less than its
  range. A design that meets every constraint and improves its objective this way
  dominates its starting point. The ends of the front are pushed outwards, with
  `END_STEPS` times the steps: the quickest design is made quicker still, the
  longest-range one longer, whatever the other objective does. (The quickest end is
  where a sampler falls shortest: its last tenths of a second need every variable at
  its best at once.)
- Variables: the continuous ones of the driven axles, and the cell counts relaxed to real
  numbers, all scaled to [0, 1] over their bounds (log-scaled where declared).
  Categorical choices (layout, chemistry, tyre, gear count) are held by the steps; they
  are explored before them (below).
- Neighbours first: gradients cannot change a categorical choice, and the front's quick
  end in particular needs other ones (grippier tyres, a second motor) than the designs a
  sampler left there. So `NEIGHBOUR_SHARE` of the budget first scores, for a spread of
  front designs, every design that differs from one of them in one categorical choice
  (values only). The feasible ones on the front of both join the front designs, as
  designs kept and as starts of the gradient steps.
- Gaps last: `GAP_SHARE` of the budget goes where the front (with everything refinement
  has found so far) has its widest gaps, in objectives scaled by their spans. From the
  quicker design of each of the widest gaps, the steps seek the most range at no more
  than the 0-100 time halfway across it: a design that lands inside the gap. (Measured at
  10,000 evaluations: this closes the steep quick end of the front far better than more
  starts spread evenly, see the README.)
- Steps: sequential linear programming in a trust region. At the current design, the
  objective, the epsilon bound and every constraint are linearised with the model's
  Jacobian (forward mode). The step goes as far as the trust region allows along the
  objective's descent direction, then is projected (Dykstra's alternating projections)
  onto the linearised constraints, aimed `MARGIN` inside them, and the variable bounds.
  A step that does not lower the merit (objective plus `PENALTY` x the worst violation)
  is undone and the trust region shrinks; one that does widens it.
- Counts: halfway through its steps, a design's cell counts are rounded (the
  floor/ceiling combination with the best merit, each scored by the model), and the
  remaining steps move the continuous variables with the counts held.
- Result: the best design seen with whole cell counts that meets every constraint. It is
  scored once more with the study's scorer, and kept only if it is within the bounds,
  feasible, improves its objective and is not dominated by its starting point.

Budget: the neighbours take `NEIGHBOUR_SHARE`, the gaps `GAP_SHARE`, the spread of starts
(ends included) the rest. One design's values and Jacobian count as `GRADIENT_EVALUATIONS` model
evaluations, each rounding candidate and each final rescoring as one. (In wall time a
Jacobian costs more: one forward-mode tangent per variable.)
"""

import logging
from collections.abc import Callable, Sequence

import numpy as np

from ._config import Config, SpaceConfig
from ._designs import Designs
from ._figures import constraint_names
from ._results import pareto_mask, spread
from ._scoring import Scorer, _concatenate, feasible
from ._variables import VARIABLES, bounds, relaxed_variables

Figures = dict[str, np.ndarray]  # study figures of a batch of designs (`Scorer.figures`)

LOG = logging.getLogger(__name__)

GRADIENT_EVALUATIONS = 3  # one design's values and gradients, in model evaluations
MARGIN = 1e-4  # linearised constraints are aimed this far inside their limits (relative)
PENALTY = 100.0  # merit weight of the worst constraint violation
TRUST_START = 0.05  # trust region: largest move of a variable, as a fraction of its range
TRUST_MIN, TRUST_MAX = 1e-4, 0.25
STEP_REACH = 3.0  # the unconstrained step before projection, in trust radii
DYKSTRA_ITERATIONS = 60
IMPROVEMENT = 1e-9  # smallest objective improvement (scaled) that counts
END_STEPS = 4  # the designs at the ends of the front take this many times the steps
NEIGHBOUR_SHARE = 0.25  # of the budget: one-choice neighbours of front designs, scored before the steps
GAP_SHARE = 0.5  # of the budget: steps into the largest gaps of the front, after the others


def cost_per_start(steps: int, n_counts: int) -> int:
    """Model evaluations one start design costs: `steps` Jacobians, the 2**n_counts
    rounding candidates and the final rescoring."""
    rounding = 2**n_counts if n_counts else 0
    return GRADIENT_EVALUATIONS * steps + rounding + 1


def project(
    y: np.ndarray,
    rows: np.ndarray,
    rhs: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    iterations: int = DYKSTRA_ITERATIONS,
) -> np.ndarray:
    """Euclidean projection of `y` (n, K) onto {d : rows d <= rhs, lo <= d <= hi}, for
    each of n designs (rows (n, m, K), rhs (n, m)), by Dykstra's alternating projections.
    Rows that are all zero are left out (they cannot be moved)."""
    norm2 = np.einsum("nmk,nmk->nm", rows, rows)
    usable = norm2 > 1e-24
    safe = np.where(usable, norm2, 1.0)
    d = y.copy()
    fix = np.zeros((rows.shape[1] + 1,) + y.shape)
    for _ in range(iterations):
        for j in range(rows.shape[1]):
            z = d + fix[j]
            excess = np.einsum("nk,nk->n", rows[:, j], z) - rhs[:, j]
            shift = np.where(usable[:, j] & (excess > 0.0), excess / safe[:, j], 0.0)
            d = z - shift[:, None] * rows[:, j]
            fix[j] = z - d
        z = d + fix[-1]
        d = np.clip(z, lo, hi)
        fix[-1] = z - d
    return d


class _Scaling:
    """Variables <-> [0, 1] over their bounds (log-scaled where declared)."""

    def __init__(self, space: SpaceConfig, names: Sequence[str]) -> None:
        var = [space.variables[k] for k in names]
        self.log = np.asarray([v.log for v in var])
        low = np.asarray([bounds(v)[0] for v in var], float)
        high = np.asarray([bounds(v)[1] for v in var], float)
        self.low = np.where(self.log, np.log(low), low)
        self.span = np.maximum(np.where(self.log, np.log(high), high) - self.low, 1e-300)
        self.bounds = low, high

    def unit(self, x: np.ndarray) -> np.ndarray:
        return (np.where(self.log, np.log(x), x) - self.low) / self.span

    def value(self, z: np.ndarray) -> np.ndarray:
        y = self.low + z * self.span
        return np.clip(np.where(self.log, np.exp(y), y), *self.bounds)

    def slope(self, x: np.ndarray) -> np.ndarray:
        """dx/dz at x."""
        return np.where(self.log, x, 1.0) * self.span


class _Problem:
    """Objective and constraint rows (<= 0) of every start's scalarisation, scaled."""

    def __init__(
        self, accel0: np.ndarray, range0: np.ndarray, kind: np.ndarray, scale_t: float, scale_r: float
    ) -> None:
        self.accel0, self.range0, self.kind = accel0, range0, kind
        self.scale_t, self.scale_r = scale_t, scale_r

    def take(self, index: np.ndarray) -> "_Problem":
        return _Problem(self.accel0[index], self.range0[index], self.kind[index], self.scale_t, self.scale_r)

    def evaluate(self, values: Figures, derivs: Figures | None = None) -> tuple[np.ndarray, ...]:
        """(objective (n,), rows (n, m)[, d objective (n, K), d rows (n, m, K)]) from
        figures (and their derivatives) keyed as `Scorer.figures` keys them."""
        cons = sorted(constraint_names(values))
        more_range = np.isin(self.kind, ("range", "longest"))
        t, r = values["accel_0_100_s"] / self.scale_t, values["range_km"] / self.scale_r
        t0, r0 = self.accel0 / self.scale_t, self.range0 / self.scale_r
        bounded = np.isin(self.kind, ("range", "accel"))  # the ends of the front go unbounded
        objective = np.where(more_range, -r, t)
        epsilon = np.where(bounded, np.where(more_range, t - t0, r0 - r), -1.0)
        rows = np.column_stack([epsilon] + [values[k] for k in cons])
        if derivs is None:
            return objective, rows
        dt, dr = derivs["accel_0_100_s"] / self.scale_t, derivs["range_km"] / self.scale_r
        d_objective = np.where(more_range[:, None], -dr, dt)
        d_epsilon = np.where(bounded[:, None], np.where(more_range[:, None], dt, -dr), 0.0)
        d_rows = np.stack([d_epsilon] + [derivs[k] for k in cons], axis=1)
        return objective, rows, d_objective, d_rows

    def merit(self, values: Figures) -> np.ndarray:
        objective, rows = self.evaluate(values)
        m = objective + PENALTY * np.maximum(rows.max(axis=1), 0.0)
        return np.where(np.isfinite(m), m, np.inf)


def choice_neighbours(designs: Designs) -> tuple[Designs, np.ndarray]:
    """Every one of `designs` with one categorical variable changed to another of its
    choices: (the neighbours, index in `designs` of the design each came from)."""
    parts, source = [], []
    for name, var in designs.space.variables.items():
        if VARIABLES[name].kind != "choice":
            continue
        for choice in var.choices or ():
            other = np.flatnonzero(np.asarray(designs[name]) != choice)
            if other.size:
                parts.append(designs.take(other).replace(**{name: np.full(other.size, choice)}))
                source.append(other)
    if not parts:
        return designs.take(np.zeros(0, int)), np.zeros(0, int)
    return Designs.concatenate(parts), np.concatenate(source)


def _join(a: Figures, b: Figures) -> Figures:
    """Figures `a` followed by `b`; `a` may be empty ({})."""
    return _concatenate([x for x in (a, b) if x])


def _with_neighbours(
    cfg: Config, designs: Designs, accel_s: np.ndarray, range_km: np.ndarray, budget: int
) -> tuple[Designs, np.ndarray, np.ndarray, np.ndarray, Figures, int]:
    """`designs` (a front) followed by those feasible one-choice neighbours of a spread of
    them that are on the front of both, scored within `budget` evaluations.
    Returns (the pool of designs, accel, range, index in `designs` each came from, the
    figures of the neighbours in the pool ({} if none), evaluations)."""
    n = len(accel_s)
    per_design = sum(len(v.choices or ()) - 1 for k, v in cfg.space.variables.items() if VARIABLES[k].kind == "choice")
    if not n or not per_design or budget < per_design:
        return designs, accel_s, range_km, np.arange(n), {}, 0
    pick = spread(accel_s, range_km, budget // per_design)
    near, source = choice_neighbours(designs.take(pick))
    fig = Scorer(cfg).figures(near)
    ok = feasible(fig)
    accel = np.concatenate([accel_s, fig["accel_0_100_s"][ok]])
    rng = np.concatenate([range_km, fig["range_km"][ok]])
    keep = pareto_mask(accel, rng, np.ones(len(accel), bool))
    keep[:n] = True  # the designs given stay starts; of the neighbours, those on the front join them
    pool = Designs.concatenate([designs, near.take(ok)]).take(keep)
    origin = np.concatenate([np.arange(n), pick[source[ok]]])[keep]
    kept = keep[n:]
    near_fig = {k: v[ok][kept] for k, v in fig.items()} if kept.any() else {}
    return pool, accel[keep], rng[keep], origin, near_fig, len(source)


def refine(
    cfg: Config, designs: Designs, accel_s: np.ndarray, range_km: np.ndarray, budget: int, steps: int
) -> tuple[Designs, Figures, np.ndarray, int]:
    """Refine front designs within `budget` model evaluations: first their one-choice
    neighbours (`NEIGHBOUR_SHARE` of it), then `steps` gradient steps each from a spread of
    them (`END_STEPS` x `steps` for the two designs at the ends of the front), then `steps`
    into the widest gaps of the front (`GAP_SHARE`).

    designs: front designs, all feasible; accel_s, range_km: their objectives. As many as
    the budget allows are refined, spread along the front (`spread`).
    Returns (designs, figures, start, evaluations): the new designs and their
    `Scorer.figures` (those that passed, see the module docstring, and the neighbours
    that made the front), the index in the given `designs` each came from, and the model
    evaluations spent.
    """
    accel_s, range_km = np.asarray(accel_s, float), np.asarray(range_km, float)
    pool, accel, rng, origin, near_fig, used = _with_neighbours(
        cfg, designs, accel_s, range_km, int(NEIGHBOUR_SHARE * budget)
    )
    new, fig, start, evaluations = _refine_steps(cfg, pool, accel, rng, budget - used - int(GAP_SHARE * budget), steps)
    used += evaluations
    new, fig, start, evaluations = _fill_gaps(cfg, pool, accel, rng, new, fig, start, budget - used, steps)
    used += evaluations
    if near_fig:  # the neighbours on the front, as they are: the pool's designs after those given
        near_at = np.arange(len(accel_s), len(accel))
        new = Designs.concatenate([new, pool.take(near_at).as_declared()])
        fig = _join(fig, near_fig)
        start = np.concatenate([start, near_at])
    return new, fig, origin[start], used


def _fill_gaps(
    cfg: Config,
    pool: Designs,
    accel: np.ndarray,
    rng: np.ndarray,
    designs: Designs,
    fig: Figures,
    start: np.ndarray,
    budget: int,
    steps: int,
) -> tuple[Designs, Figures, np.ndarray, int]:
    """Gradient steps into the largest gaps of the front of `pool` and the refined `designs`
    (scaled objectives): from the quicker design of each gap, the most range at no more than
    the 0-100 time halfway across it. Returns (designs, figures, start in `pool`,
    evaluations): those given followed by the new ones that passed."""
    names = relaxed_variables(cfg.space)
    counts = np.asarray([VARIABLES[k].kind == "int" for k in names], bool)
    per_start = cost_per_start(steps, int(counts.sum()))
    if not names or budget < per_start or not len(accel):
        return designs, fig, start, 0
    t = np.concatenate([accel, fig["accel_0_100_s"]]) if fig else np.asarray(accel)
    r = np.concatenate([rng, fig["range_km"]]) if fig else np.asarray(rng)
    both = Designs.concatenate([pool, designs])
    origin = np.concatenate([np.arange(len(accel)), start])
    on = np.flatnonzero(pareto_mask(t, r, np.ones(len(t), bool)))
    on = on[np.argsort(t[on])]
    scale_t, scale_r = max(np.ptp(t[on]), 0.1), max(np.ptp(r[on]), 1.0)
    width = np.hypot(np.diff(t[on]) / scale_t, np.diff(r[on]) / scale_r)
    widest = np.argsort(width)[::-1][: budget // per_start]
    widest = widest[width[widest] > 0.0]
    if not widest.size:
        return designs, fig, start, 0
    quicker, slower = on[widest], on[widest + 1]
    fig0 = {"accel_0_100_s": t[quicker], "range_km": r[quicker]}
    problem = _Problem(
        0.5 * (t[quicker] + t[slower]), r[quicker], np.full(widest.size, "range", dtype=object), scale_t, scale_r
    )
    new, new_fig, ok, evaluations = _improve(
        cfg,
        names,
        counts,
        both.take(quicker),
        fig0,
        problem,
        np.full(widest.size, steps),
    )
    if not ok.any():
        return designs, fig, start, evaluations
    return (
        Designs.concatenate([designs, new]),
        _join(fig, new_fig),
        np.concatenate([start, origin[quicker[ok]]]),
        evaluations,
    )


def _refine_steps(
    cfg: Config, designs: Designs, accel_s: np.ndarray, range_km: np.ndarray, budget: int, steps: int
) -> tuple[Designs, Figures, np.ndarray, int]:
    """The gradient steps of `refine` from a spread of the front `designs`.
    Returns (designs, figures, start, evaluations) as `refine`."""
    space = cfg.space
    names = relaxed_variables(space)
    counts = np.asarray([VARIABLES[k].kind == "int" for k in names], bool)
    n_counts = int(counts.sum())
    accel_s, range_km = np.asarray(accel_s, float), np.asarray(range_km, float)
    ends = 2 if len(np.unique(np.column_stack([accel_s, range_km]), axis=0)) > 1 else 0
    k = (
        budget - ends * (cost_per_start(END_STEPS * steps, n_counts) - cost_per_start(steps, n_counts))
    ) // cost_per_start(steps, n_counts)
    if not names or not len(accel_s) or k < max(ends, 1) or steps < 1:
        return designs.take(np.zeros(0, int)), {}, np.zeros(0, int), 0
    pick = spread(accel_s, range_km, k)
    start = designs.take(pick)
    fig0 = {"accel_0_100_s": accel_s[pick], "range_km": range_km[pick]}
    order = np.argsort(np.argsort(fig0["accel_0_100_s"]))
    kind = np.where(order % 2 == 0, "range", "accel").astype(object)
    n_steps = np.full(len(pick), steps)
    if ends:  # push the ends of the front outwards, with more steps
        for end, which in ((fig0["accel_0_100_s"].argmin(), "fastest"), (fig0["range_km"].argmax(), "longest")):
            kind[end], n_steps[end] = which, END_STEPS * steps
    problem = _Problem(
        fig0["accel_0_100_s"], fig0["range_km"], kind, max(np.ptp(accel_s), 0.1), max(np.ptp(range_km), 1.0)
    )
    new, fig, ok, evaluations = _improve(cfg, names, counts, start, fig0, problem, n_steps)
    return new, fig, pick[ok], evaluations


At = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[Designs, np.ndarray]]


def _improve(
    cfg: Config,
    names: list[str],
    counts: np.ndarray,
    start: Designs,
    fig0: Figures,
    problem: _Problem,
    n_steps: np.ndarray,
) -> tuple[Designs, Figures, np.ndarray, int]:
    """The trust-region iterations of every start design (see the module docstring), in
    the variables `names` (`counts`: which are cell counts).
    Returns (designs, figures, passed (bool per start), evaluations); designs and
    figures only of the starts that passed."""
    space = cfg.space
    scorer = Scorer(cfg)
    scaling = _Scaling(space, names)
    fixed = np.asarray([space.variables[k].low == space.variables[k].high for k in names])
    movable = start.meaningful(names) & ~fixed
    n = len(n_steps)

    def at(z: np.ndarray, rows: np.ndarray, whole: np.ndarray) -> tuple[Designs, np.ndarray]:
        """The designs at `z` (one per start in `rows`), and their variables `x`; counts
        rounded where `whole`."""
        x = scaling.value(z)
        x[:, counts] = np.where(whole[:, None], np.round(x[:, counts]), x[:, counts])
        return start.take(rows).replace(**{name: x[:, j] for j, name in enumerate(names)}), x

    z0 = scaling.unit(np.column_stack([np.asarray(start[name], float) for name in names]))
    z, best_z = z0.copy(), z0.copy()
    best = problem.evaluate(fig0)[0]  # the start: feasible, whole counts
    radius = np.full(n, TRUST_START)
    held = np.full(n, not counts.any())  # counts whole (rounded, or none in the space)
    round_at = n_steps // 2 - 1
    fresh = np.ones(n, bool)  # the next design starts a trajectory: accepted as it is
    acc: list[np.ndarray] | None = None  # per start: z, merit, rows, d objective, d rows of the accepted design
    evaluations = 0
    for step in range(int(n_steps.max())):
        live = np.flatnonzero(step < n_steps)
        designs_z, x = at(z[live], live, held[live])
        values, derivs = scorer.jacobian(designs_z, names)
        evaluations += GRADIENT_EVALUATIONS * len(live)
        sub = problem.take(live)
        objective, rows, d_obj, d_rows = sub.evaluate(values, derivs)
        slope = scaling.slope(x)
        state = (z[live], sub.merit(values), rows, d_obj * slope, d_rows * slope[:, None, :])
        if acc is None:
            acc = [np.zeros((n,) + s.shape[1:]) for s in state]
        take = fresh[live] | (state[1] < acc[1][live])
        radius[live] = np.where(
            fresh[live],
            radius[live],
            np.where(take, np.minimum(2.0 * radius[live], TRUST_MAX), np.maximum(0.25 * radius[live], TRUST_MIN)),
        )
        for a, s in zip(acc, state):
            a[live[take]] = s[take]
        fresh[live] = False
        better = held[live] & (rows.max(axis=1) <= 0.0) & (objective < best[live] - IMPROVEMENT)
        best[live[better]] = objective[better]
        best_z[live[better]] = z[live[better]]

        go = live[step < n_steps[live] - 1]
        rounding = go[~held[go] & (step == round_at[go])]
        if rounding.size:
            z[rounding] = _round(scorer, problem, scaling, at, acc[0][rounding], rounding, counts)
            evaluations += rounding.size * 2 ** int(counts.sum())
            held[rounding], fresh[rounding], radius[rounding] = True, True, TRUST_START
        stepping = np.setdiff1d(go, rounding)
        if stepping.size:
            free = movable[stepping] & ~(counts[None, :] & held[stepping, None])
            z[stepping] = acc[0][stepping] + _step([a[stepping] for a in acc], radius[stepping], free)

    best_designs, _ = at(best_z, np.arange(n), np.ones(n, bool))
    fig_best = scorer.figures(best_designs)
    evaluations += n
    ok = np.any(best_z != z0, axis=1) & feasible(fig_best) & _within(best_designs, names)
    ok &= problem.evaluate(fig_best)[0] < problem.evaluate(fig0)[0] - IMPROVEMENT
    dominated = (fig_best["accel_0_100_s"] >= fig0["accel_0_100_s"]) & (fig_best["range_km"] <= fig0["range_km"])
    ok &= ~dominated
    return best_designs.take(ok).as_declared(), {key: v[ok] for key, v in fig_best.items()}, ok, evaluations


def _step(accepted: Sequence[np.ndarray], radius: np.ndarray, free: np.ndarray) -> np.ndarray:
    """A trust-region step from the accepted designs: along the objective's descent
    direction, projected onto the linearised constraints and the bounds."""
    z, _, rows, d_obj, d_rows = accepted
    finite = (
        np.all(np.isfinite(d_obj), axis=1)
        & np.all(np.isfinite(d_rows), axis=(1, 2))
        & np.all(np.isfinite(rows), axis=1)
    )
    if not finite.all():
        LOG.warning(
            "refinement: %d design(s) have a non-finite gradient and are held where they are (no step)",
            int((~finite).sum()),
        )
    d_obj = np.where(free, np.nan_to_num(d_obj), 0.0)
    d_rows = np.where(free[:, None, :], np.nan_to_num(d_rows), 0.0)
    norm = np.linalg.norm(d_obj, axis=1, keepdims=True)
    target = -STEP_REACH * radius[:, None] * d_obj / np.where(norm > 0.0, norm, 1.0)
    lo = np.where(free, np.maximum(-z, -radius[:, None]), 0.0)
    hi = np.where(free, np.minimum(1.0 - z, radius[:, None]), 0.0)
    rhs = -np.nan_to_num(rows, nan=1.0) - MARGIN
    return np.where(finite[:, None], project(target, d_rows, rhs, lo, hi), 0.0)


def _round(
    scorer: Scorer,
    problem: _Problem,
    scaling: _Scaling,
    at: At,
    z: np.ndarray,
    index: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """`z` of the starts `index` with their relaxed counts rounded: of the floor/ceiling
    combinations, the one of least merit (each scored by the model)."""
    n, c = len(z), int(counts.sum())
    combos = np.asarray(list(np.ndindex(*(2,) * c)), bool)  # (2**c, c): True = ceiling
    rows = np.repeat(np.arange(n), len(combos))
    x = scaling.value(z)[rows]
    relaxed = x[:, counts]
    x[:, counts] = np.where(np.tile(combos, (n, 1)), np.ceil(relaxed), np.floor(relaxed))
    candidates = np.clip(scaling.unit(x), 0.0, 1.0)
    designs, _ = at(candidates, index[rows], np.ones(len(rows), bool))
    merit = problem.take(index[rows]).merit(scorer.figures(designs)).reshape(n, len(combos))
    return candidates.reshape(n, len(combos), -1)[np.arange(n), merit.argmin(axis=1)]


def _within(designs: Designs, names: Sequence[str]) -> np.ndarray:
    """True where every variable of `names` is within its declared bounds."""
    ok = np.ones(len(designs), bool)
    for name in names:
        low, high = bounds(designs.space.variables[name])
        x = np.asarray(designs[name], float)
        ok &= (x >= low) & (x <= high)
    return ok
