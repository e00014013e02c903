"""Reference vehicles and closed-form helpers for the model's tests (imported by the test
modules and by conftest's fixtures).

The reference vehicles are built from plain floats through the public constructors
(`Body`, `Axle`, `Gearbox`, `SynchronousMotor`, `Tyre`, `Pack`), never from the spec predictor,
so the physics tests do not depend on its estimation rules.

The helpers `kerb_mass` and `effective_mass` recompute the mass build-up from the
documented formulas (component by component), independently of the `Vehicle` methods,
for the closed-form checks. Float64 is switched on in conftest, before this is imported.
"""

import dataclasses
import math

import jax
import numpy as np

import objectives as ob

G0 = 9.80665  # standard gravity (m/s^2), CGPM 1901; restated here on purpose
KMH = 1.0 / 3.6
RPM = 2.0 * math.pi / 60.0
V100 = 100.0 * KMH


# ---------------------------------------------------------------------------
# Builders (plain floats)
# ---------------------------------------------------------------------------


def motor(peak_torque=300.0, peak_power=150e3, max_speed=16000.0 * RPM, **kw):
    return ob.SynchronousMotor(peak_torque=peak_torque, peak_power=peak_power, max_speed=max_speed, **kw)


TYRE = ob.Tyre()  # the default tyre: 235/55 R19, label class B, touring


def driven_axle(
    peak_torque=300.0, peak_power=150e3, max_speed=16000.0 * RPM, ratio=9.0, n_motors=1.0, tyre=TYRE, **motor_kw
):
    return ob.Axle(
        motor=motor(peak_torque, peak_power, max_speed, **motor_kw),
        gearbox=ob.Gearbox(ratio_low=ratio),
        tyre=tyre,
        n_motors=float(n_motors),
    )


def undriven_axle(tyre=TYRE):
    """An axle without motors: a placeholder motor counted zero times (see objectives/_spec.py)."""
    return ob.Axle(
        motor=ob.SynchronousMotor(peak_torque=1.0, peak_power=1.0, max_speed=1.0),
        gearbox=ob.Gearbox(ratio_low=1.0),
        tyre=tyre,
        n_motors=0.0,
    )


def nmc_pack(n_series=96.0, n_parallel=2.0, cell=None, **kw):
    return ob.Pack(
        cell=ob.CELLS["nmc"] if cell is None else cell,
        n_series=float(n_series),
        n_parallel=float(n_parallel),
        mass_factor=ob.PACK_MASS_FACTOR["nmc"],
        **kw,
    )


def make_vehicle(drive="FWD", glider_mass=1350.0, body=None, axle=None, pack=None, tyre=TYRE, **vehicle_kw):
    """A ~1900 kg family car: 150 kW / 300 N m per driven axle, 9:1, 96s2p NMC (~57 kWh)."""
    body = body or ob.Body(glider_mass=glider_mass, drag_coefficient=0.28, frontal_area=2.3)
    axle = axle or driven_axle(tyre=tyre)
    front = axle if drive in ("FWD", "AWD") else undriven_axle(tyre)
    rear = axle if drive in ("RWD", "AWD") else undriven_axle(tyre)
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
    updates = {k: (replace(getattr(tree, k), **v) if isinstance(v, dict) else v) for k, v in nested.items()}
    return dataclasses.replace(tree, **updates)


def strong_cell():
    """The NMC cell with a negligible resistance and a huge current limit: never limits power."""
    return dataclasses.replace(ob.CELLS["nmc"], resistance=1e-7, max_discharge_current=1e6, max_charge_current=1e6)


def sticky(tyre=TYRE):
    """`tyre` with so much grip that it never limits."""
    return dataclasses.replace(tyre, friction=50.0)


def no_rolling(vehicle):
    """`vehicle` with tyres that roll without resistance (label coefficient 0)."""
    return replace(vehicle, **{"front.tyre.label_rrc": 0.0, "rear.tyre.label_rrc": 0.0})


def no_road_load(vehicle):
    """`vehicle` without rolling resistance or aerodynamic drag."""
    return replace(no_rolling(vehicle), **{"body.drag_coefficient": 0.0})


def lossless(vehicle):
    """`vehicle` whose motors, inverters and gearboxes lose nothing."""
    zero = {
        "copper_loss_frac": 0.0,
        "stray_loss_frac": 0.0,
        "iron_loss_frac": 0.0,
        "mechanical_loss_frac": 0.0,
        "inverter_switching_frac": 0.0,
        "inverter_conduction_drop": 0.0,
    }
    changes = {}
    for axle in ("front", "rear"):
        changes.update({f"{axle}.motor.{k}": v for k, v in zero.items()})
        changes[f"{axle}.gearbox.efficiency"] = 1.0
        changes[f"{axle}.gearbox.spin_torque_frac"] = 0.0
    return replace(vehicle, **changes)


# ---------------------------------------------------------------------------
# Independent mass build-up (from the documented formulas, component by component)
# ---------------------------------------------------------------------------


def _axle_mass(axle, v_min):
    """Motor (per N m) + inverter (per A of launch current) + gearbox (per N m at the wheel) per
    motor, and two wheels with tyres."""
    m, g = axle.motor, axle.gearbox
    inverter = 0.023 * m.boost_power_frac * m.peak_power / v_min  # INVERTER_MASS_PER_CURRENT
    gearbox = 0.0101 * m.peak_torque * g.ratio_low  # GEARBOX_MASS_PER_TORQUE
    return float(axle.n_motors) * (m.mass_per_torque * m.peak_torque + inverter + gearbox) + 2.0 * float(
        axle.tyre.mass()
    )


def kerb_mass(vehicle):
    p = vehicle.pack
    pack_mass = p.fixed_mass + p.n_series * p.n_parallel * float(p.cell.mass) * p.mass_factor
    v_min = float(p.ocv(p.soc_min))
    return vehicle.body.glider_mass + pack_mass + _axle_mass(vehicle.front, v_min) + _axle_mass(vehicle.rear, v_min)


def effective_mass(vehicle, mass):
    """m + sum over axles (2 J_wheel + n J_rotor G^2) / r^2 for a single-speed vehicle."""
    extra = 0.0
    for axle in (vehicle.front, vehicle.rear):
        g = axle.gearbox.ratio_low
        inertia = (
            2.0 * float(axle.tyre.inertia())
            + float(axle.n_motors) * axle.motor.inertia_per_torque * axle.motor.peak_torque * g * g
        )
        extra += inertia / float(axle.wheel_radius()) ** 2
    return mass + extra


def road_load(vehicle, speed, mass):
    """C_rr(v) (N_front + N_rear) + 0.5 rho Cd A v^2 (N), numpy, with equal label classes on both axles."""
    speed = np.asarray(speed, dtype=np.float64)
    b = vehicle.body
    q1, q3, q4, v_ref = 7.02e-3, 1.515e-3, 8.514e-5, 16.7  # MF-Tyre 6.2 example (RRC_SPEED_SHAPE)

    def shape(v):
        return q1 + q3 * np.abs(v / v_ref) + q4 * (v / v_ref) ** 4

    crr = float(vehicle.front.tyre.label_rrc) * shape(speed) / shape(80.0 / 3.6)
    return crr * mass * G0 + 0.5 * b.air_density * b.drag_coefficient * b.frontal_area * speed**2


def as_float(x):
    return float(np.asarray(x))


# ---------------------------------------------------------------------------
# Jitted entry points shared by the test modules (compiled once per tree structure)
# ---------------------------------------------------------------------------

accel_time_jit = jax.jit(ob.accel_time, static_argnames=("n_nodes",))
top_speed_jit = jax.jit(ob.top_speed)
