"""Results people look at: the dataset schema, sweeps as one dataset, plots, traces,
and the price of performance against a finite difference along the front."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from explore_helpers import ROOT, TINY, compose_config, run

import explore
import objectives as ob
from explore import Designs, Scorer, feasible, front_slopes, pareto_mask


def schema(ds, names):
    """Dims and attributes of `names`, with no data: what a reader of the file relies on."""
    return xr.Dataset({k: (ds[k].dims, np.zeros((0,) * ds[k].ndim, ds[k].dtype), ds[k].attrs) for k in names})


@pytest.mark.slow
def test_results_schema(tmp_path):
    _, ds, run_dir = run(tmp_path)
    ds = xr.open_dataset(run_dir / "results.nc")
    expected = xr.Dataset(
        {
            "accel_0_100_s": (("trial",), np.zeros(0), {"units": "s", "long_name": "0-100 km/h time"}),
            "range_km": (("trial",), np.zeros(0), {"units": "km", "long_name": "WLTP range (WLTC class 3b)"}),
            "front_power_kw": (("trial",), np.zeros(0), {"units": "kW", "long_name": "front motor peak power"}),
            "cells_series": (("trial",), np.zeros(0, np.int64), {"units": "1", "long_name": "cells in series"}),
            "feasible": (("trial",), np.zeros(0, bool), {"long_name": "meets every constraint"}),
            "pareto": (("trial",), np.zeros(0, bool), {"long_name": "on the Pareto front of the feasible designs"}),
            "range_per_tenth_s_km": (
                ("trial",),
                np.zeros(0),
                {
                    "units": "km",
                    "long_name": "range given up per 0.1 s quicker 0-100 "
                    "(local slope of the front, d range / d 0-100 x 0.1 s)",
                },
            ),
            "trace_speed_kmh": (
                ("pareto_trial", "accel_time"),
                np.zeros((0, 0), np.float32),
                {"units": "km/h", "long_name": "speed in the 0-100 km/h run (NaN once 100 km/h is reached)"},
            ),
            "trace_soc": (
                ("pareto_trial", "time"),
                np.zeros((0, 0), np.float32),
                {"units": "1", "long_name": "state of charge on the WLTC, starting full"},
            ),
            "reference_accel_0_100_s": (
                ("reference",),
                np.zeros(0),
                {"units": "s", "long_name": "0-100 km/h time on this platform (model)"},
            ),
        }
    )
    xr.testing.assert_identical(schema(ds, list(expected.data_vars)), expected)
    assert ds["time"].attrs["units"] == "s" and ds["accel_time"].attrs["units"] == "s"
    np.testing.assert_array_equal(ds["pareto_trial"].values, ds["trial"].values[ds["pareto"].values])


@pytest.mark.slow
def test_traces_agree_with_the_scores(tmp_path):
    _, ds, _ = run(tmp_path)
    for trial in ds["pareto_trial"].values[:3]:
        speed = ds["trace_speed_kmh"].sel(pareto_trial=trial).values
        t = ds["accel_time"].values
        t100 = float(ds["accel_0_100_s"].sel(trial=trial))
        reached = t[np.isfinite(speed)][-1]
        assert t100 - 0.1 <= reached <= t100 + 1e-9  # the run ends at its 0-100 time
        assert np.all(np.diff(speed[np.isfinite(speed)]) >= 0.0)
        soc = ds["trace_soc"].sel(pareto_trial=trial).values
        assert soc[0] <= 0.98 and soc[-1] < soc[0]


@pytest.mark.slow
def test_soc_trace_closes_the_cycle_energy():
    specs = {s["id"]: s for s in ob.reference_specs()}
    v = ob.vehicle_from_spec(specs["nissan_ariya_2wd_87kwh"])
    trace = ob.cycle_trace(v, "wltc")
    energy, _, _ = ob.cycle_energy(v, "wltc")
    charge = float(v.pack.n_parallel * v.pack.cell.capacity)
    drawn = (float(v.pack.soc_max) - float(trace["soc"][-1])) * charge * float(v.pack.mean_ocv())
    np.testing.assert_allclose(drawn, float(energy), rtol=1e-6)
    speed, time, _, _ = ob.accel_run(v)
    np.testing.assert_allclose(float(time[-1]), float(ob.accel_time(v)[0]), rtol=1e-12)


@pytest.mark.slow
def test_slope_matches_a_finite_difference_along_a_one_variable_front():
    """Only the front motor's power varies: the designs form a curve, its feasible
    non-dominated part is the front, and the gradient slope must match the finite
    difference between neighbouring points of that curve."""
    fixed = {
        "layout": "front",
        "front_torque_nm": 320.0,
        "front_ratio": 9.5,
        "cells_series": 100,
        "cells_parallel": 3,
        "chemistry": "nmc",
    }
    overrides = [f"space.variables.{k}.low={v}" for k, v in fixed.items() if isinstance(v, float)]
    overrides += [f"space.variables.{k}.high={v}" for k, v in fixed.items() if isinstance(v, float)]
    overrides += [
        "space.variables.layout.choices=[front]",
        "space.variables.chemistry.choices=[nmc]",
        "space.variables.cells_series.low=100",
        "space.variables.cells_series.high=100",
        "space.variables.cells_parallel.low=3",
        "space.variables.cells_parallel.high=3",
        "space.variables.front_power_kw.low=90",
        "space.variables.front_power_kw.high=200",
    ]
    _, cfg = compose_config(overrides)
    power = np.linspace(95.0, 195.0, 101)
    designs = [
        {**fixed, "front_power_kw": p, "rear_power_kw": 100.0, "rear_torque_nm": 300.0, "rear_ratio": 9.0}
        for p in power
    ]
    batch = Designs.from_params(designs, cfg.space)
    fig = Scorer(cfg).figures(batch)
    front = pareto_mask(fig["accel_0_100_s"], fig["range_km"], feasible(fig))
    assert front.sum() > 20  # more power is quicker and costs range: a real trade
    on = batch.take(front)
    slope, method = front_slopes(cfg, on, {k: v[front] for k, v in fig.items()})
    t, r = fig["accel_0_100_s"][front], fig["range_km"][front]
    fd = 0.1 * (r[2:] - r[:-2]) / (t[2:] - t[:-2])  # central differences along the curve
    inner = slice(1, -1)
    assert np.all(method[inner] == "gradient")
    assert np.all(slope[inner] > 0.0)
    np.testing.assert_allclose(slope[inner], fd, rtol=0.05)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    sweep_dir = tmp_path_factory.mktemp("sweep")
    args = TINY + ["vehicle=leaf,ariya", "seed=0,1", f"hydra.sweep.dir={sweep_dir}"]
    proc = subprocess.run(
        [sys.executable, "-m", "explore", "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return sweep_dir


@pytest.mark.slow
def test_a_2x2_sweep_opens_as_one_dataset(sweep):
    ds = explore.open_results(sweep)
    assert ds.sizes["vehicle"] == 2 and ds.sizes["seed"] == 2 and ds.sizes["trial"] == 60
    # in the order of the command line (vehicle=leaf,ariya seed=0,1), which the sweep's
    # overlay plot keeps in its legend
    assert list(ds["vehicle"].values) == ["leaf", "ariya"] and list(ds["seed"].values) == [0, 1]
    assert set(ds["accel_0_100_s"].dims) == {"vehicle", "seed", "trial"}
    assert ds["range_km"].attrs["units"] == "km" and ds["accel_0_100_s"].attrs["long_name"] == "0-100 km/h time"
    one = explore.open_results(sweep / "0")
    match = ds.sel(vehicle=one.attrs["platform"], seed=one.attrs["seed"])
    np.testing.assert_array_equal(match["accel_0_100_s"].values, one["accel_0_100_s"].values)
    # references are padded across platforms: the leaf's job has NaN for Ariya variants
    leaf = ds.sel(vehicle="leaf", seed=0)
    assert np.isnan(leaf["reference_accel_0_100_s"].sel(reference="nissan_ariya_nismo_b9"))
    assert leaf["pareto"].dtype == bool


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sweep", "partial"])
def test_a_big_sweep_opens_lazily_as_the_same_dataset(sweep, tmp_path, monkeypatch, name):
    """Above `LAZY_ABOVE_BYTES` of results files, the variables are dask arrays that read
    the files when used; loaded, the Dataset is the one a small sweep gives (grid or `job`)."""
    import shutil

    import explore._open

    path = sweep
    if name == "partial":
        path = tmp_path / "partial"
        shutil.copytree(sweep, path)
        shutil.rmtree(path / "3")
    eager = explore.open_results(path)
    assert eager["range_km"].chunks is None
    monkeypatch.setattr(explore._open, "LAZY_ABOVE_BYTES", 0)
    lazy = explore.open_results(path)
    assert all(lazy[k].chunks is not None for k in ("range_km", "pareto", "reason", "reference_range_km"))
    xr.testing.assert_identical(lazy.load(), eager)


@pytest.mark.slow
def test_a_partial_sweep_opens_along_job(sweep, tmp_path):
    import shutil

    partial = tmp_path / "partial"
    shutil.copytree(sweep, partial)
    shutil.rmtree(partial / "3")
    ds = explore.open_results(partial)
    assert ds.sizes["job"] == 3
    assert set(ds["vehicle"].values) == {"leaf", "ariya"} and "job" in ds["seed"].dims


@pytest.mark.slow
def test_plots_are_written(sweep):
    for path in [sweep / "pareto.png", sweep / "0" / "pareto.png"]:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.slow
def test_inspect_prints_the_front_and_writes_csv(sweep, tmp_path):
    out = tmp_path / "front.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "explore.inspect", str(sweep), "--csv", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    ds = explore.open_results(sweep)
    n_front = int(ds["pareto"].sum())
    assert f"{n_front} Pareto designs" in proc.stdout
    lines = out.read_text().strip().splitlines()
    assert (
        len(lines) == n_front + 1
        and "range_per_tenth_s_km [km]" in lines[0]
        and set(lines[0].split(",")[:2]) == {"vehicle", "seed"}
    )


@pytest.mark.slow
def test_inspect_trace_and_errors(sweep, tmp_path):
    ds = explore.open_results(sweep / "0")
    trial = int(ds["pareto_trial"].values[0])
    png = tmp_path / "trace.png"
    ok = subprocess.run(
        [sys.executable, "-m", "explore.inspect", str(sweep / "0"), "--trace", str(trial), "--out", str(png)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert png.read_bytes()[:4] == b"\x89PNG"
    empty = subprocess.run(
        [sys.executable, "-m", "explore.inspect", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert empty.returncode == 2 and "holds no results.nc" in empty.stderr and "Traceback" not in empty.stderr


@pytest.mark.slow
def test_summary_table_spreads_its_rows_along_the_whole_front(tmp_path):
    # The rows are distinct front designs spread along the front's length, both ends
    # included, however unevenly the sampler left designs along it.
    from explore._summary import MAX_ROWS, front_table

    _, ds, _ = run(tmp_path, ["study.n_trials=200", "study.batch_size=50"])
    rows, n_front = front_table(ds)
    on = ds["pareto"].values
    accel, range_km = ds["accel_0_100_s"].values[on], ds["range_km"].values[on]
    distinct = len(np.unique(np.column_stack([accel, range_km]), axis=0))
    assert n_front == on.sum() and len(rows) - 1 == min(MAX_ROWS, distinct)
    shown = [float(r.split()[1]) for r in rows[1:]]
    assert shown == sorted(shown)
    assert shown[0] == pytest.approx(accel.min(), abs=0.006) and shown[-1] == pytest.approx(
        accel[range_km.argmax()], abs=0.006
    )
