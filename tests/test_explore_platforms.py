"""Platforms built from a car of a spec file (`vehicle=spec`, and the shipped `ampr_small` and
`rc02` made that way): the platform is the car, by the predictor's rules, and each runs a study."""

import numpy as np
import pytest
import xarray as xr
from explore_helpers import REFERENCE_FILE, choose, compose_config, run

import objectives as ob

EV6 = choose("vehicle", "spec")  # the Kia EV6 GT of the reference file
PLATFORMS = {
    "kia_ev6_gt": (EV6, ["kia_ev6_gt"]),
    "ampr_small": (["vehicle=ampr_small"], ["renault_5_etech_52kwh_150hp_2025", "alpine_a290_gts_2025"]),
    "rc02": (["vehicle=rc02"], ["nissan_leaf_nismo_rc02"]),
}


def _spec(file, car):
    return next(s for s in ob.load_specs(file) if s.get("id") == car)


def test_a_spec_platform_is_the_car_by_the_predictors_rules():
    """The platform's body is the car's as `objectives.vehicle_from_spec` builds it, so the
    car's own design on it weighs what the car does (glider + its powertrain = kerb mass)."""
    _, cfg = compose_config(EV6)
    spec = _spec(REFERENCE_FILE, "kia_ev6_gt")
    car = ob.vehicle_from_spec(spec)
    platform = cfg.vehicle
    assert platform.name == "kia_ev6_gt" and platform.references == ["kia_ev6_gt"]
    assert platform.glider_mass_kg == pytest.approx(float(car.body.glider_mass), abs=0.05)
    assert (platform.drag_coefficient, platform.wheelbase_m) == (0.28, pytest.approx(2.9))
    assert platform.tyres[platform.tyre].size.replace(" ", "") in spec["tyre_size"].replace(" ", "")
    # An 800 V car: its bus and its cells in series, not the 400 V platforms' defaults.
    figures = ob.pack_figures(car)
    assert platform.max_pack_voltage_v == pytest.approx(1.1 * float(figures["pack_max_voltage_v"]), abs=0.5)
    assert cfg.constraints.pack_voltage.max_v == platform.max_pack_voltage_v > 800
    low, high = cfg.space.variables["cells_series"].low, cfg.space.variables["cells_series"].high
    assert low < float(car.pack.n_series) < high
    assert platform.max_pack_energy_kwh == pytest.approx(
        1.1 * float(figures["gross_energy_j"]) / ob.units.KWH, abs=0.05
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PLATFORMS))
def test_each_platform_runs_a_study_with_its_published_variants(name, tmp_path):
    overrides, references = PLATFORMS[name]
    _, ds, run_dir = run(tmp_path, overrides)
    with xr.open_dataset(run_dir / "results.nc") as saved:
        assert saved.attrs["platform"] == name and saved.sizes["trial"] == 60
        assert list(saved["reference"].values) == references
        assert np.isfinite(saved["reference_accel_0_100_s"].values).all()
        assert np.isfinite(saved["reference_range_km"].values).all()
    if name == "kia_ev6_gt":
        # The car a spec platform is made from, as its reference design, scores what the
        # model scores for the car itself (the same body, motors, gearing and tyres; the pack
        # rounded to whole cells and no governed top speed).
        own = ob.score_one(ob.vehicle_from_spec(_spec(REFERENCE_FILE, name)))
        with xr.open_dataset(run_dir / "results.nc") as saved:
            assert float(saved["reference_accel_0_100_s"][0]) == pytest.approx(float(own["accel_0_100_s"]), rel=0.01)
            assert float(saved["reference_range_km"][0]) == pytest.approx(float(own["wltp_range_m"]) / 1e3, rel=0.01)
