"""The study's figure table: one row per figure drives the figures, Optuna and results.nc."""

import numpy as np
import optuna
import pytest
import xarray as xr
from explore_helpers import compose_config, run

from explore import FIGURES, OBJECTIVES, Designs, Figure, Role, Scorer, constraint_names, study_figures
from explore._figures import BY_NAME
from explore._study import DIRECTIONS, METRICS  # what run_study tells Optuna


def test_the_table_is_well_formed():
    names = [f.name for f in FIGURES]
    assert len(names) == len(set(names))
    assert [f.name for f in OBJECTIVES] == METRICS == ["accel_0_100_s", "range_km"]
    assert [d.name.lower() for d in DIRECTIONS] == ["minimize", "maximize"]
    for f in FIGURES:
        assert f.unit and f.long_name and callable(f.compute)
        assert (f.role is Role.constraint) == (f.reason is not None or f.name == "constraint_drivable")


def test_a_malformed_row_is_refused():
    with pytest.raises(ValueError, match="sense"):
        Figure(name="x_s", unit="s", long_name="x", compute=lambda v, cfg, xp: v, role=Role.objective)
    with pytest.raises(ValueError, match="constraint_"):
        Figure(name="x", unit="1", long_name="x", compute=lambda v, cfg, xp: v, role=Role.constraint)


@pytest.mark.slow
def test_a_study_computes_exactly_its_rows():
    _, cfg = compose_config(["objective.range=epa", "constraints.top_speed.enabled=false"])
    names = [f.name for f in study_figures(cfg)]
    assert "udds_consumption_wh_per_km" in names and "wltc_consumption_wh_per_km" not in names
    assert "constraint_top_speed" not in names and "constraint_sustained_speed" in names
    scorer = Scorer(cfg)
    fig = scorer.figures(Designs.random(cfg.space, 20, np.random.default_rng(0)))
    assert list(fig) == names
    assert constraint_names(fig) == [n for n in names if BY_NAME[n].role is Role.constraint]


@pytest.mark.slow
def test_every_row_reaches_results_and_optuna(tmp_path):
    """Each figure of the table is a variable of results.nc with the table's unit and long
    name; each constraint is told to Optuna under its key; the energy density is the ratio
    of two other figures (kWh over kg, x 1000)."""
    study, _, run_dir = run(tmp_path)
    ds = xr.open_dataset(run_dir / "results.nc")
    _, cfg = compose_config([])
    for f in study_figures(cfg):
        assert ds[f.name].attrs["units"] == f.unit
        assert ds[f.name].attrs["long_name"] == f.describe("wltp")
    density = ds["usable_energy_kwh"] * 1e3 / ds["pack_mass_kg"]
    np.testing.assert_allclose(ds["pack_energy_density_wh_per_kg"], density, rtol=1e-12)
    assert np.all((density > 50.0) & (density < 300.0))  # a traction pack at pack level, Wh/kg
    trial = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))[0]
    told = {BY_NAME[n].constraint_key for n in constraint_names(ds.data_vars)}
    assert set(trial.constraints) == told
