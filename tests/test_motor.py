"""One contract test over every concrete motor model (subclasses of `AbstractMotor`).

A new motor class must add a factory to `FACTORIES` (size -> instance, where `size` scales
peak torque and peak power together); the test that lists the subclasses fails until it does.
"""

import inspect

import numpy as np
import pytest
from model_helpers import RPM

import objectives as ob


def _concrete_subclasses(cls):
    found = []
    for sub in cls.__subclasses__():
        if not inspect.isabstract(sub):
            found.append(sub)
        found.extend(_concrete_subclasses(sub))
    return list(dict.fromkeys(found))


MOTOR_CLASSES = _concrete_subclasses(ob.AbstractMotor)

# size 1: a 150 kW / 300 N m, 16,000 rpm traction motor
FACTORIES = {
    ob.SynchronousMotor: lambda size: ob.SynchronousMotor(
        peak_torque=300.0 * size, peak_power=150e3 * size, max_speed=16000.0 * RPM
    ),
}


def test_every_concrete_motor_has_a_factory():
    assert MOTOR_CLASSES, "no concrete AbstractMotor subclass found"
    missing = [c.__name__ for c in MOTOR_CLASSES if c not in FACTORIES]
    assert not missing, f"add a factory for {missing} to tests/test_motor.py FACTORIES"


@pytest.fixture(params=MOTOR_CLASSES, ids=lambda c: c.__name__)
def factory(request):
    if request.param not in FACTORIES:
        pytest.fail(f"no factory for {request.param.__name__}")
    return FACTORIES[request.param]


def test_max_torque_envelope(factory):
    m = factory(1.0)
    w = np.linspace(0.0, float(m.max_speed), 2001)
    t = np.asarray(m.max_torque(w))
    assert np.all(np.isfinite(t)) and np.all(t >= 0.0)
    assert np.all(np.diff(t) <= 1e-9 * float(m.peak_torque))  # non-increasing
    assert t[0] == pytest.approx(float(m.peak_torque), rel=1e-12)
    low = w < 0.5 * float(m.peak_power) / float(m.peak_torque)
    np.testing.assert_allclose(t[low], float(m.peak_torque), rtol=1e-12)
    # Never above the power limit.
    assert np.all(t[1:] * w[1:] <= float(m.peak_power) * (1.0 + 1e-12))
    # Reaches the power limit just above base speed (a real constant-power range).
    w_b = float(m.peak_power) / float(m.peak_torque)
    assert float(m.max_torque(1.5 * w_b)) * 1.5 * w_b == pytest.approx(float(m.peak_power), rel=1e-9)
    # Vanishes at (and above) max speed.
    assert float(m.max_torque(float(m.max_speed))) == pytest.approx(0.0, abs=1e-9)
    assert float(m.max_torque(1.1 * float(m.max_speed))) == pytest.approx(0.0, abs=1e-9)
    # Symmetric in the direction of rotation.
    np.testing.assert_allclose(np.asarray(m.max_torque(-w)), t, rtol=1e-12)


def _grid(m):
    w = np.linspace(0.0, float(m.max_speed), 41)
    tq = np.linspace(-1.0, 1.0, 41) * float(m.peak_torque)
    return np.meshgrid(tq, w, indexing="ij")


def test_loss_nonnegative_and_symmetric(factory):
    m = factory(1.0)
    tq, w = _grid(m)
    loss = np.asarray(m.loss(tq, w))
    assert np.all(np.isfinite(loss)) and np.all(loss >= 0.0)
    np.testing.assert_allclose(np.asarray(m.loss(-tq, w)), loss, rtol=1e-12, atol=0.0)
    # Losses grow with |torque| at fixed speed and with speed at fixed torque.
    assert np.all(np.diff(np.asarray(m.loss(tq[20:], w[20:])), axis=0) > 0.0)
    assert np.all(np.diff(loss, axis=1) > 0.0)
    # Plausible efficiency at a typical cruise point: 30 % torque at base speed.
    w_b = float(m.peak_power) / float(m.peak_torque)
    t = 0.3 * float(m.peak_torque)
    eff = t * w_b / (t * w_b + float(m.loss(t, w_b)) + float(m.inverter_loss(t, 350.0)))
    assert 0.85 < eff < 0.99


def test_reproduces_the_measured_id3_map_points():
    """Inverter-to-shaft efficiency of the VW ID.3 APP310 (310 N m, 150 kW) at 350 V, against
    points of the map measured by Wassiliadis et al. (eTransportation 12, 2022) that the
    constants were fitted to: within 3 points of efficiency everywhere listed."""
    m = ob.SynchronousMotor(peak_torque=310.0, peak_power=150e3, max_speed=16000.0 * RPM)
    measured = [
        (31.0, 2828, 0.923),
        (62.0, 7079, 0.946),
        (155.0, 4284, 0.945),
        (93.0, 11319, 0.962),
        (310.0, 4357, 0.92),
        (62.0, 1066, 0.868),
    ]
    for torque, rpm, eff in measured:
        w = rpm * RPM
        shaft = torque * w
        model = shaft / float(m.dc_power(torque, w, 350.0))
        assert model == pytest.approx(eff, abs=0.03), (torque, rpm)


def test_idle_loss_by_excitation(factory):
    """At zero torque a permanent-magnet machine pays iron and mechanical losses; a de-excited
    one only mechanical."""
    m = factory(1.0)
    w = np.linspace(0.0, float(m.max_speed), 9)
    pm = np.asarray(m.idle_loss(w))
    np.testing.assert_allclose(pm, np.asarray(m.loss(0.0, w)), rtol=1e-12)
    induction = ob.motor_of_type("induction", peak_torque=m.peak_torque, peak_power=m.peak_power, max_speed=m.max_speed)
    de_excited = np.asarray(induction.idle_loss(w))
    assert np.all(de_excited[1:] < pm[1:]) and np.all(de_excited >= 0.0)
    x = w / 500.0
    np.testing.assert_allclose(
        de_excited, float(induction.mechanical_loss_frac) * float(m.peak_torque) * 500.0 * x * x, rtol=1e-12
    )


def test_eesm_pays_for_its_field_when_excited():
    """An externally excited machine: the same iron, copper and stray terms as a permanent-magnet
    one, plus its rotor winding I_f^2 R_f with I_f = a + (1 - a) |tau| of its peak: c_ex T_pk w_ref
    at peak torque, c_ex a^2 T_pk w_ref at the lightest excited load; nothing when it idles
    (de-excited). The form the cycles evaluate (`loss_terms`) carries the field loss too."""
    ratings = {"peak_torque": 300.0, "peak_power": 150e3, "max_speed": 16000.0 * RPM}
    pm, ee = ob.motor_of_type("pmsm", **ratings), ob.motor_of_type("eesm", **ratings)
    c_ex, a = float(ee.excitation_loss_frac), float(ee.excitation_offset)
    assert c_ex > 0.0 and 0.0 < a < 1.0 and float(pm.excitation_loss_frac) == 0.0
    w = 400.0
    scale = 300.0 * 500.0
    for tau in (1e-6, 0.3, 1.0):
        extra = float(ee.loss(tau * 300.0, w)) - float(pm.loss(tau * 300.0, w))
        assert extra == pytest.approx(c_ex * scale * (a + (1.0 - a) * tau) ** 2, rel=1e-6)
    assert float(ee.idle_loss(w)) < float(pm.idle_loss(w))  # de-excited: no iron loss, no field
    tq, speed = _grid(ee)
    c0, c1, c2 = (np.asarray(c) for c in ee.loss_terms(speed, 400.0))
    np.testing.assert_allclose(
        c0 + c1 * np.abs(tq) + c2 * tq * tq,
        np.asarray(ee.loss(tq, speed)) + np.asarray(ee.inverter_loss(tq, 400.0)),
        rtol=1e-6,
    )


def test_dc_power_exceeds_shaft_power(factory):
    """Motoring draws more than the shaft delivers; generating returns less than the shaft takes."""
    m = factory(1.0)
    tq, w = _grid(m)
    shaft = tq * w
    dc = np.asarray(m.dc_power(tq, w, 400.0))
    assert np.all(np.isfinite(dc))
    idle = (tq == 0.0) & (w == 0.0)  # no torque, no speed: no loss at all
    assert np.all(dc[~idle] > shaft[~idle])  # covers both directions
    assert np.all(dc[idle] == 0.0)
    motoring = shaft > 0.0
    assert np.all(dc[motoring] > shaft[motoring])
    generating = dc < 0.0
    assert generating.sum() > 100
    assert np.all(np.abs(dc[generating]) < np.abs(shaft[generating]))
    assert np.all(shaft[generating] < 0.0)
    # Around base speed at half torque the machine really generates.
    w_b = float(m.peak_power) / float(m.peak_torque)
    assert float(m.dc_power(-0.5 * float(m.peak_torque), w_b, 400.0)) < 0.0


def test_loss_terms_are_the_loss_and_inverter_loss(factory):
    """The polynomial the drive cycles evaluate equals `loss` + `inverter_loss` on the whole grid."""
    m = factory(1.0)
    tq, w = _grid(m)
    c0, c1, c2 = (np.asarray(c) for c in m.loss_terms(w, 400.0))
    expected = np.asarray(m.loss(tq, w)) + np.asarray(m.inverter_loss(tq, 400.0))
    np.testing.assert_allclose(
        c0 + c1 * np.abs(tq) + c2 * tq * tq, expected, rtol=1e-5, atol=1e-6 * float(m.peak_power)
    )


def test_higher_bus_voltage_loses_less_in_the_inverter(factory):
    """The same power on half the current: the conduction part of the inverter loss halves."""
    m = factory(1.0)
    t = 0.5 * float(m.peak_torque)
    low, high = float(m.inverter_loss(t, 400.0)), float(m.inverter_loss(t, 800.0))
    assert 0.0 < high < low
    p = 0.5 * float(m.peak_power)
    assert low - high == pytest.approx(p * m.inverter_conduction_drop * (1 / 400.0 - 1 / 800.0), rel=1e-12)
    assert float(m.mass(800.0)) < float(m.mass(400.0))  # an inverter rated for half the current


def test_mass_and_inertia_positive_and_increasing_with_size(factory):
    sizes = [0.25, 0.5, 1.0, 2.0, 4.0]
    motors = [factory(s) for s in sizes]
    mass = np.array([float(m.mass(400.0)) for m in motors])
    inertia = np.array([float(m.rotor_inertia()) for m in motors])
    assert np.all(mass > 0.0) and np.all(np.diff(mass) > 0.0)
    assert np.all(inertia > 0.0) and np.all(np.diff(inertia) > 0.0)
    # Specific power of motor + inverter in the published range (DESIGN.md: 2-8 kW/kg).
    m = factory(1.0)
    assert 2e3 <= float(m.peak_power) / float(m.mass(400.0)) <= 8e3
    # Mass follows torque: doubling the torque at the same power adds the motor's share.
    torque_only = ob.SynchronousMotor(peak_torque=2 * m.peak_torque, peak_power=m.peak_power, max_speed=m.max_speed)
    assert float(torque_only.mass(400.0)) - float(m.mass(400.0)) == pytest.approx(
        float(m.mass_per_torque) * float(m.peak_torque), rel=1e-12
    )
