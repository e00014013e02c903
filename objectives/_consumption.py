"""Energy consumption on a drive cycle (backward-facing, quasi-static).

At each step of the trace (mean speed v, acceleration a over the step):

1. wheel force  F = m_eff a + C_rr m g + 0.5 rho C_d A v^2   (none while standing still);
2. traction (F > 0) is split between axles in proportion to their peak force;
   braking (F < 0) is recovered by the motors up to their torque envelope, the pack's
   charge power and a low-speed fade, axle by axle; the friction brakes take the rest;
3. each axle's motor torque, speed and losses give its DC power (gear, motor and inverter
   losses); the auxiliary load is added on the DC bus;
4. the pack current follows from the terminal power at the open-circuit voltage averaged
   over the usable window, and the energy drawn from the cells is V_oc I (the I^2 R loss
   included).

Steps are independent given the OCV, so the whole trace is evaluated as one vectorised
expression (no time loop): the open-circuit voltage changes by a few per cent over the
usable window and the loss it affects is ~1 % of the energy, so the window average is
used rather than tracking SOC through one cycle.

Range = usable energy / (energy from cells per metre).
"""

import functools

import jax.numpy as jnp
import numpy as np

from ._cycles import load_cycle


@functools.cache
def cycle_steps(name, dt=None):
    """Moving steps (speed m/s, accel m/s^2, duration s) of a cycle, and its idle time (s)."""
    speed, accel, h = load_cycle(name).steps(dt)
    idle = (speed == 0.0) & (accel == 0.0)
    return speed[~idle], accel[~idle], h[~idle], float(h[idle].sum())


def step_powers(vehicle, speed, accel, inv_speed=None):
    """Power flows (W) at each step, as a dict of arrays shaped like `speed`.

    Keys: battery (drawn from the cells, V_oc I), terminal, wheel (signed), friction_brake
    (dissipated, >= 0), motor_loss, gear_loss, inverter_loss, battery_loss, aux,
    and shortfall (N, tractive force the powertrain could not supply; 0 when it follows).
    `inv_speed` (s/m), 1/max(speed, 0.1) precomputed for a fixed trace, saves divisions.
    """
    body = vehicle.body
    pack = vehicle.pack
    r = body.wheel_radius
    mass = vehicle.test_mass()
    if inv_speed is None:
        inv_speed = 1.0 / jnp.maximum(speed, 0.1)
    moving = speed > 0.0
    road = jnp.where(moving, body.road_load(speed, mass), 0.0)
    wheel = vehicle.effective_mass(speed, mass) * accel + road
    drive = jnp.maximum(wheel, 0.0)
    brake = jnp.minimum(wheel, 0.0)

    soc = 0.5 * (pack.soc_min + pack.soc_max)
    cap_front = vehicle.front.max_force(speed, r, inv_speed)
    cap_rear = vehicle.rear.max_force(speed, r, inv_speed)
    fade_rate = 1.0 / (vehicle.regen_fade_high - vehicle.regen_fade_low)
    fade = jnp.clip((speed - vehicle.regen_fade_low) * fade_rate, 0.0, 1.0)
    # Wheel-side regen power never exceeds the pack's charge limit (losses only lower it).
    charge_limit = pack.max_charge_power(soc) * inv_speed
    regen = jnp.maximum(brake * fade, -charge_limit)
    share = vehicle.drive_share()
    regen_cap_front = vehicle.front.max_force(speed, r, inv_speed, braking=True)
    regen_cap_rear = vehicle.rear.max_force(speed, r, inv_speed, braking=True)
    regen_front = jnp.maximum(share * regen, -regen_cap_front)
    regen_rear = jnp.maximum((1.0 - share) * regen, -regen_cap_rear)
    force_front = share * drive + regen_front
    force_rear = (1.0 - share) * drive + regen_rear

    dc_f, motor_f, gear_f, inv_f = vehicle.front.power_flows(force_front, speed, r)
    dc_r, motor_r, gear_r, inv_r = vehicle.rear.power_flows(force_rear, speed, r)
    terminal = dc_f + dc_r + vehicle.aux_power
    ocv = pack.mean_ocv()
    current = pack.current(terminal, ocv)
    battery = ocv * current

    shortfall = jnp.maximum(force_front - cap_front, 0.0) + jnp.maximum(force_rear - cap_rear, 0.0)
    over_power = jnp.maximum(terminal - pack.max_discharge_power(soc), 0.0)
    shortfall = shortfall + over_power * inv_speed
    return {
        "battery": battery,
        "terminal": terminal,
        "wheel": wheel * speed,
        "friction_brake": (regen_front + regen_rear - brake) * speed,
        "motor_loss": motor_f + motor_r,
        "gear_loss": gear_f + gear_r,
        "inverter_loss": inv_f + inv_r,
        "battery_loss": battery - terminal,
        "aux": jnp.full_like(speed, 1.0) * vehicle.aux_power,
        "shortfall": shortfall,
    }


def idle_battery_power(vehicle):
    """Power drawn from the cells (W) while standing still (auxiliaries only)."""
    ocv = vehicle.pack.mean_ocv()
    return ocv * vehicle.pack.current(vehicle.aux_power, ocv)


def cycle_energy(vehicle, name, dt=None, breakdown=False):
    """Energy from the cells over one cycle (J), distance (m) and whether it was followed.

    With `breakdown=True` also returns a dict of energies (J) per power flow.
    """
    speed, accel, h, idle_time = cycle_steps(name, dt)
    powers = step_powers(vehicle, speed, accel, 1.0 / np.maximum(speed, 0.1))
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


def cycle_trace(vehicle, name):
    """The drive-cycle run step by step, idle steps included (dict of arrays, one per step).

    Keys: time_s (end of each step), speed_mps (mean over the step), battery_power_w
    (drawn from the cells, negative when charging), soc (state of charge at the end of
    each step, starting full at `soc_max`). The charge drawn is the pack current at the
    window-mean open-circuit voltage, as in `cycle_energy`, so the SOC trace and the
    cycle energy agree.
    """
    cycle = load_cycle(name)
    speed, accel, h = cycle.steps()
    powers = step_powers(vehicle, speed, accel, 1.0 / np.maximum(speed, 0.1))
    pack = vehicle.pack
    current = powers["battery"] / pack.mean_ocv()
    charge = pack.n_parallel * pack.cell.capacity
    soc = pack.soc_max - jnp.cumsum(current * h) / charge
    return {"time_s": cycle.time[1:], "speed_mps": speed, "battery_power_w": powers["battery"], "soc": soc}
