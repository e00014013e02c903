"""Shared set-up: float64 for the whole session, and simple reference vehicles.

The reference vehicles are built from plain floats through the public constructors
(`Body`, `Axle`, `Gearbox`, `SynchronousMotor`, `Pack`), never from the spec predictor,
so the physics tests do not depend on its estimation rules.

The helpers `kerb_mass` and `effective_mass` recompute the mass build-up from the
documented formulas (component by component), independently of the `Vehicle` methods,
for the closed-form checks.
"""

import jax

jax.config.update("jax_enable_x64", True)  # before anything builds a JAX array

import dataclasses  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import objectives as ob  # noqa: E402

G0 = 9.80665  # standard gravity (m/s^2), CGPM 1901; restated here on purpose
KMH = 1.0 / 3.6
RPM = 2.0 * math.pi / 60.0
V100 = 100.0 * KMH


# ---------------------------------------------------------------------------
# Builders (plain floats)
# ---------------------------------------------------------------------------


def motor(peak_torque=300.0, peak_power=150e3, max_speed=16000.0 * RPM, **kw):
    return ob.SynchronousMotor(peak_torque=peak_torque, peak_power=peak_power, max_speed=max_speed, **kw)


def driven_axle(peak_torque=300.0, peak_power=150e3, max_speed=16000.0 * RPM, ratio=9.0, n_motors=1.0, **motor_kw):
    return ob.Axle(
        motor=motor(peak_torque, peak_power, max_speed, **motor_kw),
        gearbox=ob.Gearbox(ratio_low=ratio, ratio_high=ratio),
        n_motors=float(n_motors),
    )


def undriven_axle():
    """An axle without motors: a placeholder motor counted zero times (see objectives/_spec.py)."""
    return ob.Axle(
        motor=ob.SynchronousMotor(peak_torque=1.0, peak_power=1.0, max_speed=1.0),
        gearbox=ob.Gearbox(ratio_low=1.0, ratio_high=1.0),
        n_motors=0.0,
    )


def nmc_pack(n_series=96.0, n_parallel=3.0, cell=None, **kw):
    return ob.Pack(
        cell=ob.CELLS["nmc"] if cell is None else cell,
        n_series=float(n_series),
        n_parallel=float(n_parallel),
        mass_factor=ob.PACK_MASS_FACTOR["nmc"],
        **kw,
    )


def make_vehicle(drive="FWD", glider_mass=1350.0, body=None, axle=None, pack=None, **vehicle_kw):
    """A ~1800 kg family car: 150 kW / 300 N m per driven axle, 9:1, 96s3p NMC (~64 kWh)."""
    body = body or ob.Body(glider_mass=glider_mass, drag_coefficient=0.28, frontal_area=2.3)
    axle = axle or driven_axle()
    front = axle if drive in ("FWD", "AWD") else undriven_axle()
    rear = axle if drive in ("RWD", "AWD") else undriven_axle()
    return ob.Vehicle(body=body, front=front, rear=rear, pack=pack or nmc_pack(), **vehicle_kw)


def replace(tree, **changes):
    """`dataclasses.replace` along dotted paths: replace(v, **{"body.glider_mass": 1400.0})."""
    nested = {}
    for path, value in changes.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            nested[head] = value
    updates = {
        k: (replace(getattr(tree, k), **v) if isinstance(v, dict) else v) for k, v in nested.items()
    }
    return dataclasses.replace(tree, **updates)


def strong_cell():
    """The NMC cell with a negligible resistance and a huge current limit: never limits power."""
    return dataclasses.replace(ob.CELLS["nmc"], resistance=1e-7, max_discharge_current=1e6, max_charge_current=1e6)


def no_road_load(body):
    return dataclasses.replace(body, drag_coefficient=0.0, rolling_resistance=0.0, rolling_resistance_speed=0.0)


# ---------------------------------------------------------------------------
# Independent mass build-up (from the documented formulas, component by component)
# ---------------------------------------------------------------------------


def _axle_mass(axle):
    m = axle.motor
    g = axle.gearbox
    per_motor = m.peak_power / m.specific_power + g.base_mass + g.mass_per_torque * m.peak_torque * g.ratio_low
    return float(axle.n_motors) * per_motor


def kerb_mass(vehicle):
    p = vehicle.pack
    pack_mass = p.n_series * p.n_parallel * float(p.cell.mass) * p.mass_factor
    return vehicle.body.glider_mass + pack_mass + _axle_mass(vehicle.front) + _axle_mass(vehicle.rear)


def effective_mass(vehicle, mass):
    """m + (4 J_wheel + sum n J_rotor G^2) / r^2 for a single-speed vehicle."""
    b = vehicle.body
    inertia = 4.0 * b.wheel_inertia
    for axle in (vehicle.front, vehicle.rear):
        g = axle.gearbox.ratio_low
        inertia += float(axle.n_motors) * axle.motor.inertia_per_torque * axle.motor.peak_torque * g * g
    return mass + inertia / b.wheel_radius**2


def road_load(body, speed, mass):
    """C_rr(v) m g + 0.5 rho Cd A v^2 (N), numpy."""
    speed = np.asarray(speed, dtype=np.float64)
    crr = body.rolling_resistance + body.rolling_resistance_speed * speed
    return crr * mass * G0 + 0.5 * body.air_density * body.drag_coefficient * body.frontal_area * speed**2


def as_float(x):
    return float(np.asarray(x))


# ---------------------------------------------------------------------------
# Jitted entry points shared by the test modules (compiled once per tree structure)
# ---------------------------------------------------------------------------

accel_time_jit = jax.jit(ob.accel_time, static_argnames=("n_nodes",))
top_speed_jit = jax.jit(ob.top_speed)


@pytest.fixture(scope="session")
def fwd_vehicle():
    return make_vehicle("FWD")


@pytest.fixture(scope="session")
def rwd_vehicle():
    return make_vehicle("RWD")


@pytest.fixture(scope="session")
def awd_vehicle():
    return make_vehicle("AWD", glider_mass=1300.0)
