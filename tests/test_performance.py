"""0-100 km/h time and top speed against closed forms, bounds and properties.

References are closed forms of the quasi-static longitudinal model (t = m_eff dv / F for
constant force; t = m_eff v^2 / 2P for constant power; the load-transfer equilibrium of a
grip-limited axle, where the tyre accelerates the translational mass and the motor spins up
its own axle; the root of P = F_road(v) v for top speed), the friction bound
t >= v / (mu g), and finite differences for the gradients.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jax.test_util import check_grads
from model_helpers import (
    G0,
    RPM,
    TYRE,
    V100,
    accel_time_jit,
    as_float,
    driven_axle,
    effective_mass,
    kerb_mass,
    make_vehicle,
    nmc_pack,
    no_road_load,
    replace,
    road_load,
    sticky,
    strong_cell,
    top_speed_jit,
)

import objectives as ob
from objectives._performance import tractive_limits

PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _accel(vehicle, **kw):
    t, reaches = accel_time_jit(vehicle, **kw)
    return as_float(t), bool(reaches)


def _as_arrays(tree):
    return jax.tree.map(lambda x: jnp.asarray(x, dtype=jnp.float64), tree)


def _ideal(drive, axle, glider_mass=1400.0, **body_kw):
    """No road load, tyres that never slip, a pack that never limits."""
    body = ob.Body(glider_mass=glider_mass, drag_coefficient=0.3, frontal_area=2.2, **body_kw)
    v = make_vehicle(
        drive,
        body=body,
        axle=dataclasses.replace(axle, tyre=sticky()),
        pack=nmc_pack(cell=strong_cell()),
        tyre=sticky(),
    )
    return no_road_load(v)


def _with_friction(vehicle, mu):
    return replace(vehicle, **{"front.tyre.friction": mu, "rear.tyre.friction": mu})


# ---------------------------------------------------------------------------
# Closed forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("drive", ["FWD", "RWD", "AWD"])
def test_constant_force_closed_form(drive):
    """Torque-limited motor (base and max speed far above 100 km/h), no road load, tyres and
    pack never limiting: F is constant and t = m_eff * dv / F exactly."""
    torque, ratio = 250.0, 8.0
    v = _ideal(drive, driven_axle(peak_torque=torque, peak_power=5e6, max_speed=1e5, ratio=ratio))
    n_axles = 2 if drive == "AWD" else 1
    mass = kerb_mass(v) + v.body.driver_mass
    m_eff = effective_mass(v, mass)
    force = n_axles * torque * ratio * v.front.gearbox.efficiency / float(v.front.wheel_radius())
    t, reaches = _accel(v)
    assert reaches
    assert t == pytest.approx(m_eff * V100 / force, rel=1e-9)
    t60, _ = _accel(v, target_speed=60.0 * 0.44704)
    assert t60 == pytest.approx(m_eff * 60.0 * 0.44704 / force, rel=1e-9)


def test_constant_force_rollout():
    """With a 1-ft rollout the time drops by sqrt(2 m_eff s / F) (uniform acceleration)."""
    torque, ratio = 250.0, 8.0
    v = _ideal("RWD", driven_axle(peak_torque=torque, peak_power=5e6, max_speed=1e5, ratio=ratio))
    m_eff = effective_mass(v, kerb_mass(v) + v.body.driver_mass)
    force = torque * ratio * v.rear.gearbox.efficiency / float(v.rear.wheel_radius())
    rollout = 0.3048
    expected = m_eff * V100 / force - np.sqrt(2.0 * m_eff * rollout / force)
    errors = []
    for n in (96, 384):
        t, _ = _accel(v, rollout=rollout, n_nodes=n)
        errors.append(abs(t - expected))
    assert errors[0] < 2e-3 * expected  # the grid interpolates time against distance
    assert errors[1] < 0.25 * errors[0]  # and converges


def test_torque_then_power_closed_form():
    """Constant force F0 up to base speed v_b, then constant wheel power P_w = P eta_gear:
    t = m_eff v_b / F0 + m_eff (v^2 - v_b^2) / (2 P_w)."""
    torque, power, ratio = 300.0, 120e3, 9.0
    v = _ideal("FWD", driven_axle(peak_torque=torque, peak_power=power, max_speed=1e5, ratio=ratio))
    eta = v.front.gearbox.efficiency
    m_eff = effective_mass(v, kerb_mass(v) + v.body.driver_mass)
    f0 = torque * ratio * eta / float(v.front.wheel_radius())
    p_wheel = power * eta
    v_b = p_wheel / f0
    assert 0.2 * V100 < v_b < 0.8 * V100
    expected = m_eff * v_b / f0 + m_eff * (V100**2 - v_b**2) / (2.0 * p_wheel)
    t, reaches = _accel(v)
    assert reaches
    assert t == pytest.approx(expected, rel=1e-4)
    t_fine, _ = _accel(v, n_nodes=768)
    assert abs(t_fine - expected) < 0.2 * abs(t - expected) + 1e-12


def test_boost_is_a_launch_rating():
    """Launch (boost) power raises the power limit of the 0-100 run only: the closed form with
    the boosted power, and the same top speed."""
    torque, power, ratio, boost = 300.0, 120e3, 9.0, 1.25
    base = _ideal("FWD", driven_axle(peak_torque=torque, peak_power=power, max_speed=1e5, ratio=ratio))
    boosted = replace(base, **{"front.motor.boost_power_frac": boost, "body.glider_mass": 1400.0})
    # equal mass: the glider gives up the heavier inverter
    boosted = replace(boosted, **{"body.glider_mass": 1400.0 - (kerb_mass(boosted) - kerb_mass(base))})
    assert kerb_mass(boosted) == pytest.approx(kerb_mass(base), rel=1e-12)
    eta = base.front.gearbox.efficiency
    m_eff = effective_mass(boosted, kerb_mass(boosted) + base.body.driver_mass)
    f0 = torque * ratio * eta / float(base.front.wheel_radius())
    p_wheel = boost * power * eta
    v_b = p_wheel / f0
    expected = m_eff * v_b / f0 + m_eff * (V100**2 - v_b**2) / (2.0 * p_wheel)
    assert _accel(boosted)[0] == pytest.approx(expected, rel=1e-4)
    assert _accel(boosted)[0] < _accel(base)[0]
    real = make_vehicle("FWD")
    assert as_float(top_speed_jit(replace(real, **{"front.motor.boost_power_frac": boost}))) == pytest.approx(
        as_float(top_speed_jit(real)), rel=1e-3
    )  # only the inverter's mass differs


@pytest.mark.parametrize("drive,front_frac", [("RWD", 0.5), ("FWD", 0.5), ("RWD", 0.42), ("FWD", 0.6)])
def test_traction_limited_load_transfer_closed_form(drive, front_frac):
    """One driven axle at the grip limit all the way, no road load. The tyre accelerates the
    car's translational mass and spins up the undriven axle's wheels (inertia k_u = J_u / r^2);
    the motor spins up its own axle from its surplus:
        m a = mu N(a) - k_u a,  N_rear = m (g (1 - w_f) + a h / L),  N_front = m (g w_f - a h / L)."""
    mu = 0.6
    axle = driven_axle(peak_torque=600.0, peak_power=5e6, max_speed=1e5, ratio=9.0)
    v = _with_friction(_ideal(drive, axle, front_weight_frac=front_frac), mu)
    m = kerb_mass(v) + v.body.driver_mass
    undriven = v.front if drive == "RWD" else v.rear
    k_u = 2.0 * float(undriven.tyre.inertia()) / float(undriven.wheel_radius()) ** 2
    k = mu * m * v.body.cg_height / v.body.wheelbase
    if drive == "RWD":
        a = mu * m * G0 * (1.0 - front_frac) / (m - k + k_u)
    else:
        a = mu * m * G0 * front_frac / (m + k + k_u)
    driven = v.rear if drive == "RWD" else v.front
    motor_force = 600.0 * 9.0 * driven.gearbox.efficiency / float(driven.wheel_radius())
    j_driven = float(driven.inertia(9.0)) / float(driven.wheel_radius()) ** 2
    assert motor_force - j_driven * a > 1.2 * m * a  # really traction-limited, the motor has a surplus
    t, _ = _accel(v)
    assert t == pytest.approx(V100 / a, rel=1e-9)


def test_grip_limited_time_does_not_depend_on_the_ratio():
    """With every wheel at the grip limit the motors' surplus spins up the rotors: a taller or
    shorter ratio (more or less reflected rotor inertia) leaves the 0-100 time unchanged."""
    times = []
    for ratio in (8.0, 10.0, 12.0):
        axle = driven_axle(peak_torque=900.0, peak_power=5e6, max_speed=1e5, ratio=ratio)
        times.append(_accel(_with_friction(_ideal("AWD", axle), 0.8))[0])
    assert times[1] == pytest.approx(times[0], rel=1e-12) and times[2] == pytest.approx(times[0], rel=1e-12)


@pytest.mark.slow
def test_accel_time_converges_second_order(fwd_vehicle):
    """Trapezoid on the speed grid: error ~ C / n^2 (a realistic car: grip, power, road load)."""
    ref, _ = _accel(fwd_vehicle, n_nodes=3072)
    ns = np.array([24, 48, 96, 192, 384, 768])
    err = np.array([abs(_accel(fwd_vehicle, n_nodes=int(n))[0] - ref) for n in ns])
    scaled = err * ns**2
    assert err[0] > 1e-5 * ref  # the test resolves the discretisation error at all
    assert np.all(scaled < 5.0) and scaled.max() / scaled.min() < 5.0
    assert err[0] / err[-1] > 100.0  # a first-order rule would give 32
    assert err[2] < 1e-4 * ref  # the default grid (96 nodes) is within 0.01 %


# ---------------------------------------------------------------------------
# Friction bound and layout
# ---------------------------------------------------------------------------


def _design(drive, glider, torque, power, ratio, mu, front_frac, cg, wheelbase, n_parallel, n_motors):
    body = ob.Body(
        glider_mass=glider,
        drag_coefficient=0.28,
        frontal_area=2.3,
        front_weight_frac=front_frac,
        cg_height=cg,
        wheelbase=wheelbase,
    )
    tyre = dataclasses.replace(TYRE, friction=mu)
    axle = driven_axle(peak_torque=torque, peak_power=power, ratio=ratio, n_motors=n_motors, tyre=tyre)
    return make_vehicle(drive, body=body, axle=axle, pack=nmc_pack(n_parallel=n_parallel), tyre=tyre)


# Ranges shared by the design strategies below.
_DESIGN_RANGES = dict(
    drive=st.sampled_from(["FWD", "RWD", "AWD"]),
    glider=st.floats(900.0, 2000.0),
    power=st.floats(60e3, 450e3),
    ratio=st.floats(6.0, 12.0),
    mu=st.floats(0.7, 1.4),
    front_frac=st.floats(0.4, 0.65),  # with mu h / L < 0.4: the front wheels stay down
    cg=st.floats(0.4, 0.65),
    wheelbase=st.floats(2.5, 3.1),
    n_parallel=st.floats(0.8, 3.5),
    n_motors=st.sampled_from([1.0, 2.0]),
)

designs = st.builds(_design, torque=st.floats(150.0, 900.0), **_DESIGN_RANGES)


@PROPERTY
@given(designs)
@example(_design("AWD", 1200.0, 900.0, 450e3, 10.0, 1.3, 0.5, 0.5, 2.8, 3.5, 2.0))  # big AWD on semi-slicks
@example(_design("RWD", 1200.0, 900.0, 450e3, 10.0, 1.0, 0.4, 0.55, 2.7, 3.5, 2.0))
def test_never_quicker_than_the_friction_bound(vehicle):
    t, _ = _accel(vehicle)
    assert np.isfinite(t)
    assert t >= V100 / (float(vehicle.front.tyre.friction) * G0) * (1.0 - 1e-9)


def test_grip_limited_awd_closed_form():
    """Every wheel driven by far more motor than grip: the tyres accelerate the translational
    mass at the friction limit, m dv/dt = mu m g - F_road(v), and the motors spin up the rotors
    and wheels from their surplus. Reference: a fine numpy quadrature of that ODE."""
    v = _design("AWD", 1200.0, 900.0, 600e3, 10.0, 1.0, 0.5, 0.5, 2.8, 3.5, 2.0)
    v = replace(v, **{"pack.cell": strong_cell()})
    m = kerb_mass(v) + v.body.driver_mass
    speed = np.linspace(0.0, V100, 200001)
    inv = m / (1.0 * m * G0 - road_load(v, speed, m))
    expected = float(np.sum(0.5 * (inv[1:] + inv[:-1]) * np.diff(speed)))
    t, _ = _accel(v)
    assert t == pytest.approx(expected, rel=1e-4)
    assert t > V100 / G0


def test_axle_loads_always_sum_to_weight():
    body = ob.Body(
        glider_mass=1400.0, drag_coefficient=0.3, frontal_area=2.2, front_weight_frac=0.3, cg_height=0.8, wheelbase=2.5
    )
    m = 2000.0
    for a in (0.0, 3.0, 6.0, 9.0, 12.0):
        front, rear = body.axle_loads(m, a)
        assert as_float(front) >= 0.0 and as_float(rear) >= 0.0
        assert as_float(front + rear) == pytest.approx(m * G0, rel=1e-12)


@pytest.mark.parametrize("drive", ["RWD", "AWD"])
def test_friction_bound_holds_for_rear_heavy_high_cg_car(drive):
    body = ob.Body(
        glider_mass=1350.0,
        drag_coefficient=0.28,
        frontal_area=2.3,
        front_weight_frac=0.2,
        cg_height=0.9,
        wheelbase=2.5,
    )
    tyre = dataclasses.replace(TYRE, friction=1.3)
    v = make_vehicle(
        drive,
        body=body,
        axle=driven_axle(1500.0, 3e6, n_motors=2, tyre=tyre),
        pack=nmc_pack(cell=strong_cell()),
        tyre=tyre,
    )
    t, _ = _accel(v)
    assert t >= V100 / (1.3 * G0)


def test_rwd_launches_quicker_than_fwd_when_grip_limited():
    """Same body (50/50 static), same motor: weight moves rearwards under acceleration."""
    body = ob.Body(glider_mass=1350.0, drag_coefficient=0.28, frontal_area=2.3, front_weight_frac=0.5)
    tyre = dataclasses.replace(TYRE, friction=0.9)
    axle = driven_axle(peak_torque=450.0, peak_power=200e3, tyre=tyre)
    t_fwd, _ = _accel(make_vehicle("FWD", body=body, axle=axle, tyre=tyre))
    t_rwd, _ = _accel(make_vehicle("RWD", body=body, axle=axle, tyre=tyre))
    assert t_rwd < 0.97 * t_fwd
    # With ample grip the two are identical (no other difference between them).
    grippy = dataclasses.replace(TYRE, friction=3.0)
    axle = dataclasses.replace(axle, tyre=grippy)
    t_fwd, _ = _accel(make_vehicle("FWD", body=body, axle=axle, tyre=grippy))
    t_rwd, _ = _accel(make_vehicle("RWD", body=body, axle=axle, tyre=grippy))
    assert t_rwd == pytest.approx(t_fwd, rel=1e-12)


def test_awd_quicker_than_either_single_axle(fwd_vehicle, rwd_vehicle, awd_vehicle):
    t_awd, _ = _accel(awd_vehicle)
    assert t_awd < _accel(fwd_vehicle)[0] and t_awd < _accel(rwd_vehicle)[0]


def test_cannot_reach_flags_and_stays_finite():
    slow = make_vehicle("FWD", axle=driven_axle(max_speed=2500.0 * RPM, ratio=9.0))  # ~35 km/h
    t, reaches = _accel(slow)
    assert not reaches and np.isfinite(t) and t > 0.0


def test_two_speed_box_launches_in_first_and_cruises_in_second(fwd_vehicle):
    """A short first gear under a tall second gear: quicker to 100 km/h than the tall gear alone
    (the larger force at each speed), and on the cycle it never draws more than its first gear
    alone would at the same mass and drag (it runs each step in the gear that draws less)."""
    two = replace(fwd_vehicle, **{"front.gearbox": ob.Gearbox(ratio_low=14.0, ratio_high=9.0)})
    short = replace(fwd_vehicle, **{"front.gearbox": ob.Gearbox(ratio_low=14.0)})
    assert _accel(two)[0] < _accel(fwd_vehicle)[0]
    # The same box without the extra mass and drag of its second gear (equal to the short box).
    free = replace(
        two,
        **{
            "body.glider_mass": fwd_vehicle.body.glider_mass - (kerb_mass(two) - kerb_mass(short)),
            "front.gearbox.spin_torque_frac": float(fwd_vehicle.front.gearbox.spin_torque_frac) / 1.5,
        },
    )
    assert kerb_mass(free) == pytest.approx(kerb_mass(short), rel=1e-12)
    e_free = as_float(ob.cycle_energy(free, "wltc")[0])
    e_short = as_float(ob.cycle_energy(short, "wltc")[0])
    assert e_free < e_short * (1.0 - 1e-3)  # second gear pays on the WLTC
    assert e_free < as_float(ob.cycle_energy(two, "wltc")[0])  # the box's mass and drag are a real cost


# ---------------------------------------------------------------------------
# Monotonicity (Hypothesis)
# ---------------------------------------------------------------------------


@jax.jit
def _wltc_range(vehicle):
    energy, distance, _ = ob.cycle_energy(vehicle, "wltc")
    return vehicle.pack.usable_energy() / (energy / distance)


def _driven_motor(vehicle):
    return vehicle.front.motor if float(vehicle.front.n_motors) > 0 else vehicle.rear.motor


def _below_grip(drive, glider, torque_frac, power, ratio, mu, front_frac, cg, wheelbase, n_parallel, n_motors):
    """A design whose motors never reach the grip limit: the launch force per driven axle is
    `torque_frac` (< 1) of a conservative bound on what its tyres can take (load transfer
    included, rotating mass ignored). The bound takes the mass of the design with a 10 N m
    motor: a larger torque adds motor mass, and so grip, never takes it away."""
    trial = _design(drive, glider, 10.0, power, ratio, mu, front_frac, cg, wheelbase, n_parallel, n_motors)
    m = kerb_mass(trial) + trial.body.driver_mass
    k = mu * cg / wheelbase
    n_axles = 2.0 if drive == "AWD" else 1.0
    grip = {"front": mu * m * G0 * front_frac / (1.0 + n_axles * k), "rear": mu * m * G0 * (1.0 - front_frac)}
    axle_grip = min(grip[a] for a in {"FWD": ["front"], "RWD": ["rear"], "AWD": ["front", "rear"]}[drive])
    torque = torque_frac * axle_grip * float(trial.front.wheel_radius()) / (n_motors * ratio)
    return _design(drive, glider, torque, power, ratio, mu, front_frac, cg, wheelbase, n_parallel, n_motors)


below_grip_designs = st.builds(_below_grip, torque_frac=st.floats(0.2, 0.95), **_DESIGN_RANGES)


@PROPERTY
@given(below_grip_designs, st.floats(1.0, 400.0))
@example(  # a bound counted with 360 kg of motor the design did not have let this one reach grip
    _below_grip("FWD", 900.0, 0.875, 127356.0, 12.0, 0.75, 0.5, 0.5, 3.0, 1.0, 1.0), 1.0
)
def test_more_glider_mass_never_quicker(vehicle, extra):
    # Restricted to designs that never reach the grip limit: a car at the grip limit
    # legitimately gains a little from weight (grip ~ m, rotating inertia fixed).
    heavier = replace(vehicle, **{"body.glider_mass": vehicle.body.glider_mass + extra})
    t0, _ = _accel(vehicle)
    t1, _ = _accel(heavier)
    assert t1 > t0


def test_grip_limited_car_gains_from_weight():
    """The reason for the restriction above, checked against the closed form: at the grip
    limit a = mu m g w / (m + mu m h / L + k_u) grows with m (undriven wheels' inertia fixed)."""
    axle = driven_axle(peak_torque=600.0, peak_power=5e6, max_speed=1e5, ratio=9.0)
    light = _with_friction(_ideal("FWD", axle, front_weight_frac=0.5), 0.6)
    heavy = replace(light, **{"body.glider_mass": light.body.glider_mass + 300.0})
    assert _accel(heavy)[0] < _accel(light)[0]


@PROPERTY
@given(designs, st.floats(1.0, 400.0))
def test_more_glider_mass_never_longer_range(vehicle, extra):
    heavier = replace(vehicle, **{"body.glider_mass": vehicle.body.glider_mass + extra})
    assert as_float(_wltc_range(heavier)) <= as_float(_wltc_range(vehicle)) * (1.0 + 1e-12)


@PROPERTY
@given(designs, st.floats(1e3, 300e3))
def test_more_peak_power_never_slower_at_equal_mass(vehicle, extra):
    """More peak power (same torque, same kerb mass: the glider gives up the motor mass),
    the pack never limiting."""
    vehicle = replace(vehicle, **{"pack.cell": strong_cell()})
    motor = _driven_motor(vehicle)
    stronger_motor = dataclasses.replace(motor, peak_power=motor.peak_power + extra)
    changes = {}
    for name in ("front", "rear"):
        if float(getattr(vehicle, name).n_motors) > 0:
            changes[f"{name}.motor"] = stronger_motor
    stronger = replace(vehicle, **changes)  # a heavier inverter: the glider gives it up
    stronger = replace(
        stronger, **{"body.glider_mass": vehicle.body.glider_mass - (kerb_mass(stronger) - kerb_mass(vehicle))}
    )
    assert as_float(stronger.kerb_mass()) == pytest.approx(as_float(vehicle.kerb_mass()), rel=1e-12)
    t0, _ = _accel(vehicle)
    t1, _ = _accel(stronger)
    assert t1 <= t0 * (1.0 + 1e-12)
    assert as_float(top_speed_jit(stronger)) >= as_float(top_speed_jit(vehicle)) * (1.0 - 1e-9)


def test_dominating_motor_never_slower_when_pack_limited():
    """Motor B has the same torque, mass and inertia as A, a larger power envelope and no more
    loss at any operating point (the same motor losses at equal torque and speed, an inverter
    rated for more current but built to lose no more). B can always do whatever A does within
    the same battery power, so B is never slower."""
    scale = 200e3 / 300e3
    a = make_vehicle("AWD", glider_mass=1300.0, axle=driven_axle(peak_torque=400.0, peak_power=200e3))
    m = a.front.motor
    axle_b = driven_axle(
        peak_torque=400.0,
        peak_power=300e3,
        inverter_switching_frac=m.inverter_switching_frac * scale,
        inverter_conduction_drop=m.inverter_conduction_drop * scale,
    )
    b = make_vehicle("AWD", axle=axle_b, glider_mass=1300.0)
    b = replace(b, **{"body.glider_mass": 1300.0 - (kerb_mass(b) - kerb_mass(a))})
    assert as_float(a.kerb_mass()) == pytest.approx(as_float(b.kerb_mass()), rel=1e-12)
    # Sanity of the premise: B's loss never exceeds A's.
    tq, w = np.meshgrid(np.linspace(-400.0, 400.0, 21), np.linspace(0.0, 1600.0, 21))
    loss = {k: np.asarray(v.front.motor.dc_power(tq, w, 350.0)) - tq * w for k, v in (("a", a), ("b", b))}
    assert np.all(loss["b"] <= loss["a"] + 1e-9)
    soc = a.pack.soc_max
    for speed in (5.0, 15.0, 20.0, 27.0):
        f_a = sum(as_float(f) for f, _ in tractive_limits(a, speed, soc))
        f_b = sum(as_float(f) for f, _ in tractive_limits(b, speed, soc))
        assert f_b >= f_a * (1.0 - 1e-12), f"at {speed} m/s"
    assert _accel(b)[0] <= _accel(a)[0]


@PROPERTY
@given(
    designs,
    st.floats(0.0, 0.15),
    st.floats(0.8, 0.97),
    st.floats(0.0, 0.05),
    st.floats(0.0, 0.03),
)
def test_wider_soc_window_never_shortens_range(vehicle, soc_min, soc_max, lower_by, raise_by):
    base = replace(vehicle, **{"pack.soc_min": soc_min, "pack.soc_max": soc_max})
    wider = replace(vehicle, **{"pack.soc_min": max(soc_min - lower_by, 0.0), "pack.soc_max": soc_max + raise_by})
    # a lower bottom voltage needs an inverter for more current: at equal mass, the glider gives it up
    wider = replace(wider, **{"body.glider_mass": vehicle.body.glider_mass - (kerb_mass(wider) - kerb_mass(base))})
    assert as_float(wider.pack.usable_energy()) >= as_float(base.pack.usable_energy())
    assert as_float(wider.kerb_mass()) == pytest.approx(as_float(base.kerb_mass()), rel=1e-12)
    assert as_float(_wltc_range(wider)) >= as_float(_wltc_range(base)) * (1.0 - 1e-12)


@PROPERTY
@given(designs, st.floats(0.01, 1.5))
def test_more_cells_at_equal_mass_never_shortens_range(vehicle, extra_parallel):
    pack = vehicle.pack
    added = extra_parallel * pack.n_series * float(pack.cell.mass) * pack.mass_factor  # the fixed part stays
    more = replace(
        vehicle,
        **{"pack.n_parallel": pack.n_parallel + extra_parallel, "body.glider_mass": vehicle.body.glider_mass - added},
    )
    assert as_float(more.kerb_mass()) == pytest.approx(as_float(vehicle.kerb_mass()), rel=1e-12)
    assert as_float(more.pack.usable_energy()) > as_float(vehicle.pack.usable_energy())
    assert as_float(_wltc_range(more)) >= as_float(_wltc_range(vehicle)) * (1.0 - 1e-12)


# ---------------------------------------------------------------------------
# Gradients against finite differences
# ---------------------------------------------------------------------------

PARAMETERS = {
    # name: (dotted paths scaled together, objectives it must change)
    "glider_mass": (("body.glider_mass",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "peak_power": (("front.motor.peak_power",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "peak_torque": (("front.motor.peak_torque",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "boost": (
        ("front.motor.boost_power_frac",),
        {"accel_time", "wltc_range", "top_speed", "sustained_speed"},
    ),  # + inverter mass
    "continuous": (("front.motor.continuous_power_frac",), {"sustained_speed"}),
    "ratio": (("front.gearbox.ratio_low",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "drag_coefficient": (("body.drag_coefficient",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "n_parallel": (("pack.n_parallel",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "soc_max": (("pack.soc_max",), {"wltc_range"}),
    "tyre_friction": (("front.tyre.friction", "rear.tyre.friction"), {"accel_time"}),
    "tyre_rrc": (
        ("front.tyre.label_rrc", "rear.tyre.label_rrc"),
        {"accel_time", "wltc_range", "top_speed", "sustained_speed"},
    ),
    "tyre_width": (
        ("front.tyre.section_width", "rear.tyre.section_width"),
        {"accel_time", "wltc_range", "top_speed", "sustained_speed"},
    ),
    "tyre_rim": (
        ("front.tyre.rim_diameter", "rear.tyre.rim_diameter"),
        {"accel_time", "wltc_range", "top_speed", "sustained_speed"},
    ),
    "tyre_aspect": (
        ("front.tyre.aspect_ratio", "rear.tyre.aspect_ratio"),
        {"accel_time", "wltc_range", "top_speed", "sustained_speed"},
    ),
    "drag_tyre_width": (("body.drag_tyre_width",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),
    "n_series": (("pack.n_series",), {"accel_time", "wltc_range", "top_speed", "sustained_speed"}),  # bus voltage
    "iron_loss": (("front.motor.iron_loss_frac",), {"wltc_range"}),
    "cg_height": (("body.cg_height",), {"accel_time"}),
}
NAMES = tuple(PARAMETERS)


def _gradient_base():
    """The reference FWD car on tyres that limit its launch (so grip parameters matter)."""
    return _as_arrays(_with_friction(replace(make_vehicle("FWD"), **{"pack.soc_max": 0.95}), 0.6))


def _scaled_objective(objective):
    """f(scales): the objective of the base car with each parameter multiplied by its scale
    (so a finite-difference step is relative to the parameter's own size)."""
    base = _gradient_base()

    @jax.jit
    def f(scales):
        changes = {}
        for i, name in enumerate(NAMES):
            for path in PARAMETERS[name][0]:
                obj = base
                for part in path.split("."):
                    obj = getattr(obj, part)
                changes[path] = obj * scales[i]
        return objective(replace(base, **changes))

    return f


OBJECTIVES = {
    "accel_time": lambda v: ob.accel_time(v)[0],
    "wltc_range": lambda v: _wltc_range(v),
    "top_speed": ob.top_speed,
    "sustained_speed": ob.sustained_speed,
}


@pytest.fixture(scope="module", params=list(OBJECTIVES))
def scaled_objective(request):
    return request.param, _scaled_objective(OBJECTIVES[request.param])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_gradients_match_finite_differences(scaled_objective, name):
    label, f = scaled_objective
    i = NAMES.index(name)

    def along(s):
        return f(jnp.ones(len(NAMES)).at[i].set(s))

    s0 = jnp.asarray(1.0)
    grad = as_float(jax.grad(along)(s0))
    assert np.isfinite(grad)
    if label not in PARAMETERS[name][1]:
        assert grad == 0.0  # e.g. grip does not enter the drive cycle
        return
    assert abs(grad) > 1e-6 * abs(as_float(along(s0)))  # not comparing zeros
    check_grads(along, (s0,), order=1, modes=("fwd", "rev"), eps=1e-5, rtol=1e-4, atol=0.0)


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["accel_time", "wltc_range"])
@pytest.mark.parametrize("path", ["front.gearbox.ratio_high", "front.gearbox.ratio_low"])
def test_two_speed_ratio_gradients_match_finite_differences(objective, path):
    """The ratios of a two-speed box (first gear 12, second 8): the gear chosen per speed or
    per step is piecewise constant, so the figures are smooth in each ratio between shifts."""
    base = _as_arrays(replace(_gradient_base(), **{"front.gearbox": ob.Gearbox(ratio_low=12.0, ratio_high=8.0)}))
    f = OBJECTIVES[objective]

    @jax.jit
    def along(s):
        obj = base
        for part in path.split("."):
            obj = getattr(obj, part)
        return f(replace(base, **{path: obj * s}))

    s0 = jnp.asarray(1.0)
    grad = as_float(jax.grad(along)(s0))
    assert np.isfinite(grad) and abs(grad) > 1e-6 * abs(as_float(along(s0)))
    check_grads(along, (s0,), order=1, modes=("fwd", "rev"), eps=1e-5, rtol=1e-4, atol=0.0)


@pytest.mark.slow
@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_gradients_finite_for_every_leaf_of_awkward_designs(objective):
    """Reverse-mode gradients w.r.t. every leaf stay finite for designs that hit limits:
    a pack too small for its motor, a motor too weak for the cycle, an AWD with two-speed rear."""
    designs = [
        make_vehicle("FWD", pack=nmc_pack(n_parallel=0.2)),
        make_vehicle("FWD", axle=driven_axle(peak_torque=60.0, peak_power=12e3)),
        replace(
            make_vehicle("AWD", glider_mass=1250.0), **{"rear.gearbox": ob.Gearbox(ratio_low=15.0, ratio_high=8.0)}
        ),
        replace(
            make_vehicle("AWD", glider_mass=1250.0),
            **{"front.motor.idle_iron_frac": 0.0, "rear.gearbox.disconnect": 1.0},
        ),
    ]
    grad = jax.jit(jax.grad(OBJECTIVES[objective]))
    for design in designs:
        g = grad(_as_arrays(design))
        bad = [jax.tree_util.keystr(p) for p, x in jax.tree_util.tree_leaves_with_path(g) if not np.all(np.isfinite(x))]
        assert not bad, bad


@pytest.mark.slow
def test_top_speed_gradient_matches_implicit_function_theorem():
    """d v_top / d Cd = -(dF_road/dCd) / (d(F_tr - F_road)/dv) for a drag-limited car, with the
    rolling resistance's growth with speed (MF-Tyre 6.2 shape) in dF_road/dv."""
    v = _as_arrays(_drag_limited_car())
    body = v.body
    mass = as_float(v.accel_mass())
    vt = as_float(ob.top_speed(v))
    p_wheel = 150e3 * float(v.front.gearbox.efficiency)
    rho = float(body.air_density)
    q1, q3, q4, v_ref = 7.02e-3, 1.515e-3, 8.514e-5, 16.7
    shape_80 = q1 + q3 * (80 / 3.6 / v_ref) + q4 * (80 / 3.6 / v_ref) ** 4
    d_rolling_dv = float(v.front.tyre.label_rrc) * (q3 / v_ref + 4 * q4 * vt**3 / v_ref**4) / shape_80 * mass * G0
    d_road_d_cd = 0.5 * rho * 2.3 * vt**2
    d_excess_dv = -p_wheel / vt**2 - (d_rolling_dv + rho * 0.28 * 2.3 * vt)
    expected = d_road_d_cd / d_excess_dv  # d v / d cd = -(d excess / d cd) / (d excess / d v)
    grad = jax.grad(
        lambda cd: ob.top_speed(dataclasses.replace(v, body=dataclasses.replace(body, drag_coefficient=cd)))
    )
    assert as_float(grad(jnp.asarray(0.28))) == pytest.approx(expected, rel=1e-6)


# ---------------------------------------------------------------------------
# Top speed
# ---------------------------------------------------------------------------


def _drag_limited_car():
    body = ob.Body(glider_mass=1350.0, drag_coefficient=0.28, frontal_area=2.3)
    axle = driven_axle(peak_torque=300.0, peak_power=150e3, max_speed=1e5, ratio=9.0)
    return make_vehicle("FWD", body=body, axle=axle, pack=nmc_pack(cell=strong_cell()))


def _bisect(f, lo, hi, n=200):
    flo = f(lo)
    for _ in range(n):
        mid = 0.5 * (lo + hi)
        if (f(mid) > 0.0) == (flo > 0.0):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("drag_coefficient,power", [(0.28, 150e3), (0.22, 80e3), (0.35, 300e3)])
def test_top_speed_drag_limited(drag_coefficient, power):
    v = _drag_limited_car()
    v = replace(v, **{"body.drag_coefficient": drag_coefficient, "front.motor.peak_power": power})
    mass = kerb_mass(v) + v.body.driver_mass
    p_wheel = power * v.front.gearbox.efficiency
    expected = _bisect(lambda s: p_wheel - float(road_load(v, s, mass)) * s, 1.0, 200.0)
    assert expected < 120.0
    assert as_float(top_speed_jit(v)) == pytest.approx(expected, rel=1e-7)
    # The 30-minute speed is the same balance at the continuous rating.
    frac = float(v.front.motor.continuous_power_frac)
    held = _bisect(lambda s: frac * p_wheel - float(road_load(v, s, mass)) * s, 1.0, 200.0)
    assert as_float(ob.sustained_speed(v)) == pytest.approx(held, rel=1e-7)


@pytest.mark.parametrize("max_rpm,ratio", [(12000.0, 9.0), (16000.0, 11.0), (9000.0, 8.0)])
def test_top_speed_motor_speed_limited(max_rpm, ratio):
    axle = driven_axle(peak_torque=300.0, peak_power=250e3, max_speed=max_rpm * RPM, ratio=ratio)
    v = make_vehicle("FWD", axle=axle)
    v_motor = max_rpm * RPM * float(v.front.wheel_radius()) / ratio
    vt = as_float(top_speed_jit(v))
    assert 0.98 * v_motor <= vt <= v_motor
    # Where the motor runs out of speed first, a lower drag changes nothing but the taper point.
    slippery = as_float(top_speed_jit(replace(v, **{"body.drag_coefficient": 0.2})))
    assert vt <= slippery <= v_motor


def test_top_speed_capped_at_upper():
    v = replace(no_road_load(_drag_limited_car()), **{"body.drag_coefficient": 1e-4})
    assert as_float(top_speed_jit(v)) == pytest.approx(120.0)
    assert as_float(top_speed_jit(replace(v, speed_limit=50.0))) == pytest.approx(50.0)  # a governed top speed


def test_top_speed_accepts_plain_float_vehicle_outside_jit():
    v = _drag_limited_car()
    assert as_float(ob.top_speed(v)) == pytest.approx(as_float(top_speed_jit(v)), rel=1e-12)
