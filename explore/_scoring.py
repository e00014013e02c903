"""Score batches of designs with the JAX model: objectives, constraint values, reasons.

Every call of the model has the same batch shape (`batch_size`, short batches are padded
by repeating their first design), so the model is compiled once per study.
"""

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import objectives as ob

from ._config import Config, ConfigError
from ._designs import Designs, padded_chunks
from ._figures import CYCLES, FIGURES, OBJECTIVES, Role, constraint_names, study_figures
from ._variables import AXLES, TYRE, bounds
from ._vehicles import assemble, encode, plain_arrays, reference_vehicles, tyre_of

__all__ = ["Scorer", "constraint_names", "feasible", "told_values", "check_reachable"]
WORST_ACCEL_S = 1e3  # told to the sampler for a design that cannot reach 100 km/h


class Scorer:
    """Scores designs of one study. `figures(designs)` -> dict of arrays (`explore._figures.FIGURES`)."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        # A batch larger than the study would pad every call with designs nobody asked for.
        self.batch_size = min(cfg.study.batch_size, cfg.study.n_trials)
        self.cycles = CYCLES[cfg.objective.range]

    def model_figures(self, vehicles: ob.Vehicle, n: int) -> dict[str, np.ndarray]:
        """Model outputs for a batched Vehicle of `n` designs, in chunks of `batch_size`."""
        vehicles = plain_arrays(vehicles)  # numpy leaves: a chunk is picked without a JAX dispatch per leaf
        parts = []
        for start, stop, index in padded_chunks(n, self.batch_size):
            chunk = jax.tree.map(lambda x, index=index: x[index], vehicles)
            out = _compiled_score(self)(chunk)
            parts.append(_numpy(out, stop - start))
        return _concatenate(parts)

    def figures(self, designs: Designs) -> dict[str, np.ndarray]:
        """Objectives, derived figures and constraints for `designs`: one compiled
        call (designs to vehicles to model outputs) per chunk of `batch_size`."""
        fn = _compiled_model(self)
        parts = [
            _numpy(fn(encode(chunk, self.cfg.vehicle)), stop - start)
            for start, stop, chunk in designs.chunks(self.batch_size)
        ]
        return self.derive(_concatenate(parts))

    def reference_figures(self) -> dict[str, np.ndarray]:
        """Study figures of the platform's published variants (`reference_vehicles`), scored
        once per study and process (the warm-up thread scores them while the sampler works)."""
        key = ("references", *study_key(self.cfg))
        if key not in _COMPILED:
            vehicles = reference_vehicles(self.cfg.vehicle)[1]
            _COMPILED[key] = self.derive(self.model_figures(ob.stack(vehicles), len(vehicles))) if vehicles else {}
        return _COMPILED[key]

    def derive(self, out: dict[str, Any], xp: Any = np) -> dict[str, Any]:
        """Study figures (units in the names) from raw model outputs (SI): the rows of
        `explore._figures.FIGURES` this study has, in order. A constraint that is not finite
        counts as violated (a NaN would hide a violation).

        `xp` is the array module: numpy, or jax.numpy when the outputs are traced
        (`jacobian`)."""
        values = dict(out)
        fig: dict[str, Any] = {}
        for f in study_figures(self.cfg):
            value = f.compute(values, self.cfg, xp)
            if f.role is Role.constraint:
                value = xp.where(xp.isfinite(value), value, 1.0)
            fig[f.name] = values[f.name] = value
        return fig

    def jacobian(self, designs: Designs, names: Sequence[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Figures and their derivatives in the variables `names` (relaxed: counts may be
        fractional), by forward mode, for `designs`.

        Returns (values, derivs): dicts keyed by accel_0_100_s, range_km and the
        constraint names, of arrays shaped (n,) and (n, len(names)), per unit of each
        variable as declared (kW, N m, ...). One compiled call per chunk of `batch_size`
        designs (`_compiled_jacobian`); designs are independent, so moving every design
        of a chunk along one variable at once gives each design its own derivative.
        """
        if not names or not len(designs):
            raise ValueError("jacobian needs at least one design and one variable")
        fn = _compiled_jacobian(self, tuple(names))
        parts = []
        for start, stop, chunk in designs.chunks(self.batch_size):
            codes = encode(chunk, self.cfg.vehicle)
            x0 = np.stack([np.asarray(chunk[k], float) for k in names], axis=1)
            parts.append(tuple({k: np.asarray(v, float)[: stop - start] for k, v in d.items()} for d in fn(codes, x0)))
        values, derivs = ({k: np.concatenate([p[i][k] for p in parts]) for k in parts[0][i]} for i in (0, 1))
        return values, derivs

    def reasons(self, fig: dict[str, np.ndarray]) -> list[str]:
        """Why each design is infeasible ('' when feasible): list of str."""
        violated = [(f, f.reason) for f in FIGURES if f.reason is not None and f.name in fig]
        out = []
        for i in range(len(fig["accel_0_100_s"])):
            why = ob.describe_infeasible(fig["infeasible"][i])
            why += [reason(fig, i, self.cfg) for f, reason in violated if fig[f.name][i] > 0.0]
            out.append("; ".join(why))
        return out


_COMPILED: dict[
    tuple[Any, ...], Any
] = {}  # (what the figures depend on, ...) -> jitted function (or figures): once per study


STUDY_PARTS = ("vehicle", "space", "constraints", "objective")  # what a study's figures depend on


def study_key(cfg: Config) -> tuple[str, ...]:
    return tuple(repr(getattr(cfg, part)) for part in STUDY_PARTS)


def _numpy(out: dict[str, Any], n: int) -> dict[str, np.ndarray]:
    """The first `n` designs of model outputs, as float64 (int64 for the infeasible bits) numpy."""
    return {k: np.asarray(v, dtype=np.int64 if k == "infeasible" else np.float64)[:n] for k, v in out.items()}


def _concatenate(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}


def _model(scorer: Scorer, codes: dict[str, Any]) -> dict[str, jax.Array]:
    """Model outputs of `scorer`'s study for `encode`d designs (traceable)."""
    cfg = scorer.cfg
    return ob.score(assemble(codes, cfg.vehicle, cfg.space), cycles=scorer.cycles, rollout=cfg.objective.rollout)


def _compiled_model(scorer: Scorer) -> Callable[[dict[str, Any]], dict[str, jax.Array]]:
    """`_model` jitted (`assemble` and `objectives.score` in one program: no eager JAX
    dispatch per design batch), shared by every `Scorer` of the same study, its traced
    program kept on disk (`objectives.Program`)."""
    key = ("model", *study_key(scorer.cfg))
    fn = _COMPILED.get(key)
    if fn is None:
        fn = _COMPILED[key] = ob.Program(lambda codes: _model(scorer, codes), _program_name(key))
    return fn


def _compiled_score(scorer: Scorer) -> Callable[[ob.Vehicle], dict[str, jax.Array]]:
    """`objectives.score` of `scorer`'s cycles and rollout, its traced program kept on disk."""
    key = ("score", scorer.cycles, scorer.cfg.objective.rollout)
    fn = _COMPILED.get(key)
    if fn is None:
        score = functools.partial(ob.score, cycles=scorer.cycles, rollout=scorer.cfg.objective.rollout)
        fn = _COMPILED[key] = ob.Program(score, _program_name(key))
    return fn


def _program_name(key: tuple[Any, ...]) -> str:
    """A file name for the traced program of `key` (what it is, and what the study's figures
    depend on: `study_key`)."""
    return f"{key[0]}-{hashlib.sha256(repr(key[1:]).encode()).hexdigest()[:16]}"


JacobianFn = Callable[[dict[str, Any], np.ndarray], tuple[dict[str, jax.Array], dict[str, jax.Array]]]


def _compiled_jacobian(scorer: Scorer, names: tuple[str, ...]) -> JacobianFn:
    """The map (codes, x) -> (figures, d figures / d x) of `scorer`'s study in the variables
    `names`: the design-to-figures map (`assemble`, `objectives.score`,
    `Scorer.derive`) differentiated by forward mode: one jitted `jvp` along the variable of a
    traced index, called once per variable (a vmap over all tangents compiled for 50 % longer
    and ran no faster), compiled once per chunk shape and shared by every `Scorer` of the
    same study (the refinement, the front's slopes, the warm-up)."""
    key = ("jacobian", *study_key(scorer.cfg), names)
    fn = _COMPILED.get(key)
    if fn is None:

        def figures(codes: dict[str, Any], x: jax.Array) -> dict[str, jax.Array]:
            fig = scorer.derive(_model(scorer, {**codes, **{k: x[:, j] for j, k in enumerate(names)}}), xp=jnp)
            return {k: fig[k] for k in (*(f.name for f in OBJECTIVES), *constraint_names(fig))}

        def tangent(codes: dict[str, Any], x: jax.Array, j: int) -> tuple[Any, Any]:
            return jax.jvp(lambda y: figures(codes, y), (x,), (jnp.zeros_like(x).at[:, j].set(1.0),))

        along = ob.Program(tangent, _program_name(key))

        def values_and_derivs(
            codes: dict[str, Any], x: np.ndarray
        ) -> tuple[dict[str, jax.Array], dict[str, jax.Array]]:
            per_var = [along(codes, x, j) for j in range(len(names))]
            return per_var[0][0], {k: jnp.stack([d[1][k] for d in per_var], axis=1) for k in per_var[0][1]}

        fn = _COMPILED[key] = values_and_derivs
    return fn


def feasible(fig: dict[str, np.ndarray]) -> np.ndarray:
    """True where every constraint is satisfied (bool array)."""
    return np.all([fig[k] <= 0.0 for k in constraint_names(fig)], axis=0)


def told_values(fig: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Finite objective values to tell the sampler: [accel_0_100_s, range_km] per design."""
    accel = np.where(np.isfinite(fig["accel_0_100_s"]) & (fig["infeasible"] == 0), fig["accel_0_100_s"], WORST_ACCEL_S)
    range_km = np.where(np.isfinite(fig["range_km"]) & (fig["infeasible"] == 0), fig["range_km"], 0.0)
    return np.minimum(accel, WORST_ACCEL_S), np.maximum(range_km, 0.0)


def check_reachable(cfg: Config) -> None:
    """Raise `ConfigError` for an enabled constraint that no design of the space can meet.

    Bounds come from the variables' ranges, not from a search: the tallest gearing at the
    motors' top speed for top speed; the smallest pack for energy and mass; the fewest
    and the most cells in series for the voltage window.
    """
    c, space = cfg.constraints, cfg.space
    var = space.variables
    layouts = set(var["layout"].choices or ())
    if c.top_speed.enabled:
        tallest = []
        for axle in AXLES:
            if layouts & {axle, "dual"}:
                gears = var.get(f"{axle}_gears")
                two = gears is not None and 2 in (gears.choices or ())
                low = bounds(var[f"{axle}_ratio"])[0]
                tallest.append(low * (bounds(var[f"{axle}_ratio_2_frac"])[0] if two else 1.0))
        ratio = min(tallest)
        names = (var[TYRE].choices or ()) if TYRE in var else [cfg.vehicle.tyre]
        radius = max(float(tyre_of(cfg.vehicle, name).rolling_radius()) for name in names)
        v_max = ob.units.mps_to_kmh(space.motor_max_speed_rpm * ob.units.RPM * radius / ratio)
        if c.top_speed.min_kmh > v_max:
            raise ConfigError(
                f"`constraints.top_speed.min_kmh` {c.top_speed.min_kmh:g} cannot be met: the tallest gearing of "
                f"the space (overall ratio {ratio:g} at {space.motor_max_speed_rpm:g} rpm) tops out at "
                f"{v_max:.0f} km/h; lower it, or widen the ratio bounds or space.motor_max_speed_rpm"
            )
    series = tuple(int(b) for b in bounds(var["cells_series"]))
    parallel = int(bounds(var["cells_parallel"])[0])
    packs = {
        chem: [
            ob.Pack(
                cell=ob.CELLS[chem],
                n_series=float(n),
                n_parallel=float(parallel) * cfg.vehicle.cell_size,
                mass_factor=ob.PACK_MASS_FACTOR[chem],
            )
            for n in series
        ]
        for chem in var["chemistry"].choices or ()
    }
    fewest = f"{series[0]}s{parallel}p"
    if c.pack_fits.enabled:
        limits = (
            (
                "max_energy_kwh",
                c.pack_fits.max_energy_kwh,
                lambda p: float(p.gross_energy()) / ob.units.KWH,
                "holds {:.1f} kWh",
            ),
            ("max_mass_kg", c.pack_fits.max_mass_kg, lambda p: float(p.mass()), "weighs {:.0f} kg"),
        )
        for key, limit, figure, what in limits:
            values = {chem: figure(p[0]) for chem, p in packs.items()}
            chem = min(values, key=values.__getitem__)
            if values[chem] > limit:
                raise ConfigError(
                    f"`constraints.pack_fits.{key}` {limit:g} cannot be met: the smallest pack of the space "
                    f"({fewest} {chem}) {what.format(values[chem])}; raise it, or lower "
                    "space.variables.cells_series.low or cells_parallel.low"
                )
    if c.pack_voltage.enabled:
        top = {chem: float(p[0].ocv(p[0].soc_max)) for chem, p in packs.items()}
        bottom = {chem: float(p[1].ocv(p[1].soc_min)) for chem, p in packs.items()}
        chem = min(top, key=top.__getitem__)
        if top[chem] > c.pack_voltage.max_v:
            raise ConfigError(
                f"`constraints.pack_voltage.max_v` {c.pack_voltage.max_v:g} cannot be met: the fewest cells in "
                f"series ({series[0]} {chem}) reach {top[chem]:.0f} V full; raise it, or lower "
                "space.variables.cells_series.low"
            )
        chem = max(bottom, key=bottom.__getitem__)
        if bottom[chem] < c.pack_voltage.min_v:
            raise ConfigError(
                f"`constraints.pack_voltage.min_v` {c.pack_voltage.min_v:g} cannot be met: the most cells in series "
                f"({series[1]} {chem}) hold only {bottom[chem]:.0f} V empty; lower it, or raise "
                "space.variables.cells_series.high"
            )
