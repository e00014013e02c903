"""Faults: a study killed with SIGKILL mid-run and run again continues where it stopped.

Real subprocesses of `python -m explore` and a real SIGKILL, at a moment when some batches
are complete and the next is being scored.
"""

import signal
import subprocess
import sys
import time

import optuna
import pytest
import xarray as xr
from explore_helpers import ROOT

pytestmark = pytest.mark.slow  # real subprocesses, servers and sweeps: the full suite only

RUN = ["study.n_trials=1200", "study.batch_size=20", "study.progress=false", "refine.enabled=false"]


def _start(args):
    return subprocess.Popen(
        [sys.executable, "-m", "explore", *RUN, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_when(proc, ready, timeout=300):
    """SIGKILL `proc` as soon as `ready()` is true; fails if it ends first."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"the study ended before it could be killed: {proc.stderr.read()[-2000:]}"
        assert time.monotonic() < deadline, "the study never got going"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _finish(args):
    proc = subprocess.run(
        [sys.executable, "-m", "explore", *RUN, *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_killed_run_resumes_in_its_run_directory(tmp_path):
    run_dir = tmp_path / "killed"
    checkpoint = run_dir / "checkpoint"
    proc = _start([f"hydra.run.dir={run_dir}"])
    _kill_when(proc, lambda: len(list(checkpoint.glob("batch-*.pkl"))) >= 5)
    assert not (run_dir / "results.nc").exists()
    kept = len(list(checkpoint.glob("batch-*.pkl")))
    assert kept < 1200 // 20, "the kill came too late to test anything"

    _finish([f"hydra.run.dir={run_dir}"])
    _finish([f"hydra.run.dir={tmp_path / 'straight'}"])
    with (
        xr.open_dataset(run_dir / "results.nc") as resumed,
        xr.open_dataset(tmp_path / "straight" / "results.nc") as straight,
    ):
        assert resumed.sizes["trial"] == 1200
        assert sorted(resumed["trial"].values) == list(range(1200))  # none lost, none twice
        # The batches completed before the kill are kept, and the sampler's saved state
        # makes the rest what an uninterrupted run samples.
        for name in ("layout", "front_power_kw", "cells_series", "accel_0_100_s", "range_km"):
            a, b = resumed[name].values, straight[name].values
            assert ((a == b) | ((a != a) & (b != b))).all(), name


def _complete(journal):
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
    study = optuna.load_study(study_name="faults", storage=storage)
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def test_killed_worker_resumes_on_its_shared_journal(tmp_path):
    journal = tmp_path / "study.journal"
    shared = [f"study.storage={journal}", "study.name=faults", f"hydra.run.dir={tmp_path / 'worker'}"]
    proc = _start(shared)

    def told():
        if not journal.exists():
            return False
        storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
        try:
            study = optuna.load_study(study_name="faults", storage=storage)
        except KeyError:
            return False
        return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))) >= 100

    _kill_when(proc, told)
    before = _complete(journal)
    assert 100 <= len(before) < 1200
    _finish(shared)
    complete = _complete(journal)
    assert len(complete) == 1200
    assert len({t.number for t in complete}) == 1200
    # The trials told before the kill are kept, and the rerun added only what was missing.
    after = {t.number: t.params for t in complete}
    assert all(after.get(t.number) == t.params for t in before)
    with xr.open_dataset(tmp_path / "worker" / "results.nc") as ds:
        assert ds.sizes["trial"] == 1200
