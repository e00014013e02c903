"""The Pareto designs looked at closely: their traces, and the price of performance.

Price of performance: the local slope of the front, d(range)/d(0-100), at every Pareto
design, reported as km of range per 0.1 s of 0-100 time.

- From the model's gradients where the design is interior. At a Pareto-optimal design
  whose continuous variables are off their bounds, the first-order (KKT) condition is
  grad R = lambda grad T + sum_j mu_j grad g_j over those variables (g_j: the constraints
  that are active, i.e. within 0.5 % of their limit). The multiplier lambda is exactly
  dR/dT along the front. It is found by least squares on the gradients (exact JAX forward
  mode, variables scaled by their ranges). Cells, chemistry, layout and gear count are
  held: they do not move along a smooth piece of the front.
- From neighbouring front points otherwise: where no continuous variable is free, where
  lambda comes out non-positive, or where the gradients are far from the KKT condition
  (relative residual above `MAX_RESIDUAL`: the design is not yet a stationary point of
  the trade, as happens on a front a sampler has not converged). The slope is then that
  of a least-squares line through the design and its nearest `NEIGHBOURS` front points
  on each side, in 0-100 order.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import objectives as ob

from ._config import Config, SpaceConfig
from ._designs import Designs
from ._scoring import Scorer
from ._variables import VARIABLES, bounds, relaxed_variables
from ._vehicles import build_vehicles, plain_arrays

TENTH_S = 0.1
ACTIVE_TOL = 0.005  # a constraint within 0.5 % of its limit is active
BOUND_TOL = 1e-3  # a variable within 0.1 % of its range from a bound is at the bound
MAX_RESIDUAL = 0.5
NEIGHBOURS = 2
ACCEL_TRACE_DT_S = 0.1
ACCEL_TRACE_END_S = 30.0
TRACE_CYCLE = "wltc"


def continuous_variables(space: SpaceConfig) -> list[str]:
    return [n for n in space.variables if VARIABLES[n].kind == "float"]


def _free(designs: Designs) -> tuple[list[str], np.ndarray]:
    """Which continuous variables each design may move: (names, bool array (n, K)):
    those that mean something for it and are off their bounds."""
    space = designs.space
    names = continuous_variables(space)
    free = designs.meaningful(names)
    for j, name in enumerate(names):
        var = space.variables[name]
        low, high = bounds(var)
        x = np.asarray(designs[name], float)
        span = max(high - low, 1e-12)
        free[:, j] &= (x - low > BOUND_TOL * span) & (high - x > BOUND_TOL * span)
    return names, free


def neighbour_slopes(accel_s: np.ndarray, range_km: np.ndarray) -> np.ndarray:
    """dR/dT (km/s) at each front point from a local least-squares line through it and its
    `NEIGHBOURS` nearest distinct front points on each side, in 0-100 order."""
    points, inverse = np.unique(np.column_stack([accel_s, range_km]), axis=0, return_inverse=True)
    t, r = points[:, 0], points[:, 1]  # sorted by 0-100 time
    out = np.full(len(t), np.nan)
    for i in range(len(t)):
        lo, hi = max(0, i - NEIGHBOURS), min(len(t), i + NEIGHBOURS + 1)
        dt = t[lo:hi] - t[lo:hi].mean()
        if np.any(dt != 0.0):
            out[i] = np.sum(dt * (r[lo:hi] - r[lo:hi].mean())) / np.sum(dt * dt)
    return out[inverse.ravel()]


def front_slopes(cfg: Config, designs: Designs, fig: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Slope of the front at each of `designs` (all on the front), `fig` their figures.

    Returns (km of range per 0.1 s of 0-100, method: array of 'gradient'/'neighbours').
    """
    n = len(designs)
    fallback = neighbour_slopes(fig["accel_0_100_s"], fig["range_km"])
    method = np.full(n, "neighbours", dtype=object)
    slope = fallback.copy()
    names, free = _free(designs)
    if names and n:
        relaxed = relaxed_variables(cfg.space)
        _, derivs = Scorer(cfg).jacobian(designs, relaxed)
        pick = [relaxed.index(k) for k in names]
        grads = {k: v[:, pick] for k, v in derivs.items()}
        scale = np.asarray([high - low for low, high in (bounds(cfg.space.variables[k]) for k in names)])
        c = cfg.constraints
        active_sets = {
            "constraint_top_speed": c.top_speed.enabled
            & (np.abs(fig.get("constraint_top_speed", np.ones(n))) < ACTIVE_TOL),
            "constraint_cell_current": c.cell_current.enabled
            & (np.abs(fig.get("constraint_cell_current", np.ones(n))) < ACTIVE_TOL),
        }
        for i in range(n):
            k = free[i]
            if not k.any():
                continue
            g_t = grads["accel_0_100_s"][i, k] * scale[k]
            g_r = grads["range_km"][i, k] * scale[k]
            basis = [g_t] + [grads[name][i, k] * scale[k] for name, on in active_sets.items() if on[i]]
            a = np.stack(basis, axis=1)
            coef, *_ = np.linalg.lstsq(a, g_r, rcond=None)
            residual = np.linalg.norm(a @ coef - g_r) / max(float(np.linalg.norm(g_r)), 1e-12)
            if coef[0] > 0.0 and residual <= MAX_RESIDUAL and a.shape[1] < k.sum() + 1:
                slope[i] = coef[0]
                method[i] = "gradient"
    return TENTH_S * slope, method


def _trace_runs(vehicles: ob.Vehicle) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    speed, time, _, _ = jax.vmap(ob.accel_run)(vehicles)
    cycle = jax.vmap(lambda v: ob.cycle_trace(v, TRACE_CYCLE))(vehicles)
    return speed, time, jnp.asarray(cycle["battery_power_w"]), jnp.asarray(cycle["soc"])


_traces = ob.Program(_trace_runs, "traces")


def front_traces(cfg: Config, designs: Designs) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Traces of `designs`: the 0-100 run on a uniform time grid (speed,
    NaN once it has reached 100 km/h) and the WLTC run at 1 Hz (battery power, SOC).
    Returns (accel_time_s, cycle_time_s, dict of arrays shaped (n, time))."""
    grid = np.arange(0.0, ACCEL_TRACE_END_S + 0.5 * ACCEL_TRACE_DT_S, ACCEL_TRACE_DT_S)
    cycle_time = np.asarray(ob.load_cycle(TRACE_CYCLE).time[1:], float)
    parts: dict[str, list[np.ndarray]] = {"trace_speed_kmh": [], "trace_battery_power_kw": [], "trace_soc": []}
    for start, stop, chunk in designs.chunks(Scorer(cfg).batch_size):
        vehicles = plain_arrays(build_vehicles(chunk, cfg.vehicle))
        speed, time, power, soc = (np.asarray(a, float)[: stop - start] for a in _traces(vehicles))
        parts["trace_speed_kmh"].append(
            np.stack([ob.units.mps_to_kmh(np.interp(grid, t, v, right=np.nan)) for t, v in zip(time, speed)])
        )
        parts["trace_battery_power_kw"].append(power / ob.units.KW)
        parts["trace_soc"].append(soc)
    empty = {"trace_speed_kmh": grid.size, "trace_battery_power_kw": cycle_time.size, "trace_soc": cycle_time.size}
    traces = {k: np.concatenate(v) if v else np.zeros((0, empty[k])) for k, v in parts.items()}
    return grid, cycle_time, traces


def warm_up(cfg: Config) -> None:
    """Compile the front analysis (gradients and traces) for this study's batch shape, and
    score the platform's published variants.

    Run in a background thread while the sampler works: XLA compiles without holding
    the GIL, so on a multi-core machine the export later finds everything compiled.
    """
    design: dict[str, Any] = {}
    for name, var in cfg.space.variables.items():
        if var.choices:
            design[name] = var.choices[-1]
        else:
            mid = 0.5 * sum(bounds(var))
            design[name] = round(mid) if VARIABLES[name].kind == "int" else mid
    designs = Designs.from_params([design], cfg.space)
    scorer = Scorer(cfg)
    scorer.jacobian(designs, relaxed_variables(cfg.space))
    front_traces(cfg, designs)
    scorer.reference_figures()
