"""The batched entry: score many designs with one jitted, vmapped call."""

import functools
from collections.abc import Sequence
from typing import SupportsInt

import jax
import jax.numpy as jnp

from ._constants import EPA_CITY_WEIGHT, EPA_LABEL_FACTOR, PEAK_POWER_SOC
from ._consumption import cycle_energy
from ._performance import ROLLOUT_M, accel_time, sustained_speed, top_speed
from ._pytree import Leaf
from ._vehicle import Vehicle

# Bits of the `infeasible` code.
NO_100 = 1
NO_CYCLE = 2
NO_ENERGY = 4
REASONS = {
    NO_100: "cannot reach 100 km/h (net force vanishes below it)",
    NO_CYCLE: "cannot follow a drive cycle (motor or pack power too low)",
    NO_ENERGY: "pack holds no usable energy (empty SOC window)",
}

CHUNK = 200  # designs per vmapped chunk inside `score`


def describe_infeasible(code: SupportsInt) -> list[str]:
    """Reasons (list of str) encoded in one `infeasible` value (int)."""
    return [text for bit, text in REASONS.items() if int(code) & bit]


def pack_figures(vehicle: Vehicle) -> dict[str, Leaf]:
    """Pack figures that platform constraints are written on (dict of scalars, SI).

    gross_energy_j, pack_mass_kg, pack_max_voltage_v / pack_min_voltage_v (open-circuit,
    at the ends of the usable window), peak_dc_power_w (all motors at their peak-power
    point plus the auxiliary load), peak_cell_current_a (cell current delivering it at
    `PEAK_POWER_SOC`, or at the bottom of the window if that is higher) and
    cell_max_current_a (the cell's rated peak discharge current).
    """
    pack = vehicle.pack
    v_bus = vehicle.bus_voltage()
    peak = vehicle.front.peak_dc_power(v_bus) + vehicle.rear.peak_dc_power(v_bus) + vehicle.aux_power
    soc = jnp.maximum(PEAK_POWER_SOC.value, pack.soc_min)
    return {
        "gross_energy_j": pack.gross_energy(),
        "pack_mass_kg": pack.mass(),
        "pack_max_voltage_v": pack.ocv(pack.soc_max),
        "pack_min_voltage_v": pack.ocv(pack.soc_min),
        "peak_dc_power_w": peak,
        "peak_cell_current_a": pack.current(peak, pack.ocv(soc)) / pack.n_parallel,
        "cell_max_current_a": pack.cell.max_discharge_current,
    }


def score_one(vehicle: Vehicle, cycles: Sequence[str] = ("wltc",), rollout: bool = False) -> dict[str, Leaf]:
    """All figures for one design (a dict of scalars, SI units in the names).

    `cycles` names the drive cycles to simulate; with both "udds" and "hwfet" the EPA
    two-cycle label range is added (55/45 city/highway by consumption, x 0.7).
    """
    out: dict[str, Leaf] = {}
    t, reaches = accel_time(vehicle, rollout=ROLLOUT_M if rollout else 0.0)
    out["accel_0_100_s"] = t
    out["top_speed_mps"] = top_speed(vehicle)
    out["sustained_speed_mps"] = sustained_speed(vehicle)
    usable = vehicle.pack.usable_energy()
    out["usable_energy_j"] = usable
    out["kerb_mass_kg"] = vehicle.kerb_mass()
    out.update(pack_figures(vehicle))
    infeasible = jnp.where(reaches, 0, NO_100) | jnp.where(usable > 0.0, 0, NO_ENERGY)
    consumption: dict[str, jax.Array] = {}
    for name in cycles:
        energy, distance, follows = cycle_energy(vehicle, name)
        consumption[name] = energy / distance
        out[f"{name}_consumption_j_per_m"] = consumption[name]
        infeasible = infeasible | jnp.where(follows, 0, NO_CYCLE)
    if "wltc" in consumption:
        out["wltp_range_m"] = usable / consumption["wltc"]
    if "udds" in consumption and "hwfet" in consumption:
        city = EPA_CITY_WEIGHT.value
        combined = city * consumption["udds"] + (1.0 - city) * consumption["hwfet"]
        out["epa_range_m"] = EPA_LABEL_FACTOR.value * usable / combined
    out["infeasible"] = infeasible.astype(jnp.int32)
    return out


@functools.partial(jax.jit, static_argnames=("cycles", "rollout"))
def score(vehicles: Vehicle, cycles: tuple[str, ...] = ("wltc",), rollout: bool = False) -> dict[str, jax.Array]:
    """Score a batch of designs: `vehicles` is a `Vehicle` whose leaves have a leading batch axis.

    Returns a dict of arrays shaped (batch,) with keys accel_0_100_s, top_speed_mps,
    sustained_speed_mps (held at the motors' 30-minute rating), usable_energy_j, kerb_mass_kg,
    the `pack_figures`, <cycle>_consumption_j_per_m, wltp_range_m (with "wltc"),
    epa_range_m (with "udds" and "hwfet") and infeasible (int bits, see `describe_infeasible`).
    Never raises on a bad design: infeasibility is data.

    The batch is processed in vmapped chunks of `CHUNK` designs: the per-step arrays of
    a chunk stay in cache, which is ~3x faster on a CPU than one vmap over everything. A
    batch of more than `CHUNK` that is not a multiple of it is padded to one with copies of
    its first design (`lax.map` would trace the model a second time for the remainder).
    """
    one = functools.partial(score_one, cycles=cycles, rollout=rollout)
    n = jax.tree.leaves(vehicles)[0].shape[0]
    pad = -n % CHUNK if n > CHUNK else 0
    if pad:
        vehicles = jax.tree.map(lambda x: jnp.concatenate([x, jnp.repeat(x[:1], pad, axis=0)]), vehicles)
    out = jax.lax.map(one, vehicles, batch_size=CHUNK)
    return jax.tree.map(lambda x: x[:n], out) if pad else out
