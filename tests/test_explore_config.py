"""Every config in conf/ composes, validates and builds designs the model can score."""

import hydra
import numpy as np
import optuna
import pytest
from explore_helpers import choose, compose_config, group_options

import objectives as ob
from explore import (
    VARIABLES,
    ConfigError,
    Designs,
    Scorer,
    build_vehicles,
    distributions,
    make_sampler,
    reference_vehicles,
    run_study,
)
from explore._config import SAMPLER_SCHEMAS, SamplerName, Variable, validate  # the checks themselves
from explore._variables import check_space
from explore._vehicles import whole_cells

GROUPS = ["vehicle", "space", "sampler"]
CASES = [(g, o) for g in GROUPS for o in group_options(g)]


def test_every_group_has_options():
    assert group_options("vehicle") and group_options("space") and group_options("sampler")
    assert {"leaf", "ariya"} <= set(group_options("vehicle"))
    assert {"nsga2", "nsga3", "tpe", "random", "qmc"} <= set(group_options("sampler"))


@pytest.mark.slow
@pytest.mark.parametrize("group,option", CASES)
def test_config_composes_and_builds(group, option):
    _, cfg = compose_config([*choose(group, option), "study.batch_size=8"])
    validate(cfg)
    check_space(cfg.space, cfg.vehicle)
    sampler = make_sampler(cfg.sampler, seed=1, batch_size=cfg.study.batch_size)
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    designs = [study.ask(distributions(cfg.space)).params for _ in range(8)]
    for d in designs:  # every value within its declared bounds or choices
        for name, value in d.items():
            var = cfg.space.variables[name]
            if var.choices is not None:
                assert value in var.choices
            else:
                assert var.low <= value <= var.high
    fig = Scorer(cfg).figures(Designs.from_params(designs, cfg.space))
    assert fig["accel_0_100_s"].shape == (8,)
    for key in ("accel_0_100_s", "range_km", "kerb_mass_kg", "usable_energy_kwh"):
        assert np.all(np.isfinite(fig[key])), key
    specs, vehicles = reference_vehicles(cfg.vehicle)
    assert len(specs) == len(cfg.vehicle.references) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("vehicle", group_options("vehicle"))
def test_platform_references_reproduce_their_published_figures(vehicle):
    """On its own platform a published variant should land near its published 0-100 and
    WLTP range (the platform body differs from the variant's own estimate by a few %)."""
    _, cfg = compose_config(choose("vehicle", vehicle))
    specs, vehicles = reference_vehicles(cfg.vehicle)
    out = ob.score(ob.stack(vehicles))
    for spec, t, r in zip(specs, np.asarray(out["accel_0_100_s"]), np.asarray(out["wltp_range_m"]) / 1e3):
        if spec.get("accel_0_100_kmh_s"):
            assert abs(t / spec["accel_0_100_kmh_s"] - 1.0) < 0.2, (spec["id"], t)
        if spec.get("wltp_range_km"):
            assert abs(r / spec["wltp_range_km"] - 1.0) < 0.15, (spec["id"], r)


def test_whole_cells_never_adds_energy_and_keeps_parallel_count():
    pack = ob.Pack(cell=ob.CELLS["nmc"], n_series=96.0, n_parallel=4.217, mass_factor=ob.PACK_MASS_FACTOR["nmc"])
    whole = whole_cells(pack)
    assert whole.n_parallel == 4.0 and whole.n_series == 101.0
    assert float(whole.gross_energy()) <= float(pack.gross_energy())
    assert (
        float(whole.gross_energy())
        > float(pack.gross_energy()) - float(pack.cell.energy_between(0, 1)) * whole.n_parallel
    )
    # in cells of 0.7 library cells: 4.217 / 0.7 = 6.02 -> 6 in parallel, the energy kept as above
    whole = whole_cells(pack, cell_size=0.7)
    assert whole.n_parallel == pytest.approx(6 * 0.7) and whole.n_series == 96.0
    assert float(whole.gross_energy()) <= float(pack.gross_energy())


@pytest.mark.slow
def test_dual_layout_drives_both_axles_and_single_layouts_one():
    _, cfg = compose_config()
    base = {
        "front_power_kw": 150.0,
        "front_torque_nm": 300.0,
        "front_ratio": 9.0,
        "rear_power_kw": 150.0,
        "rear_torque_nm": 300.0,
        "rear_ratio": 9.0,
        "cells_series": 96,
        "cells_parallel": 4,
        "chemistry": "nmc",
    }
    designs = [{**base, "layout": layout} for layout in ("front", "rear", "dual")]
    v = build_vehicles(Designs.from_params(designs, cfg.space), cfg.vehicle)
    np.testing.assert_array_equal(v.front.n_motors, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(v.rear.n_motors, [0.0, 1.0, 1.0])
    t = np.asarray(ob.score(v)["accel_0_100_s"])
    assert t[2] < min(t[0], t[1])  # twice the power and all-wheel traction


@pytest.mark.slow
def test_two_speed_gearbox_and_the_design_choices_reach_the_model():
    """Second gear from its fraction of the first; the tyre from the catalogue on both axles;
    the front axle of a dual design idles as chosen; launch boost on both motors."""
    _, cfg = compose_config(["space=performance"])
    d = {
        "layout": "dual",
        "front_power_kw": 200.0,
        "front_torque_nm": 400.0,
        "front_ratio": 9.0,
        "rear_power_kw": 200.0,
        "rear_torque_nm": 400.0,
        "rear_ratio": 12.0,
        "rear_gears": 2,
        "rear_ratio_2_frac": 0.6,
        "cells_series": 96,
        "cells_parallel": 3,
        "chemistry": "nmc",
        "tyre": "uhp_21",
        "boost_frac": 1.2,
    }
    designs = [{**d, "secondary_idle": idle} for idle in ("drag", "de_excited", "disconnected")]
    v = build_vehicles(Designs.from_params(designs, cfg.space), cfg.vehicle)
    np.testing.assert_allclose(v.rear.gearbox.ratio_high, 7.2)
    np.testing.assert_allclose(v.front.gearbox.ratio_high, 9.0)  # single speed in a batch with second gears
    uhp = ob.tyre("255/40 R21", "D", "uhp")
    for axle in (v.front, v.rear):
        np.testing.assert_allclose(axle.tyre.section_width, uhp.section_width)
        np.testing.assert_allclose(axle.tyre.label_rrc, uhp.label_rrc)
        np.testing.assert_allclose(axle.motor.boost_power_frac, 1.2)
    np.testing.assert_array_equal(v.front.motor.idle_iron_frac, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(v.front.gearbox.disconnect, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(v.rear.motor.idle_iron_frac, [1.0, 1.0, 1.0])
    out = ob.score(v)
    wh = np.asarray(out["wltc_consumption_j_per_m"])
    assert wh[1] < wh[0] and wh[2] < wh[0]  # an idling front axle that does not drag saves energy


@pytest.mark.slow
def test_tyre_choice_is_grip_bought_with_range():
    """The same powertrain on eco and on track tyres: the track tyre launches quicker (grip) and
    the eco tyre goes further (rolling resistance, mass)."""
    _, cfg = compose_config(["space=performance"])
    d = {
        "layout": "dual",
        "front_power_kw": 250.0,
        "front_torque_nm": 600.0,
        "front_ratio": 10.0,
        "rear_power_kw": 300.0,
        "rear_torque_nm": 700.0,
        "rear_ratio": 10.0,
        "rear_gears": 1,
        "cells_series": 108,
        "cells_parallel": 3,
        "chemistry": "nmc",
        "secondary_idle": "drag",
        "boost_frac": 1.0,
    }
    v = build_vehicles(
        Designs.from_params([{**d, "tyre": "eco_19"}, {**d, "tyre": "track_21"}], cfg.space), cfg.vehicle
    )
    out = ob.score(v)
    t, r = np.asarray(out["accel_0_100_s"]), np.asarray(out["wltp_range_m"])
    assert t[1] < t[0] and r[0] > 1.08 * r[1]


@pytest.mark.parametrize(
    "override,key",
    [
        ("space.variables.front_power_kw.low=400", "space.variables.front_power_kw.low"),
        ("space.variables.chemistry.choices=[nmc,sodium]", "space.variables.chemistry.choices"),
        ("space.variables.front_power_kw.unit=W", "space.variables.front_power_kw.unit"),
        ("space.variables.cells_series.low=0.5", "space.variables.cells_series"),
        ("vehicle.glider_mass_kg=-5", "vehicle.glider_mass_kg"),
        ("study.batch_size=0", "study.batch_size"),
        ("constraints.pack_voltage.min_v=600", "constraints.pack_voltage.min_v"),
        ("vehicle.references=[no_such_car]", "vehicle.references"),
        ("vehicle.tyre=no_such_tyre", "vehicle.tyre"),
        ("vehicle.tyres.eco_19.label=Z", "vehicle.tyres.eco_19.label"),
        ("vehicle.tyres.eco_19.size=big", "vehicle.tyres.eco_19.size"),
        ("space.variables.tyre.choices=[eco_19,slick_22]", "space.variables.tyre.choices"),
        ("space.variables.secondary_idle.choices=[magic]", "space.variables.secondary_idle.choices"),
        ("~space.variables.cells_series", "space.variables.cells_series"),
    ],
)
def test_bad_values_name_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        compose_config([override])


def test_unknown_variable_is_named():
    _, cfg = compose_config()
    cfg.space.variables["wing_area_m2"] = Variable(unit="m2", low=1.0, high=2.0)
    with pytest.raises(ConfigError, match=r"space\.variables\.wing_area_m2.*known variables"):
        check_space(cfg.space, cfg.vehicle)


def test_variables_table_covers_the_spaces():
    for option in group_options("space"):
        _, cfg = compose_config([f"space={option}"])
        assert set(cfg.space.variables) <= set(VARIABLES)


@pytest.mark.parametrize("option", group_options("sampler"))
def test_each_sampler_has_its_own_schema(option):
    """A sampler option composes into its own schema, so a key another sampler takes is refused."""
    _, cfg = compose_config([f"sampler={option}"])
    assert type(cfg.sampler) is SAMPLER_SCHEMAS[SamplerName(option)]
    foreign = "qmc_type" if option != "qmc" else "population_size"
    with pytest.raises(hydra.errors.ConfigCompositionException, match=foreign):
        compose_config([f"sampler={option}", f"sampler.{foreign}=1"])


def test_an_unchecked_config_does_not_run(tmp_path):
    """`run_study` checks its config like the command line: a value changed after loading
    that cannot work is refused before anything is written."""
    _, cfg = compose_config(["study.progress=false"])
    cfg.study.batch_size = 0
    with pytest.raises(ConfigError, match=r"study\.batch_size"):
        run_study(cfg, str(tmp_path))
    assert not any(tmp_path.iterdir())
