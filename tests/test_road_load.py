"""The model's road load against the coast-down targets real cars are tested on.

Source: US EPA Test Car List Data File, model year 2022 (as carried in NREL/fastsim,
python/fastsim/resources/epa_vehdb/22-tstcar.csv): target coefficients A (lbf), B (lbf/mph),
C (lbf/mph^2) and the equivalent test weight (ETW, lb) of the Nissan Leaf 40 kWh (test vehicle
KWB115) and Leaf e+ (KWC511), the same ZE1 body as the reference cars of
objectives/data/reference_vehicles.yaml. The targets are measured coast-downs (SAE J2263):
they include everything that slows a car coasting in neutral, so the model's side is its road
load plus its coast-down driveline drag (motors and gearbox turning without torque), at the
ETW.

The model is 6-16 % below these targets (README, "The spec-sheet predictor"): this test guards
that it stays within 20 % below and never above, not a target.
"""

from pathlib import Path

import numpy as np
import pytest

from objectives._spec import vehicle_from_spec

yaml = pytest.importorskip("yaml")

LBF, MPH, LB = 4.4482216152605, 0.44704, 0.45359237  # N, m/s, kg
REFERENCE = Path(__file__).resolve().parents[1] / "objectives" / "data" / "reference_vehicles.yaml"
TARGETS = {  # id: (ETW lb, A lbf, B lbf/mph, C lbf/mph^2)
    "nissan_leaf_ze1_40kwh": (3875.0, 25.89, 0.3449, 0.01945),
    "nissan_leaf_ze1_eplus_62kwh": (4250.0, 28.15, 0.2892, 0.02009),
}
SPEEDS_KMH = np.array([30.0, 50.0, 80.0, 100.0, 130.0])


@pytest.mark.parametrize("car", sorted(TARGETS))
def test_road_load_against_the_epa_coast_down_target(car):
    spec = next(s for s in yaml.safe_load(REFERENCE.read_text())["vehicles"] if s["id"] == car)
    vehicle = vehicle_from_spec(spec)
    etw, a, b, c = TARGETS[car]
    speed = SPEEDS_KMH / 3.6
    mph = speed / MPH
    target = (a + b * mph + c * mph * mph) * LBF
    v_bus = vehicle.bus_voltage()
    idle = sum(np.asarray(axle.idle_flows(speed, axle.gearbox.ratio_low, v_bus)["dc"]) for axle in vehicle.axles())
    model = np.asarray(vehicle.road_load(speed, etw * LB)) + idle / speed
    ratio = model / target
    assert np.all(ratio <= 1.0) and np.all(ratio >= 0.80), dict(zip(SPEEDS_KMH, np.round(ratio, 3)))
