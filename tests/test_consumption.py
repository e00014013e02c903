"""Drive-cycle energy: balance, limits, convergence and infeasibility flags.

The road-load energies are recomputed here from the raw speed trace (`Cycle.time`,
`Cycle.speed`) with numpy and the independent mass build-up from model_helpers, not from the
model's step arrays.
"""

import dataclasses

import numpy as np
import pytest
from model_helpers import RPM, as_float, effective_mass, kerb_mass, lossless, replace, road_load

import objectives as ob

CYCLES = ("wltc", "udds", "hwfet")  # one compiled score() shared by the tests below
LOSSES = ("friction_brake", "motor_loss", "gear_loss", "inverter_loss", "battery_loss")


def _road_energies(vehicle, name):
    """(aero J, rolling J, kinetic J, duration s) over the moving steps of the raw trace."""
    c = ob.load_cycle(name)
    t, v = np.asarray(c.time, float), np.asarray(c.speed, float)
    h = np.diff(t)
    mean = 0.5 * (v[1:] + v[:-1])
    moving = mean > 0.0
    b = vehicle.body
    # WLTP test mass: kerb + 75 kg driver + 25 kg + 15 % of a 450 kg load (UN GTR 15 3.2.25);
    # EPA: curb + 300 lb (40 CFR 86.1803-01)
    mass = kerb_mass(vehicle) + (75.0 + 25.0 + 0.15 * 450.0 if name == "wltc" else 136.078)
    aero_force = 0.5 * b.air_density * b.drag_coefficient * b.frontal_area * mean**2
    aero = np.sum((aero_force * mean * h)[moving])
    rolling = np.sum(((road_load(vehicle, mean, mass) - aero_force) * mean * h)[moving])
    # m_eff a v dt with a = dv/h, v the mean: telescopes to m_eff (v_end^2 - v_start^2) / 2.
    kinetic = 0.5 * effective_mass(vehicle, mass) * (v[-1] ** 2 - v[0] ** 2)
    return aero, rolling, kinetic, float(t[-1] - t[0])


@pytest.mark.parametrize("name", ["wltc", "udds"])
@pytest.mark.parametrize("drive", ["FWD", "AWD"])
def test_energy_balance_closes(name, drive, fwd_vehicle, awd_vehicle):
    vehicle = fwd_vehicle if drive == "FWD" else awd_vehicle
    energy, distance, follows, parts = ob.cycle_energy(vehicle, name, breakdown=True)
    parts = {k: as_float(x) for k, x in parts.items()}
    aero, rolling, kinetic, duration = _road_energies(vehicle, name)
    assert bool(follows)
    assert distance == pytest.approx(ob.load_cycle(name).distance, rel=1e-12)
    assert parts["battery"] == pytest.approx(as_float(energy), rel=1e-12)
    assert kinetic == 0.0  # from rest to rest
    for k in LOSSES:
        assert parts[k] >= 0.0, k
    assert parts["aux"] == pytest.approx(vehicle.aux_power * duration, rel=1e-12)
    assert parts["dyno_drag"] > 0.0  # the coasting driveline's drag on the rolls
    expected = aero + rolling + parts["dyno_drag"] + kinetic + sum(parts[k] for k in LOSSES) + parts["aux"]
    assert parts["battery"] == pytest.approx(expected, rel=1e-6)
    # The wheel energy is the road load (with the dynamometer drag) plus the net kinetic energy change.
    assert parts["wheel"] == pytest.approx(aero + rolling + parts["dyno_drag"] + kinetic, rel=1e-6)
    # Terminal side: the cells give the terminal energy plus their own I^2 R loss.
    assert parts["battery"] == pytest.approx(parts["terminal"] + parts["battery_loss"], rel=1e-12)
    # Plausible totals for a ~1.8 t family car: 90-250 Wh/km at the battery (UDDS is slow city
    # driving), traction losses 5-35 % of the battery energy (a dual permanent-magnet drive in town
    # loses most: the measured ID.3 map is at 63-87 % efficiency below 90 N m and 1,100 rpm).
    wh_per_km = as_float(energy) / distance * 1000.0 / 3600.0
    assert 90.0 < wh_per_km < 250.0
    traction_losses = parts["motor_loss"] + parts["gear_loss"] + parts["inverter_loss"]
    assert 0.05 < traction_losses / parts["battery"] < 0.35


def _lossless(vehicle):
    """No powertrain or battery loss, regen down to standstill, regen never limited."""
    cell = dataclasses.replace(vehicle.pack.cell, resistance=0.0, max_charge_current=1e6, max_discharge_current=1e6)
    return replace(lossless(vehicle), **{"pack.cell": cell, "regen_fade_low": 0.0, "regen_fade_high": 1e-9})


def test_dyno_drag_is_the_idle_drag_of_the_driveline(fwd_vehicle, awd_vehicle):
    """The coast-down drag charged on the rolls is each axle's idle power (its motors turning
    without torque, its gearbox spinning) over the moving steps; none for a disconnected axle."""
    for vehicle in (fwd_vehicle, awd_vehicle):
        _, _, _, parts = ob.cycle_energy(vehicle, "wltc", breakdown=True)
        speed, _, h = ob.load_cycle("wltc").steps()
        moving = speed > 0.0
        v_bus = vehicle.bus_voltage()
        idle = sum(np.asarray(a.idle_flows(speed, a.gearbox.ratio_low, v_bus)["dc"]) for a in vehicle.axles())
        # (to 1e-5: below 0.1 m/s the model divides by 0.1 m/s, not the speed)
        assert as_float(parts["dyno_drag"]) == pytest.approx(float(np.sum((idle * h)[moving])), rel=1e-5)
    free = replace(awd_vehicle, **{"front.gearbox.disconnect": 1.0, "rear.gearbox.disconnect": 1.0})
    assert as_float(ob.cycle_energy(free, "wltc", breakdown=True)[3]["dyno_drag"]) == 0.0


def test_dc_terms_are_the_flows_dc(fwd_vehicle, rwd_vehicle, awd_vehicle):
    """The form the cycle search ranks (`Axle.dc_terms`) gives `Axle.flows`' DC power, in drive
    and in regen, for driven and undriven axles."""
    speed = np.linspace(0.0, 45.0, 31)[:, None]
    force = np.linspace(-6e3, 8e3, 29)[None, :]
    for vehicle in (fwd_vehicle, rwd_vehicle, awd_vehicle):
        v_bus = vehicle.bus_voltage()
        for axle in vehicle.axles():
            eta = axle.gearbox.efficiency
            base, v_term, q, lin = axle.dc_terms(speed, axle.gearbox.ratio_low, v_bus)
            f = force * np.where(force >= 0.0, 1.0 / eta, eta)
            dc = np.asarray(base + f * (v_term + q * f) + lin * np.abs(f))
            expected = np.asarray(axle.flows(force, speed, axle.gearbox.ratio_low, v_bus)["dc"])
            np.testing.assert_allclose(dc, expected, rtol=1e-5, atol=1e-2)


@pytest.mark.parametrize("name", ["wltc", "udds", "hwfet", "us06"])
def test_lossless_limit_is_road_load_plus_aux(name, fwd_vehicle):
    vehicle = _lossless(replace(fwd_vehicle, **{"front.motor.peak_power": 250e3, "front.motor.peak_torque": 450.0}))
    energy, _, follows, parts = ob.cycle_energy(vehicle, name, breakdown=True)
    aero, rolling, kinetic, duration = _road_energies(vehicle, name)
    assert bool(follows)
    for k in LOSSES:
        assert as_float(parts[k]) == pytest.approx(0.0, abs=1e-6 * as_float(energy)), k
    expected = aero + rolling + kinetic + vehicle.aux_power * duration
    assert as_float(parts["dyno_drag"]) == 0.0  # a lossless driveline drags nothing
    assert as_float(energy) == pytest.approx(expected, rel=1e-9)


def test_lossless_aux_adds_exactly_aux_times_duration(fwd_vehicle):
    vehicle = _lossless(fwd_vehicle)
    e0 = as_float(ob.cycle_energy(vehicle, "wltc")[0])
    e1 = as_float(ob.cycle_energy(replace(vehicle, aux_power=vehicle.aux_power + 700.0), "wltc")[0])
    assert e1 - e0 == pytest.approx(700.0 * 1800.0, rel=1e-9)


def test_more_aux_costs_about_aux_times_duration(fwd_vehicle):
    """With a real pack, 700 W more auxiliary load costs 700 W x 1800 s, give or take the I^2 R
    loss it adds (discharge) or saves (during regen): a few per cent."""
    e0 = as_float(ob.cycle_energy(fwd_vehicle, "wltc")[0])
    e1 = as_float(ob.cycle_energy(replace(fwd_vehicle, aux_power=fwd_vehicle.aux_power + 700.0), "wltc")[0])
    assert 0.98 * 700.0 * 1800.0 < e1 - e0 < 1.05 * 700.0 * 1800.0


@pytest.mark.parametrize(
    "change",
    [
        {"body.drag_coefficient": 0.34},
        {"body.frontal_area": 2.6},
        {"front.tyre.label_rrc": 0.0098},
        {"rear.tyre.label_rrc": 0.0098},
        {"body.glider_mass": 1500.0},
        {"aux_power": 1500.0},
        {"front.gearbox.efficiency": 0.93},
        {"front.gearbox.spin_torque_frac": 0.003},
        {"front.motor.inverter_conduction_drop": 6.0},
        {"front.motor.copper_loss_frac": 0.05},
        {"front.motor.iron_loss_frac": 0.005},
    ],
    ids=lambda c: next(iter(c)),
)
def test_worse_parameter_costs_energy(change, fwd_vehicle):
    e0 = as_float(ob.cycle_energy(fwd_vehicle, "wltc")[0])
    e1 = as_float(ob.cycle_energy(replace(fwd_vehicle, **change), "wltc")[0])
    assert e1 > e0


def test_regen_recovers_energy(fwd_vehicle):
    """Without regeneration (fade window above every cycle speed) the car uses more, and the
    difference is what the friction brakes now dissipate, less the powertrain losses saved."""
    no_regen = replace(fwd_vehicle, regen_fade_low=100.0, regen_fade_high=101.0)
    e0, _, _, p0 = ob.cycle_energy(fwd_vehicle, "wltc", breakdown=True)
    e1, _, _, p1 = ob.cycle_energy(no_regen, "wltc", breakdown=True)
    assert as_float(e1) > as_float(e0)
    assert as_float(p1["friction_brake"]) > as_float(p0["friction_brake"])
    assert as_float(e1) - as_float(e0) < as_float(p1["friction_brake"]) - as_float(p0["friction_brake"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["wltc", "udds"])
def test_converges_as_time_step_shrinks(name, fwd_vehicle):
    energies = [as_float(ob.cycle_energy(fwd_vehicle, name, dt=dt)[0]) for dt in (1.0, 0.5, 0.25, 0.125)]
    diffs = np.abs(np.diff(energies))
    assert np.all(diffs[1:] < diffs[:-1])
    assert diffs[-1] < 1e-4 * energies[-1]
    # dt=None is the native 1 Hz trace.
    assert as_float(ob.cycle_energy(fwd_vehicle, name)[0]) == pytest.approx(energies[0], rel=1e-12)


# ---------------------------------------------------------------------------
# Infeasibility flags (via the batched entry)
# ---------------------------------------------------------------------------


def _assert_all_finite(out):
    for k, x in out.items():
        assert np.all(np.isfinite(np.asarray(x))), k


def test_too_weak_design_is_flagged_not_nan(fwd_vehicle):
    weak = replace(fwd_vehicle, **{"front.motor.peak_power": 12e3, "front.motor.peak_torque": 60.0})
    _, _, follows = ob.cycle_energy(weak, "wltc")
    assert not bool(follows)
    out = ob.score(ob.stack([fwd_vehicle, weak]), cycles=CYCLES)
    _assert_all_finite(out)
    codes = np.asarray(out["infeasible"])
    assert codes[0] == 0
    assert codes[1] & 2
    assert ob.REASONS[2] in ob.describe_infeasible(int(codes[1]))


def test_unreachable_target_is_flagged_not_nan(fwd_vehicle):
    # 6,500 rpm at 9:1 on the default tyre (0.359 m rolling radius): ~98 km/h at the motor's maximum speed.
    slow = replace(fwd_vehicle, **{"front.motor.max_speed": 6500.0 * RPM})
    assert 6500.0 * RPM * float(fwd_vehicle.front.wheel_radius()) / 9.0 * 3.6 < 100.0
    out = ob.score(ob.stack([slow, fwd_vehicle]), cycles=CYCLES)
    _assert_all_finite(out)
    codes = np.asarray(out["infeasible"])
    assert codes[0] & 1
    assert codes[0] & 2  # and it cannot follow the 131 km/h WLTC either
    assert codes[1] == 0
    assert ob.describe_infeasible(int(codes[0]))[0] == ob.REASONS[1]
    assert float(np.asarray(out["top_speed_mps"])[0]) < 100.0 / 3.6


def test_empty_pack_window_is_flagged(fwd_vehicle):
    empty = replace(fwd_vehicle, **{"pack.soc_min": 0.5, "pack.soc_max": 0.5})
    out = ob.score(ob.stack([empty, fwd_vehicle]), cycles=CYCLES)
    codes = np.asarray(out["infeasible"])
    assert codes[0] & 4 and codes[1] == 0
    assert ob.REASONS[4] in ob.describe_infeasible(int(codes[0]))


def test_empty_pack_window_outputs_are_finite(fwd_vehicle):
    empty = replace(fwd_vehicle, **{"pack.soc_min": 0.5, "pack.soc_max": 0.5})
    out = ob.score(ob.stack([empty, fwd_vehicle]), cycles=CYCLES)
    _assert_all_finite(out)
