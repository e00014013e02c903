"""Energy consumption on a drive cycle (backward-facing, quasi-static).

At each step of the trace (mean speed v, acceleration a over the step), at the test mass
of the cycle's standard (WLTP or EPA):

1. wheel force  F = m_eff a + road load(v) + coast-down drag(v)   (none while standing still).
   The tests run on a dynamometer set to the road load a coast-down measured, and a car
   coasting in neutral still turns its motors and gearboxes: their idle drag (iron loss of
   permanent magnets, bearings, gear churning; nothing for a disconnected axle) is part of
   that road load, and the car pays it again through its own powertrain on the rolls;
2. braking (F < 0) is recovered by the motors up to their torque envelope, the pack's
   charge power and a low-speed fade; the friction brakes take the rest;
3. the controller chooses, at every step, how to share the force between the axles and
   which gear each two-speed box uses, for the least power drawn from the battery. The
   candidate splits are both axles in proportion to their peak force (least copper loss),
   the front axle alone, and the rear axle alone; an axle that carries no torque idles
   (a permanent-magnet motor still pays its iron loss; a de-excited machine does not; a
   disconnected axle stops its motors and gearbox). Each gear must supply its share;
4. each axle's DC power is its wheel power plus gear loss (mesh ~ torque, spin ~ speed),
   motor loss and inverter loss; the auxiliary load is added on the DC bus;
5. the pack current follows from the terminal power at the open-circuit voltage averaged
   over the usable window, and the energy drawn from the cells is V_oc I (the I^2 R loss
   included).

Steps are independent given the OCV, so the whole trace is evaluated as one vectorised
expression (no time loop): the open-circuit voltage changes by a few per cent over the
usable window and the loss it affects is ~1 % of the energy, so the window average is
used rather than tracking SOC through one cycle. The rotating inertia on the cycle is
taken in first gear.

Range = usable energy / (energy from cells per metre).
"""

import functools
from typing import Literal, TypedDict, cast, overload

import jax
import jax.numpy as jnp
import numpy as np

from ._cycles import load_cycle
from ._gearing import Axle
from ._pytree import Leaf
from ._vehicle import Vehicle

STANDARD = {"wltc": "wltp", "udds": "epa", "hwfet": "epa", "us06": "epa"}  # test mass of each cycle
_NEVER = 1e12  # W: the power of a split that cannot supply the force


class _Gear(TypedDict):
    """One gear of an axle along a trace, as `_gears` lists it."""

    ratio: Leaf
    drive: jax.Array
    brake: jax.Array
    idle: jax.Array
    terms: tuple[jax.Array, jax.Array, jax.Array, jax.Array]


@functools.cache
def cycle_steps(name: str, dt: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Moving steps (speed m/s, accel m/s^2, duration s) of a cycle, and its idle time (s)."""
    speed, accel, h = load_cycle(name).steps(dt)
    idle = (speed == 0.0) & (accel == 0.0)
    return speed[~idle], accel[~idle], h[~idle], float(h[idle].sum())


def _pick(pick: bool | jax.Array, a: tuple[Leaf, ...], b: tuple[Leaf, ...]) -> tuple[jax.Array, ...]:
    """`a` where `pick`, else `b` (tuples of arrays)."""
    return tuple(jnp.where(pick, x, y) for x, y in zip(a, b))


def _gears(axle: Axle, speed: Leaf, inv_speed: Leaf, v_bus: Leaf) -> list[_Gear]:
    """Per gear of the axle: its ratio, the largest drive and brake forces at each step (N),
    its DC power idling (W) and the terms of its DC power under load (`Axle.dc_terms`)."""
    eta = axle.gearbox.efficiency
    out: list[_Gear] = []
    for ratio in axle.ratios():
        force = axle.max_force(speed, ratio, inv_speed)
        out.append(
            {
                "ratio": ratio,
                "drive": force * eta,
                "brake": force * (1.0 / eta),
                "idle": cast(jax.Array, axle.idle_flows(speed, ratio, v_bus)["dc"]),  # an array (it holds a spin loss)
                "terms": axle.dc_terms(speed, ratio, v_bus),
            }
        )
    return out


def _idle(gears: list[_Gear]) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(DC power W, force 0, ratio) of an axle idling in the gear that idles with less loss."""
    dc, ratio = gears[0]["idle"], gears[0]["ratio"]
    for g in gears[1:]:
        dc, ratio = _pick(g["idle"] < dc, (g["idle"], g["ratio"]), (dc, ratio))
    return dc, jnp.zeros_like(dc), ratio * jnp.ones_like(dc)


def _axle_at(force: jax.Array, gears: list[_Gear], eta: Leaf) -> tuple[tuple[jax.Array, ...], jax.Array]:
    """(DC power W, force N, ratio) of an axle asked for `force` (N, signed) at each step, in
    the gear that draws least, and its rank: the DC power, or `_NEVER` where no gear supplies
    a tractive force. Braking beyond the axle's envelope goes to the friction brakes."""
    best: tuple[jax.Array, ...] | None = None
    for g in gears:
        used = jnp.where(force < 0.0, jnp.maximum(force, -g["brake"]), force)
        base, v_term, q, lin = g["terms"]
        f = used * jnp.where(used >= 0.0, 1.0 / eta, eta)  # the mesh loss adds in drive, takes in regen
        dc = jnp.where(used == 0.0, g["idle"], base + f * (v_term + q * f) + lin * jnp.abs(f))
        rank = jnp.where(force <= g["drive"] * (1.0 + 1e-6), dc, _NEVER)
        here = (dc, used, g["ratio"] * jnp.ones_like(dc), rank)
        best = here if best is None else _pick(rank < best[3], here, best)
    best = cast(tuple[jax.Array, ...], best)  # `gears` is never empty
    return best[:3], best[3]


def step_powers(
    vehicle: Vehicle,
    speed: Leaf,
    accel: Leaf,
    inv_speed: Leaf | None = None,
    standard: str = "wltp",
) -> dict[str, jax.Array]:
    """Power flows (W) at each step, as a dict of arrays shaped like `speed`.

    Keys: battery (drawn from the cells, V_oc I), terminal, wheel (signed, the dynamometer's
    coast-down drag included), dyno_drag (that drag, >= 0), friction_brake (dissipated, >= 0),
    motor_loss, gear_loss, inverter_loss, battery_loss, aux, and shortfall (N, tractive force
    the powertrain could not supply; 0 when it follows).
    `inv_speed` (s/m), 1/max(speed, 0.1) precomputed for a fixed trace, saves divisions.
    The search over splits and gears ranks DC power only (`Axle.dc_terms`); the losses of
    the chosen operating points are then taken apart with `Axle.flows` (unused, and so not
    computed, when only the energy is asked for).
    """
    pack = vehicle.pack
    mass = vehicle.test_mass(standard)
    if inv_speed is None:
        inv_speed = 1.0 / jnp.maximum(speed, 0.1)
    moving = speed > 0.0
    v_bus = vehicle.bus_voltage()
    axles = vehicle.axles()
    gears = [_gears(a, speed, inv_speed, v_bus) for a in axles]
    idle = [_idle(g) for g in gears]
    coast_drag = (idle[0][0] + idle[1][0]) * inv_speed
    road = jnp.where(moving, vehicle.road_load(speed, mass) + coast_drag, 0.0)
    rotating = sum(a.inertia(a.gearbox.ratio_low) / a.wheel_radius() ** 2 for a in axles)
    wheel = (mass + rotating) * accel + road

    soc = 0.5 * (pack.soc_min + pack.soc_max)
    fade_rate = 1.0 / (vehicle.regen_fade_high - vehicle.regen_fade_low)
    fade = jnp.clip((speed - vehicle.regen_fade_low) * fade_rate, 0.0, 1.0)
    # Wheel-side regen power never exceeds the pack's charge limit (losses only lower it).
    charge_limit = pack.max_charge_power(soc) * inv_speed
    demand = jnp.where(wheel >= 0.0, wheel, jnp.maximum(wheel * fade, -charge_limit))

    share = vehicle.drive_share()
    split = [_axle_at(s * demand, g, a.gearbox.efficiency) for a, s, g in zip(axles, (share, 1.0 - share), gears)]
    alone = [_axle_at(demand, g, a.gearbox.efficiency) for a, g in zip(axles, gears)]
    options = [  # (front, rear, rank); the split is always a candidate (the shortfall flags it)
        (split[0][0], split[1][0], split[0][0][0] + split[1][0][0]),
        (alone[0][0], idle[1], alone[0][1] + idle[1][0]),
        (idle[0], alone[1][0], idle[0][0] + alone[1][1]),
    ]
    front, rear, best = options[0]
    for f, r, rank in options[1:]:
        pick = rank < best
        front, rear, best = _pick(pick, f, front), _pick(pick, r, rear), jnp.where(pick, rank, best)

    terminal = front[0] + rear[0] + vehicle.aux_power
    ocv = pack.mean_ocv()
    current = pack.current(terminal, ocv)
    battery = ocv * current

    capacity = sum(functools.reduce(jnp.maximum, [g["drive"] for g in axle_gears]) for axle_gears in gears)
    shortfall = jnp.maximum(wheel - capacity, 0.0)
    over_power = jnp.maximum(terminal - pack.max_discharge_power(soc), 0.0)
    shortfall = shortfall + over_power * inv_speed

    def losses(axle: Axle, point: tuple[jax.Array, ...]) -> dict[str, jax.Array]:
        _, force, ratio = point
        excited = axle.flows(force, speed, ratio, v_bus)
        return {k: jnp.where(force == 0.0, v, excited[k]) for k, v in axle.idle_flows(speed, ratio, v_bus).items()}

    parts = [losses(a, point) for a, point in zip(axles, (front, rear))]
    regen = front[1] + rear[1]
    return {
        "battery": battery,
        "terminal": terminal,
        "wheel": wheel * speed,
        "dyno_drag": jnp.where(moving, coast_drag, 0.0) * speed,
        "friction_brake": jnp.maximum(regen - wheel, 0.0) * speed,
        **{k: parts[0][k] + parts[1][k] for k in ("motor_loss", "gear_loss", "inverter_loss")},
        "battery_loss": battery - terminal,
        "aux": jnp.full_like(speed, 1.0) * vehicle.aux_power,
        "shortfall": shortfall,
    }


def idle_battery_power(vehicle: Vehicle) -> jax.Array:
    """Power drawn from the cells (W) while standing still (auxiliaries only)."""
    ocv = vehicle.pack.mean_ocv()
    return ocv * vehicle.pack.current(vehicle.aux_power, ocv)


@overload
def cycle_energy(
    vehicle: Vehicle, name: str, dt: float | None = None, breakdown: Literal[False] = False
) -> tuple[jax.Array, float, jax.Array]: ...


@overload
def cycle_energy(
    vehicle: Vehicle, name: str, dt: float | None = None, *, breakdown: Literal[True]
) -> tuple[jax.Array, float, jax.Array, dict[str, jax.Array]]: ...


@overload
def cycle_energy(
    vehicle: Vehicle, name: str, dt: float | None = None, breakdown: bool = False
) -> tuple[jax.Array, float, jax.Array] | tuple[jax.Array, float, jax.Array, dict[str, jax.Array]]: ...


def cycle_energy(
    vehicle: Vehicle, name: str, dt: float | None = None, breakdown: bool = False
) -> tuple[jax.Array, float, jax.Array] | tuple[jax.Array, float, jax.Array, dict[str, jax.Array]]:
    """Energy from the cells over one cycle (J), distance (m) and whether it was followed.

    With `breakdown=True` also returns a dict of energies (J) per power flow.
    """
    speed, accel, h, idle_time = cycle_steps(name, dt)
    # The trace's host (numpy) arrays go where the model takes a `Leaf`; JAX converts them.
    powers = step_powers(vehicle, cast(Leaf, speed), cast(Leaf, accel), 1.0 / np.maximum(speed, 0.1), STANDARD[name])
    idle = idle_battery_power(vehicle) * idle_time
    energy = jnp.sum(powers["battery"] * h) + idle
    distance = float(np.sum(speed * h))
    follows = jnp.max(powers["shortfall"]) <= 1.0
    if not breakdown:
        return energy, distance, follows
    parts = {k: jnp.sum(p * h) for k, p in powers.items() if k != "shortfall"}
    parts["aux"] = parts["aux"] + vehicle.aux_power * idle_time
    parts["battery"] = energy
    parts["battery_loss"] = parts["battery_loss"] + idle - vehicle.aux_power * idle_time
    parts["terminal"] = parts["terminal"] + vehicle.aux_power * idle_time
    return energy, distance, follows, parts


def cycle_trace(vehicle: Vehicle, name: str) -> dict[str, np.ndarray | jax.Array]:
    """The drive-cycle run step by step, idle steps included (dict of arrays, one per step).

    Keys: time_s (end of each step), speed_mps (mean over the step), battery_power_w
    (drawn from the cells, negative when charging), soc (state of charge at the end of
    each step, starting full at `soc_max`). The charge drawn is the pack current at the
    window-mean open-circuit voltage, as in `cycle_energy`, so the SOC trace and the
    cycle energy agree.
    """
    cycle = load_cycle(name)
    speed, accel, h = cycle.steps()
    # The trace's host (numpy) arrays go where the model takes a `Leaf`; JAX converts them.
    powers = step_powers(vehicle, cast(Leaf, speed), cast(Leaf, accel), 1.0 / np.maximum(speed, 0.1), STANDARD[name])
    pack = vehicle.pack
    current = powers["battery"] / pack.mean_ocv()
    charge = pack.n_parallel * pack.cell.capacity
    soc = pack.soc_max - jnp.cumsum(current * h) / charge
    return {"time_s": cycle.time[1:], "speed_mps": speed, "battery_power_w": powers["battery"], "soc": soc}
