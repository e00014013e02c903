"""Sweeps through Hydra's real launchers, and several workers feeding one study.

- joblib (`hydra/launcher=cores`, the project's preset) and submitit's local executor
  (`hydra/launcher=submitit_local`) run real sweeps; the SLURM preset's settings are
  checked, and a sweep runs as a job array on a real single-node SLURM cluster (the
  `slurm` fixture of conftest.py: `.ci/slurm.sh`).
- Workers run at once (joblib) on one Optuna journal file and on a real PostgreSQL server:
  exactly workers x n_trials trials, none lost or duplicated, and `open_results` on the
  sweep gives the whole study. The PostgreSQL password comes from the environment through
  `${oc.env:...}` and appears in no file of the sweep directory.

PostgreSQL: the server named by EXPLORE_TEST_POSTGRES_URL / _PASSWORD (`.ci/run` starts
one with `.ci/postgres.sh`), else one started here with `.ci/postgres.sh` if the server
binaries are installed, else the test is skipped, or fails when EXPLORE_REQUIRE_POSTGRES=1.
"""

import os
import subprocess
import sys

import optuna
import pytest
from explore_helpers import ROOT
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

import explore
from explore._config import CONF_DIR, register

pytestmark = pytest.mark.slow  # real subprocesses, servers and sweeps: the full suite only

WORKERS = 3
SMALL = ["study.n_trials=40", "study.batch_size=20", "study.progress=false", "refine.enabled=false"]


def sweep(args, sweep_dir, env=None):
    proc = subprocess.run(
        [sys.executable, "-m", "explore", "-m", *SMALL, *args, f"hydra.sweep.dir={sweep_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_slurm_preset_takes_the_cluster_settings():
    register()
    with initialize_config_dir(config_dir=CONF_DIR, version_base=None):
        cfg = compose(
            config_name="config",
            return_hydra_config=True,
            overrides=[
                "hydra/launcher=slurm",
                "cluster.partition=gpu",
                "cluster.gpus=1",
                "cluster.time_min=30",
                "cluster.array_parallelism=8",
            ],
        )
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert OmegaConf.select(cfg, "hydra.launcher.partition") == "gpu"
    assert OmegaConf.select(cfg, "hydra.launcher.gpus_per_node") == 1
    assert OmegaConf.select(cfg, "hydra.launcher.timeout_min") == 30
    assert OmegaConf.select(cfg, "hydra.launcher.array_parallelism") == 8
    assert OmegaConf.select(cfg, "hydra.launcher.cpus_per_task") == 2


@pytest.mark.parametrize("launcher", ["cores", "submitit_local"])
def test_real_launchers_run_a_sweep(launcher, tmp_path):
    sweep([f"hydra/launcher={launcher}", "seed=0,1"], tmp_path)
    ds = explore.open_results(tmp_path)
    assert dict(ds["accel_0_100_s"].sizes) == {"seed": 2, "trial": 40}
    assert ds["pareto"].sum() > 0


def test_a_sweep_runs_as_a_real_slurm_job_array(slurm, tmp_path):
    """`hydra/launcher=slurm` on a real (single-node) SLURM cluster: the sweep is one job
    array of two tasks, each writes its results.nc, and `open_results` merges them."""
    conf, partition = slurm
    env = {**os.environ, "SLURM_CONF": conf}
    sweep(
        ["hydra/launcher=slurm", f"cluster.partition={partition}", "cluster.cpus=1", "cluster.mem_gb=1", "seed=0,1"],
        tmp_path,
        env=env,
    )
    script = next((tmp_path / ".submitit").glob("*/*_submission.sh")).read_text()
    assert "#SBATCH --array=0-1" in script and f"#SBATCH --partition={partition}" in script
    assert len(list((tmp_path / ".submitit").glob("*_[01]/*_result.pkl"))) == 2  # both tasks ran under SLURM
    ds = explore.open_results(tmp_path)
    assert dict(ds["accel_0_100_s"].sizes) == {"seed": 2, "trial": 40}
    assert ds["pareto"].sum() > 0


def _check_one_study(url, name, sweep_dir):
    """Exactly WORKERS x 40 sampled trials (and any refined ones), none lost or twice."""
    storage = (
        optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(url)) if "://" not in url else url
    )
    study = optuna.load_study(study_name=name, storage=storage)
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    sampled = [t for t in complete if "origin" not in t.user_attrs]
    assert len(sampled) == WORKERS * 40
    assert len({t.number for t in complete}) == len(complete)
    for worker in range(WORKERS):
        assert sum(t.user_attrs["worker"] == worker for t in sampled) == 40
    ds = explore.open_results(sweep_dir)  # the whole study, from the last export
    assert sorted(ds["trial"].values) == sorted(t.number for t in complete)
    return ds


def test_workers_at_once_feed_one_journal(tmp_path):
    """With gradient refinement on: each worker adds its refined designs as whole trials."""
    journal = tmp_path / "shared.journal"
    sweep(
        [
            "hydra/launcher=cores",
            f"worker={','.join(map(str, range(WORKERS)))}",
            f"study.storage={journal}",
            "study.name=shared",
            "refine.enabled=true",
            "refine.evaluations=300",
            "refine.steps=3",
        ],
        tmp_path / "sweep",
    )
    ds = _check_one_study(str(journal), "shared", tmp_path / "sweep")
    # How many refined designs pass depends on the front each worker finds when it ends
    # (often one point here); whatever was added is whole and valid.
    refined = ds["origin"].values == "refine"
    assert ds["feasible"].values[refined].all()
    assert set(ds["refined_from"].values[refined]) <= set(ds["trial"].values)


def test_refined_designs_join_a_shared_study(tmp_path):
    """One worker on a journal file, refinement on: the refined designs are whole trials of
    the shared study, with their origin and constraints."""
    journal = tmp_path / "one.journal"
    args = [
        "study.n_trials=200",
        "study.batch_size=20",
        "study.progress=false",
        f"study.storage={journal}",
        "study.name=one",
        "refine.evaluations=300",
        "refine.steps=3",
        f"hydra.run.dir={tmp_path / 'run'}",
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "explore", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    study = optuna.load_study(
        study_name="one",
        storage=optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal))),
    )
    refined = [t for t in study.get_trials(deepcopy=False) if t.user_attrs.get("origin") == "refine"]
    assert refined and all(t.state == optuna.trial.TrialState.COMPLETE for t in refined)
    numbers = {t.number for t in study.trials}
    for t in refined:
        assert t.user_attrs["refined_from"] in numbers and t.user_attrs["worker"] == 0
        assert len(t.constraints) == 8 and all(v <= 0.0 for v in t.constraints.values())  # feasible, as told
    assert len(study.trials) == 200 + len(refined)


def test_workers_at_once_feed_one_postgresql_study(postgres, tmp_path):
    url, password = postgres
    user_url = url.replace("://explore@", "://explore:${oc.env:EXPLORE_DB_PASSWORD}@")
    name = f"shared-{os.getpid()}-{tmp_path.name}"
    env = {**os.environ, "EXPLORE_DB_PASSWORD": password}
    sweep_dir = tmp_path / "sweep"
    sweep(
        [
            "hydra/launcher=cores",
            f"worker={','.join(map(str, range(WORKERS)))}",
            f"study.storage='{user_url}'",
            f"study.name={name}",
        ],
        sweep_dir,
        env=env,
    )
    _check_one_study(url.replace("://explore@", f"://explore:{password}@"), name, sweep_dir)
    # The password is in no file the sweep wrote (configs, overrides, logs, results).
    for path in sweep_dir.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def test_a_password_given_as_a_query_parameter_stays_out_of_every_file(postgres, tmp_path):
    # libpq takes the password as ?password=...; the run works and records the URL redacted.
    url, password = postgres
    run_dir = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "explore",
            "study.storage='" + url + "?password=${oc.env:EXPLORE_DB_PASSWORD}'",
            f"study.name=query-{os.getpid()}-{tmp_path.name}",
            "study.n_trials=20",
            "study.batch_size=20",
            "study.progress=false",
            f"hydra.run.dir={run_dir}",
        ],
        cwd=ROOT,
        env={**os.environ, "EXPLORE_DB_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert password not in proc.stdout + proc.stderr
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    ds = explore.open_results(run_dir)
    assert ds.attrs["storage"].endswith("?password=***")
