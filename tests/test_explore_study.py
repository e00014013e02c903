"""The study loop end to end: results.nc, the Pareto mark, seeding, resume, and the CLI."""

import json
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import optuna
import pytest
import xarray as xr
from explore_helpers import ROOT, TINY, run

from explore._samplers import BatchNSGAIISampler
from explore._study import STUDY_FILE


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return run(tmp_path_factory.mktemp("tiny"))


def test_results_open_with_plain_xarray(tiny):
    study, _, run_dir = tiny
    with xr.open_dataset(run_dir / "results.nc") as ds:
        assert ds.sizes["trial"] == 60
        for name in (
            "accel_0_100_s",
            "range_km",
            "kerb_mass_kg",
            "usable_energy_kwh",
            "front_power_kw",
            "cells_series",
            "constraint_top_speed",
            "constraint_cell_current",
        ):
            assert "units" in ds[name].attrs and ds[name].attrs["long_name"], name
        assert ds["accel_0_100_s"].attrs["units"] == "s" and ds["range_km"].attrs["units"] == "km"
        assert ds["feasible"].dtype == bool and ds["pareto"].dtype == bool
        assert ds.attrs["sampler"] == "nsga2" and ds.attrs["seed"] == 0
        assert "version_optuna" in ds.attrs and "study:" in ds.attrs["config"]
        assert ds.sizes["reference"] == 4
        # an infeasible design always says why; a feasible one never does
        reasons = ds["reason"].values.astype(str)
        np.testing.assert_array_equal(reasons == "", ds["feasible"].values)


def test_pareto_marks_exactly_the_nondominated_feasible_trials(tiny):
    _, ds, _ = tiny
    t, r, ok = ds["accel_0_100_s"].values, ds["range_km"].values, ds["feasible"].values
    expected = np.zeros_like(ok)
    for i in np.flatnonzero(ok):  # brute force, straight from the definition
        others = ok & (t <= t[i]) & (r >= r[i]) & ((t < t[i]) | (r > r[i]))
        expected[i] = not others.any()
    assert expected.any()
    np.testing.assert_array_equal(ds["pareto"].values, expected)


def test_feasible_means_every_constraint_met(tiny):
    _, ds, _ = tiny
    names = [k for k in ds.data_vars if k.startswith("constraint_")]
    assert len(names) == 8
    met = np.all([ds[k].values <= 0.0 for k in names], axis=0)
    np.testing.assert_array_equal(ds["feasible"].values, met)
    top = ds["top_speed_kmh"].values
    assert np.all(top[ds["feasible"].values] >= 150.0 - 1e-9)
    held = ds["sustained_speed_kmh"].values
    assert np.all(held[ds["feasible"].values] >= 130.0 - 1e-9)
    assert np.all(held <= top + 1e-9)  # a 30-minute rating never beats the peak


def test_same_seed_same_trials_other_seed_other_trials(tiny, tmp_path):
    study, _, _ = tiny
    again, _, _ = run(tmp_path, name="again")
    other, _, _ = run(tmp_path, ["seed=1"], name="other")
    assert [t.params for t in study.trials] == [t.params for t in again.trials]
    assert [t.values for t in study.trials] == [t.values for t in again.trials]
    assert [t.params for t in study.trials] != [t.params for t in other.trials]


def _saved(run_dir):
    """The study of a run directory, opened by plain Optuna from its journal file."""
    backend = optuna.storages.journal.JournalFileBackend(str(run_dir / STUDY_FILE))
    return optuna.load_study(study_name=None, storage=optuna.storages.JournalStorage(backend))


def test_the_study_file_opens_in_optuna_with_every_trial_as_told(tiny):
    study, _, run_dir = tiny
    saved = _saved(run_dir)
    assert not list(run_dir.rglob("*.pkl"))
    assert saved.metric_names == ["accel_0_100_s", "range_km"] and saved.directions == study.directions
    assert len(saved.trials) == len(study.trials) == 60
    # Constraints as one list per trial (what optuna-dashboard 0.21 shows), named by a
    # study attribute.
    names = saved.user_attrs["constraint_names"]
    assert len(names) == 8 and "top_speed" in names
    for a, b in zip(saved.trials, study.trials):
        assert (a.number, a.state, a.params, a.values) == (b.number, b.state, b.params, b.values)
        assert list(a.constraints.values()) == [b.constraints[name] for name in names]
        assert a.user_attrs == b.user_attrs


def test_optuna_dashboard_serves_the_study_file(tiny):
    """optuna-dashboard, started on the run's study.journal as a user would, serves every
    trial with its values and constraints, and the objectives' names, over its HTTP API."""
    study, _, run_dir = tiny
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dashboard = pathlib.Path(sys.executable).with_name("optuna-dashboard")
    proc = subprocess.Popen(
        [str(dashboard), str(run_dir / STUDY_FILE), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies", timeout=5) as r:
                    studies = json.load(r)["study_summaries"]
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()[-2000:]
                assert time.monotonic() < deadline, "optuna-dashboard did not answer within 60 s"
                time.sleep(0.2)
        assert [s["study_name"] for s in studies] == [study.study_name]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies/{studies[0]['study_id']}") as r:
            served = json.load(r)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert served["objective_names"] == ["accel_0_100_s", "range_km"]
    assert served["directions"] == ["minimize", "maximize"]
    assert len(served["trials"]) == len(study.trials) == 60
    shown_attrs = {a["key"]: json.loads(a["value"]) for a in served["user_attrs"]}
    assert shown_attrs["constraint_names"] == list(study.trials[0].constraints)
    for shown, told in zip(served["trials"], study.trials):
        assert shown["values"] == told.values
        assert shown["constraints"] == list(told.constraints.values())


def test_rerun_in_the_same_directory_resumes(tmp_path):
    """40 trials, then a rerun asking for 60 in the same run directory, gives the same
    trials as 60 in one go: the study file holds the trials, and each batch has its own
    sampler seeded from its number."""
    first, _, run_dir = run(tmp_path, ["study.n_trials=40"], name="resumed")
    assert len(_saved(run_dir).trials) == 40
    resumed, ds, _ = run(tmp_path, [], name="resumed")
    straight, _, _ = run(tmp_path, [], name="straight")
    assert len(resumed.trials) == 60 and ds.sizes["trial"] == 60
    assert [t.params for t in resumed.trials] == [t.params for t in straight.trials]


def test_study_file_of_another_config_is_refused(tmp_path):
    from explore import ConfigError

    run(tmp_path, ["study.n_trials=20"], name="dir")
    with pytest.raises(ConfigError, match="hydra.run.dir"):
        run(tmp_path, ["study.n_trials=20", "seed=5"], name="dir")


def test_memoised_nsga2_samples_what_optuna_samples():
    def batches(sampler):
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        for _ in range(6):
            trials = [study.ask() for _ in range(10)]
            for t in trials:
                x, y = t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)
                t.suggest_categorical("c", ["a", "b"])
                t.set_constraint("c0", x - 0.9)
                study.tell(t, [x, (1 + y) / max(x, 1e-3)])
        return [t.params for t in study.trials]

    ours = batches(BatchNSGAIISampler(population_size=10, seed=7))
    theirs = batches(optuna.samplers.NSGAIISampler(population_size=10, seed=7))
    assert ours == theirs


def cli(args, cwd, **kw):
    return subprocess.run([sys.executable, "-m", "explore", *args], cwd=cwd, capture_output=True, text=True, **kw)


@pytest.mark.slow
def test_cli_runs_a_tiny_study_and_prints_the_front(tmp_path):
    run_dir = tmp_path / "cli"
    proc = cli(TINY + ["vehicle=leaf", f"hydra.run.dir={run_dir}"], cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "on the Pareto front" in proc.stdout and "Nissan Leaf (3rd gen)" in proc.stdout
    with xr.open_dataset(run_dir / "results.nc") as ds:
        assert ds.sizes["trial"] == 60 and ds.attrs["platform"] == "leaf"
    assert (run_dir / "summary.txt").read_text().strip() in proc.stdout


def test_cli_bad_value_exits_2_with_one_line_and_no_results(tmp_path):
    run_dir = tmp_path / "bad"
    proc = cli(TINY + ["space.variables.front_ratio.low=20", f"hydra.run.dir={run_dir}"], cwd=ROOT, timeout=600)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "space.variables.front_ratio.low" in lines[0] and "Traceback" not in proc.stderr
    assert not (run_dir / "results.nc").exists()


def test_cli_help_lists_the_groups():
    proc = cli(["--help"], cwd=ROOT, timeout=120)
    assert proc.returncode == 0
    for line in (
        "sampler: nsga2, nsga3, qmc, random, tpe",
        "space: performance, powertrain",
        "vehicle: ampr_small, ariya, leaf, rc02, spec",
    ):
        assert line in proc.stdout


def test_two_workers_share_a_journal_storage(tmp_path):
    """Workers 0 and 1 on one journal file: each adds its own trials, with its own seed
    stream, and the export of either shows the whole study."""
    journal = tmp_path / "study.journal"
    shared = [f"study.storage={journal}", "study.name=shared", "study.n_trials=40"]
    first, _, _ = run(tmp_path, shared + ["worker=0"], name="w0")
    second, ds, _ = run(tmp_path, shared + ["worker=1"], name="w1")
    assert len(second.trials) == 80 and ds.sizes["trial"] == 80
    by_worker = {}
    for t in second.trials:
        by_worker.setdefault(t.user_attrs["worker"], []).append(t.params)
    assert sorted(by_worker) == [0, 1] and len(by_worker[0]) == len(by_worker[1]) == 40
    assert by_worker[0][:20] != by_worker[1][:20]  # distinct seed streams
    assert not (tmp_path / "w0" / STUDY_FILE).exists()  # the shared storage holds the study


def test_same_seed_and_config_write_the_same_results(tmp_path):
    """Two runs of one config (refinement on) write identical results.nc files, apart
    from the creation time."""
    overrides = ["refine.enabled=true", "refine.evaluations=300", "refine.steps=3"]
    for name in ("a", "b"):
        run(tmp_path, overrides, name=name)
    first, second = (xr.open_dataset(tmp_path / name / "results.nc") for name in ("a", "b"))
    with first, second:
        assert first.attrs.pop("created") and second.attrs.pop("created")
        assert (first["origin"] == "refine").any()
        xr.testing.assert_identical(first.load(), second.load())


def test_front_trials_are_optunas_best_trials(tiny):
    """The front refinement starts from is Optuna's own feasible Pareto front (read without
    copying the study), on the tiny study and on a hand-made one with ties and violations."""
    from explore import front_trials

    study = tiny[0]
    assert [t.number for t in front_trials(study)] == [t.number for t in study.best_trials]
    made = optuna.create_study(directions=["minimize", "maximize"])
    dist = {"x": optuna.distributions.FloatDistribution(0.0, 1.0)}
    for values, violation in [
        ((5.0, 400.0), 0.0),
        ((4.0, 420.0), 0.0),
        ((4.0, 420.0), -1.0),
        ((3.0, 500.0), 0.5),
        ((6.0, 390.0), 0.0),
        ((3.5, 410.0), -0.2),
    ]:
        made.add_trial(
            optuna.trial.create_trial(
                values=list(values), params={"x": 0.5}, distributions=dist, constraints={"c": violation}
            )
        )
    assert [t.number for t in front_trials(made)] == [t.number for t in made.best_trials] == [1, 2, 5]
