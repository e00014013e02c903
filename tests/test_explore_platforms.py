"""Platforms built from a car of a spec file (`vehicle=spec`, and the shipped `ampr_small` and
`rc02` made that way): the platform is the car, by the predictor's rules, and each runs a study."""

import numpy as np
import pytest
import xarray as xr
from explore_helpers import REFERENCE_FILE, choose, compose_config, run

import objectives as ob
from explore._designs import Designs
from explore._summary import summary
from explore._vehicles import build_vehicles, reference_vehicles

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


def test_a_spec_platforms_cell_is_the_cars_own_so_its_pack_is_a_design_of_the_space():
    """The EV6 GT's pack is 192s2p of 77.4 kWh: the platform's cell holds 77.4 kWh / 384, so
    the car's pack is 192s2p of whole platform cells, with its bus and its energy, not 260
    library cells in series (1,090 V full: outside its own bus window)."""
    _, cfg = compose_config(EV6)
    car = ob.vehicle_from_spec(_spec(REFERENCE_FILE, "kia_ev6_gt"))
    size = cfg.vehicle.cell_size
    assert size * 2 == pytest.approx(float(car.pack.n_parallel))
    full = ob.CELLS["nmc"].energy_between(0.0, 1.0) * size
    assert 384 * float(full) / ob.units.KWH == pytest.approx(77.4)
    reference = reference_vehicles(cfg.vehicle)[1][0].pack
    assert (float(reference.n_series), float(reference.n_parallel) / size) == (192.0, pytest.approx(2.0))
    assert float(reference.gross_energy()) == pytest.approx(float(car.pack.gross_energy()))
    # the search space counts the same cells: 192s2p on the platform is the car's pack
    design = {"layout": "rear", "rear_power_kw": 200.0, "rear_torque_nm": 400.0, "rear_ratio": 9.0, "chemistry": "nmc"}
    designs = Designs.from_params([{**design, "cells_series": 192, "cells_parallel": 2}], cfg.space)
    pack = ob.unstack(build_vehicles(designs, cfg.vehicle))[0].pack
    assert float(pack.gross_energy()) == pytest.approx(float(car.pack.gross_energy()))
    assert float(pack.resistance()) == pytest.approx(float(car.pack.resistance()))


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
            # Its 453 kW peak is more current than the library cell is rated for (README), and
            # the results and the summary say so, not only that a constraint is missed.
            assert not bool(saved["reference_feasible"][0])
            assert str(saved["reference_reason"].values[0]).startswith("cell current")
        assert "misses a constraint of this study (cell current" in summary(ds)
