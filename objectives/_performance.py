"""Acceleration and top speed (quasi-static, level road).

0-100 km/h: the time is the integral over speed of dt = m_eff dv / F_net(v), where
F_net is the tractive force (least of motor envelope, battery power and tyre grip,
axle by axle, with load transfer) minus road load. The integral is a trapezoid rule
on a uniform speed grid; it is exact for constant force and for constant power, and
converges as O(dv^2) otherwise (tested). The 1-ft rollout time is found on the same
grid from the distance integral ds = v m_eff dv / F_net.

Top speed: the largest speed where the tractive limit still exceeds road load, found
by bisection and finished with one Newton step so its gradient follows the implicit
function theorem.
"""

import jax
import jax.numpy as jnp
from jax import lax

from ._units import G0, KMH

N_SPEED_NODES = 96
_TRACTION_ITERATIONS = 6
ROLLOUT_M = 0.3048  # 1 ft


def tractive_limits(vehicle, speed, soc):
    """Largest tractive force per axle (front, rear) in N from motors and battery at `speed`.

    When the motors together would draw more than the pack's terminal power limit at
    `soc`, both axles' forces are scaled by the common factor s at which the DC demand
    equals that limit. The demand is quadratic in s (shaft power ~ s, copper loss ~ s^2,
    iron loss constant), so it is fitted exactly through s = 0, 1/2, 1 and solved.
    """
    r = vehicle.body.wheel_radius
    f_front = vehicle.front.max_force(speed, r)
    f_rear = vehicle.rear.max_force(speed, r)

    def demand(s):
        return (
            vehicle.front.power_flows(s * f_front, speed, r)[0]
            + vehicle.rear.power_flows(s * f_rear, speed, r)[0]
            + vehicle.aux_power
        )

    d0, d_half, d1 = demand(0.0), demand(0.5), demand(1.0)
    a = jnp.maximum(2.0 * (d1 - 2.0 * d_half + d0), 0.0)
    b = d1 - d0 - a
    headroom = vehicle.pack.max_discharge_power(soc) - d0
    disc = jnp.maximum(b * b + 4.0 * a * headroom, 0.0)
    denom = b + jnp.sqrt(disc)
    s = 2.0 * headroom / jnp.where(denom > 0.0, denom, 1.0)
    s = jnp.where(d1 <= d0 + headroom, 1.0, jnp.clip(s, 0.0, 1.0))
    return f_front * s, f_rear * s


def net_force(vehicle, speed, mass, soc):
    """Net accelerating force (N) and effective mass (kg) at `speed` for a full-throttle run.

    Each axle delivers the lesser of its motor/battery limit and mu times its normal load,
    the load transfer depending on the acceleration itself: solved by fixed-point
    iteration (a contraction, factor ~ mu h / L).
    """
    body = vehicle.body
    f_front, f_rear = tractive_limits(vehicle, speed, soc)
    road = body.road_load(speed, mass)
    m_eff = vehicle.effective_mass(speed, mass)
    mu = body.tyre_friction
    accel = (jnp.minimum(f_front + f_rear, mu * mass * G0) - road) / m_eff
    for _ in range(_TRACTION_ITERATIONS):
        n_front, n_rear = body.axle_loads(mass, accel)
        tractive = jnp.minimum(f_front, mu * n_front) + jnp.minimum(f_rear, mu * n_rear)
        accel = (tractive - road) / m_eff
    return tractive - road, m_eff


def accel_run(vehicle, target_speed=100.0 * KMH, n_nodes=N_SPEED_NODES):
    """The run from standstill to `target_speed` on the speed grid.

    Returns (speed m/s, time s, distance m), each shaped (n_nodes + 1,), and `reaches`
    (False if the net force vanishes anywhere below the target; the times are then
    finite but meaningless).
    """
    mass = vehicle.accel_mass()
    speed = jnp.linspace(0.0, 1.0, n_nodes + 1) * target_speed
    force, m_eff = net_force(vehicle, speed, mass, vehicle.pack.soc_max)
    floor = 1e-3 * mass * G0
    reaches = jnp.all(force > floor)
    inv = m_eff / jnp.maximum(force, floor)
    dv = target_speed / n_nodes
    zero = jnp.zeros(1, inv.dtype)
    time = jnp.concatenate([zero, jnp.cumsum(0.5 * (inv[1:] + inv[:-1]) * dv)])
    dist_integrand = speed * inv
    dist = jnp.concatenate([zero, jnp.cumsum(0.5 * (dist_integrand[1:] + dist_integrand[:-1]) * dv)])
    return speed, time, dist, reaches


def accel_time(vehicle, target_speed=100.0 * KMH, rollout=0.0, n_nodes=N_SPEED_NODES):
    """Time (s) from standstill to `target_speed` (m/s), less the time to cover `rollout` (m).

    Returns (time_s, reaches) where `reaches` is False if the net force vanishes anywhere
    below the target (the time is then finite but meaningless).
    """
    _, time, dist, reaches = accel_run(vehicle, target_speed, n_nodes)
    t_rollout = jnp.interp(rollout, dist, time)
    return time[-1] - t_rollout, reaches


def top_speed(vehicle, upper=120.0, n_bisect=32):
    """Top speed (m/s) on a level road, at mid-window state of charge; capped at `upper`."""
    pack = vehicle.pack
    soc = 0.5 * (pack.soc_min + pack.soc_max)
    mass = vehicle.accel_mass()
    body = vehicle.body

    def excess(v):
        f_front, f_rear = tractive_limits(vehicle, v, soc)
        n_front, n_rear = body.axle_loads(mass, 0.0)
        mu = body.tyre_friction
        tractive = jnp.minimum(f_front, mu * n_front) + jnp.minimum(f_rear, mu * n_rear)
        return tractive - body.road_load(v, mass)

    def bisect(_, bracket):
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
    return jnp.where(excess(jnp.full_like(mass, upper)) > 0.0, upper, v)
