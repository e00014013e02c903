"""Acceleration and top speed (quasi-static, level road).

0-100 km/h: the time is the integral over speed of dt = dv / a(v). At each speed each
axle's motors can push with F_i (the least of motor envelope, in the gear with more force,
at the launch (boost) rating, and a common cut that keeps the battery within its power
limit). The tyre passes on what is left after the motors have spun up their own
axle's rotating parts, up to its grip:

    f_i = min(F_i - k_i a, mu_i N_i(a)),   k_i = J_i / r_i^2,   m a = f_front + f_rear - R(v)

(an undriven axle has F_i = 0 and is spun up by the road). Grip therefore limits the force
that accelerates the car's translational mass, never the motor's spinning up of the
rotors and wheels. The normal loads carry the load transfer N_front = m (g w_f - a h / L).
Each f_i is the lesser of two lines in a, so the equation has the exact solution
a = min over the four combinations of the linear equations' roots (each side decreasing
in a; a line that rises with a, possible only for mu h / L >= 1, never binds). The integral
is a trapezoid rule on a uniform speed grid; it is exact for
constant force and for constant power and converges as O(dv^2) otherwise (tested).
The 1-ft rollout time comes from the same grid's distance integral ds = v dv / a.

Top speed: the largest speed where the tractive limit still exceeds road load, at the
motors' peak rating (`top_speed`) or their 30-minute rating (`sustained_speed`), found by
bisection and finished with one Newton step so its gradient follows the implicit function
theorem.
"""

import jax
import jax.numpy as jnp
from jax import lax

from ._battery import safe_sqrt
from ._gearing import Axle
from ._motor import SynchronousMotor
from ._pytree import Leaf
from ._units import G0, KMH
from ._vehicle import Vehicle

N_SPEED_NODES = 96
ROLLOUT_M = 0.3048  # 1 ft
RATINGS = ("boost", "peak", "continuous")


def _power_frac(motor: SynchronousMotor, rating: str) -> Leaf:
    return {"boost": motor.boost_power_frac, "peak": 1.0, "continuous": motor.continuous_power_frac}[rating]


def best_gear(axle: Axle, speed: Leaf, rating: str = "peak") -> tuple[jax.Array, jax.Array]:
    """(force N, ratio) of the gear with the larger tractive force at `speed` (m/s); second gear
    where the two are equal (`ratios()` lists first gear first)."""
    frac = _power_frac(axle.motor, rating)
    eta = axle.gearbox.efficiency
    ratios = axle.ratios()
    force, ratio = axle.max_force(speed, ratios[0], power_frac=frac), ratios[0]
    for other in ratios[1:]:
        f = axle.max_force(speed, other, power_frac=frac)
        # Where both gears are on the power limit they give the same force: take the taller
        # gear (less rotor inertia to spin up), as a driver shifts up when it costs no force.
        better = f >= force * (1.0 - 1e-9)
        force, ratio = jnp.where(better, f, force), jnp.where(better, other, ratio)
    return force * eta, jnp.asarray(ratio) * jnp.ones_like(force)


def tractive_limits(
    vehicle: Vehicle, speed: Leaf, soc: Leaf, rating: str = "peak"
) -> tuple[tuple[jax.Array, jax.Array], tuple[jax.Array, jax.Array]]:
    """Largest tractive force per axle, ((front N, ratio), (rear N, ratio)), from motors and
    battery at `speed`, in the gear with more force, at the motors' `rating`.

    When the motors together would draw more than the pack's terminal power limit at
    `soc`, both axles' forces are scaled by the common factor s at which the DC demand
    equals that limit. The demand is quadratic in s (shaft power ~ s, copper loss ~ s^2,
    iron loss constant; the inverter's share follows), so it is fitted exactly through
    s = 0, 1/2, 1 and solved.
    """
    (f_front, g_front), (f_rear, g_rear) = (best_gear(a, speed, rating) for a in vehicle.axles())
    v_bus = vehicle.pack.ocv(soc)

    def demand(s: float) -> jax.Array:
        return (
            vehicle.front.dc_power(s * f_front, speed, g_front, v_bus)
            + vehicle.rear.dc_power(s * f_rear, speed, g_rear, v_bus)
            + vehicle.aux_power
        )

    d0, d_half, d1 = demand(0.0), demand(0.5), demand(1.0)
    a = jnp.maximum(2.0 * (d1 - 2.0 * d_half + d0), 0.0)
    b = d1 - d0 - a
    headroom = vehicle.pack.max_discharge_power(soc) - d0
    denom = b + safe_sqrt(b * b + 4.0 * a * headroom)
    s = 2.0 * headroom / jnp.where(denom > 0.0, denom, 1.0)
    s = jnp.where(d1 <= d0 + headroom, 1.0, jnp.clip(s, 0.0, 1.0))
    return (f_front * s, g_front), (f_rear * s, g_rear)


def launch_accel(vehicle: Vehicle, speed: Leaf, mass: Leaf, soc: Leaf) -> jax.Array:
    """Acceleration (m/s^2) of a full-throttle run at `speed` (see the module docstring)."""
    body = vehicle.body
    limits = tractive_limits(vehicle, speed, soc, "boost")
    road = vehicle.road_load(speed, mass)
    n_front, n_rear = body.axle_loads(mass, 0.0)
    dn = mass * body.cg_height / body.wheelbase  # d N_rear / d a
    terms: list[tuple[tuple[Leaf, Leaf], tuple[Leaf, Leaf]]] = []
    for axle, (force, ratio), n0, sign in zip(vehicle.axles(), limits, (n_front, n_rear), (-1.0, 1.0)):
        r = axle.wheel_radius()
        k = axle.inertia(ratio) / (r * r)
        mu = axle.tyre.friction
        # (force at a = 0, d force / d a) of the motor line and of the grip line
        terms.append(((force, -k), (mu * n0, sign * mu * dn)))
    roots: list[jax.Array] = []
    for f0, f1 in terms[0]:
        for r0, r1 in terms[1]:
            # A combination whose net force does not fall with a (only a rear grip line with
            # mu h / L >= 1, beyond any real tyre) never binds.
            denom = mass - f1 - r1
            ok = denom > 0.0
            roots.append(jnp.where(ok, (f0 + r0 - road) / jnp.where(ok, denom, 1.0), jnp.inf))
    return jnp.min(jnp.stack(roots), axis=0)


def accel_run(
    vehicle: Vehicle, target_speed: Leaf = 100.0 * KMH, n_nodes: int = N_SPEED_NODES
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """The run from standstill to `target_speed` on the speed grid.

    Returns (speed m/s, time s, distance m), each shaped (n_nodes + 1,), and `reaches`
    (False if the acceleration vanishes anywhere below the target; the times are then
    finite but meaningless).
    """
    mass = vehicle.accel_mass()
    speed = jnp.linspace(0.0, 1.0, n_nodes + 1) * target_speed
    accel = launch_accel(vehicle, speed, mass, vehicle.pack.soc_max)
    floor = 1e-3 * G0
    reaches = jnp.all(accel > floor)
    inv = 1.0 / jnp.maximum(accel, floor)
    dv = target_speed / n_nodes
    zero = jnp.zeros(1, inv.dtype)
    time = jnp.concatenate([zero, jnp.cumsum(0.5 * (inv[1:] + inv[:-1]) * dv)])
    dist_integrand = speed * inv
    dist = jnp.concatenate([zero, jnp.cumsum(0.5 * (dist_integrand[1:] + dist_integrand[:-1]) * dv)])
    return speed, time, dist, reaches


def accel_time(
    vehicle: Vehicle, target_speed: Leaf = 100.0 * KMH, rollout: Leaf = 0.0, n_nodes: int = N_SPEED_NODES
) -> tuple[jax.Array, jax.Array]:
    """Time (s) from standstill to `target_speed` (m/s), less the time to cover `rollout` (m).

    Returns (time_s, reaches) where `reaches` is False if the acceleration vanishes anywhere
    below the target (the time is then finite but meaningless).
    """
    _, time, dist, reaches = accel_run(vehicle, target_speed, n_nodes)
    t_rollout = jnp.interp(rollout, dist, time)
    return time[-1] - t_rollout, reaches


def top_speed(vehicle: Vehicle, upper: float = 120.0, n_bisect: int = 20, rating: str = "peak") -> jax.Array:
    """Top speed (m/s) on a level road at mid-window state of charge, at the motors' `rating`
    ('peak', or 'continuous' for the speed held for 30 minutes); capped at `upper` and at the
    vehicle's `speed_limit`."""
    pack = vehicle.pack
    soc = 0.5 * (pack.soc_min + pack.soc_max)
    mass = vehicle.accel_mass()
    n_front, n_rear = vehicle.body.axle_loads(mass, 0.0)

    def excess(v: jax.Array) -> jax.Array:
        (f_front, _), (f_rear, _) = tractive_limits(vehicle, v, soc, rating)
        tractive = jnp.minimum(f_front, vehicle.front.tyre.friction * n_front) + jnp.minimum(
            f_rear, vehicle.rear.tyre.friction * n_rear
        )
        return tractive - vehicle.road_load(v, mass)

    def bisect(_: jax.Array, bracket: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        lo, hi = bracket
        mid = 0.5 * (lo + hi)
        up = excess(mid) > 0.0
        return jnp.where(up, mid, lo), jnp.where(up, hi, mid)

    mass = jnp.asarray(mass)
    lo, hi = lax.fori_loop(0, n_bisect, bisect, (jnp.zeros_like(mass), jnp.full_like(mass, upper)))
    v0 = lax.stop_gradient(0.5 * (lo + hi))
    g, slope = jax.jvp(excess, (v0,), (jnp.ones_like(v0),))
    safe_slope = jnp.where(slope < 0.0, slope, -1.0)
    v = v0 - g / safe_slope
    return jnp.minimum(jnp.where(excess(jnp.full_like(mass, upper)) > 0.0, upper, v), vehicle.speed_limit)


def sustained_speed(vehicle: Vehicle, upper: float = 120.0) -> jax.Array:
    """Highest speed (m/s) the motors hold at their 30-minute (UN R85) rating; capped at `upper`."""
    return top_speed(vehicle, upper=upper, rating="continuous")
