"""Faults: a study killed with SIGKILL mid-run and run again continues where it stopped.

Real subprocesses of `python -m explore` and a real SIGKILL, at a moment when some batches
are complete and the next is being scored.
"""

import collections
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
import xarray as xr
from explore_helpers import ROOT

COMPLETE, RUNNING, FAIL = (getattr(optuna.trial.TrialState, state) for state in ("COMPLETE", "RUNNING", "FAIL"))
pytestmark = pytest.mark.slow  # real subprocesses, servers and sweeps: the full suite only

RUN = ["study.n_trials=1200", "study.batch_size=20", "study.progress=false", "refine.enabled=false"]


def _start(args, env=None, stdout=subprocess.DEVNULL):
    return subprocess.Popen(
        [sys.executable, "-m", "explore", *RUN, *args],
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE if stdout is subprocess.DEVNULL else subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_for(proc, ready, timeout=300, poll_s=0.05):
    """Return as soon as `ready()` is true while `proc` runs; fails if it ends first, or
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            said = proc.stderr.read()[-2000:] if proc.stderr else ""
            pytest.fail(f"the study ended before what the test waits for: {said}")
        assert time.monotonic() < deadline, "the study never got going"
        time.sleep(poll_s)


def _kill_when(proc, ready, timeout=300, poll_s=0.05):
    """SIGKILL `proc` as soon as `ready()` is true; fails if it ends first."""
    _wait_for(proc, ready, timeout, poll_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _batches_saved(run_dir):
    """Batches a run has written whole to its study file (each closes with the count of
    trials saved)."""
    journal = run_dir / "study.journal"
    return journal.read_bytes().count(b'"explore_saved"') if journal.exists() else 0


def _finish(args, env=None):
    proc = subprocess.run(
        [sys.executable, "-m", "explore", *RUN, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_killed_run_resumes_in_its_run_directory(tmp_path):
    run_dir = tmp_path / "killed"
    proc = _start([f"hydra.run.dir={run_dir}"])
    _kill_when(proc, lambda: _batches_saved(run_dir) >= 5)
    assert not (run_dir / "results.nc").exists()
    assert _batches_saved(run_dir) < 1200 // 20, "the kill came too late to test anything"

    _finish([f"hydra.run.dir={run_dir}"])
    _finish([f"hydra.run.dir={tmp_path / 'straight'}"])
    with (
        xr.open_dataset(run_dir / "results.nc") as resumed,
        xr.open_dataset(tmp_path / "straight" / "results.nc") as straight,
    ):
        assert resumed.sizes["trial"] == 1200
        assert sorted(resumed["trial"].values) == list(range(1200))  # none lost, none twice
        # The batches completed before the kill are kept, and the samplers of the later
        # batches (seeded by their number) draw what an uninterrupted run draws.
        for name in ("layout", "front_power_kw", "cells_series", "accel_0_100_s", "range_km"):
            a, b = resumed[name].values, straight[name].values
            assert ((a == b) | ((a != a) & (b != b))).all(), name


def test_killed_worker_resumes_on_its_shared_journal(tmp_path):
    journal = tmp_path / "study.journal"
    shared = [f"study.storage={journal}", "study.name=faults", f"hydra.run.dir={tmp_path / 'worker'}"]
    proc = _start(shared)

    _kill_when(proc, lambda: len(_complete_in(journal, "faults")) >= 100)
    before = _complete_in(journal, "faults")
    assert 100 <= len(before) < 1200
    _finish(shared)
    complete = _complete_in(journal, "faults")
    assert len(complete) == 1200
    assert len({t.number for t in complete}) == 1200
    # The trials told before the kill are kept, and the rerun added only what was missing.
    after = {t.number: t.params for t in complete}
    assert all(after.get(t.number) == t.params for t in before)
    with xr.open_dataset(tmp_path / "worker" / "results.nc") as ds:
        assert ds.sizes["trial"] == 1200


def test_a_second_run_in_the_same_directory_is_refused_while_the_first_runs(tmp_path):
    run_dir = tmp_path / "busy"
    first = _start([f"hydra.run.dir={run_dir}", "study.n_trials=100000"])  # still running when the second comes
    _wait_for(first, lambda: _batches_saved(run_dir))
    second = subprocess.run(
        [sys.executable, "-m", "explore", *RUN, f"hydra.run.dir={run_dir}", "seed=7"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert second.returncode == 2, second.stderr[-2000:]
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "in use by another run" in lines[0] and f"pid {first.pid}" in lines[0], lines
    # The refused run wrote nothing: the first run's study is all there is.
    assert not (run_dir / "results.nc").exists()
    assert _batches_saved(run_dir) > 0


def test_ctrl_c_says_how_to_resume_and_the_rerun_completes(tmp_path):
    run_dir = tmp_path / "interrupted"
    proc = _start([f"hydra.run.dir={run_dir}"])
    _wait_for(proc, lambda: _batches_saved(run_dir) >= 3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    assert "interrupted" in err.strip().splitlines()[-1] and "rerun" in err.strip().splitlines()[-1]
    _finish([f"hydra.run.dir={run_dir}"])
    with xr.open_dataset(run_dir / "results.nc") as ds:
        assert sorted(ds["trial"].values) == list(range(1200))


def test_temporaries_of_a_killed_run_are_removed_by_the_next(tmp_path):
    run_dir = tmp_path / "stale"
    run_dir.mkdir()
    left = run_dir / ".results-k1ll3d.nc"
    left.write_bytes(b"half a file")
    _finish([f"hydra.run.dir={run_dir}", "study.n_trials=40"])
    assert not left.exists()
    assert (run_dir / "results.nc").exists()


def test_a_journal_cut_inside_its_last_record_is_repaired_and_resumed(tmp_path):
    journal = tmp_path / "study.journal"
    shared = [f"study.storage={journal}", "study.name=torn", "study.n_trials=100"]
    _finish([*shared, f"hydra.run.dir={tmp_path / 'a'}"])
    whole = journal.read_bytes()
    with open(journal, "ab") as f:
        f.write(b'{"op_code": 5, "worker_id": "w", "trial_id": 7, "par')  # a crash mid-append
    proc = subprocess.run(
        [sys.executable, "-m", "explore", *RUN, *shared, "study.n_trials=200", f"hydra.run.dir={tmp_path / 'b'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ended inside a record" in proc.stdout + proc.stderr  # a warning in the log
    assert journal.read_bytes().startswith(whole)  # nothing before the torn record was touched
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
    complete = optuna.load_study(study_name="torn", storage=storage).get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)
    )
    assert len(complete) == 200 and len({t.number for t in complete}) == 200


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB tmpfs (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_disk_is_one_line_and_the_rerun_resumes_to_the_same_trials(small_disk, tmp_path):
    run_dir = small_disk / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "explore", *RUN, f"hydra.run.dir={run_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "space left" in lines[0].lower() and "rerun" in lines[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not list(run_dir.glob(".results-*"))  # no partial file
    saved = (run_dir / "study.journal").read_bytes()
    assert saved.endswith(b"\n") and b'"explore_saved"' in saved.splitlines()[-1]  # whole batches only
    subprocess.run(["mount", "-o", "remount,size=256m", str(small_disk)], check=True)
    _finish([f"hydra.run.dir={run_dir}"])
    _finish([f"hydra.run.dir={tmp_path / 'straight'}"])
    with (
        xr.open_dataset(run_dir / "results.nc") as resumed,
        xr.open_dataset(tmp_path / "straight" / "results.nc") as straight,
    ):
        assert sorted(resumed["trial"].values) == list(range(1200))
        for name in ("layout", "front_power_kw", "accel_0_100_s", "range_km"):
            a, b = resumed[name].values, straight[name].values
            assert ((a == b) | ((a != a) & (b != b))).all(), name


def test_a_shared_study_refuses_a_worker_with_another_space_or_constraints(tmp_path):
    journal = tmp_path / "study.journal"
    shared = [f"study.storage={journal}", "study.name=agreed", "study.n_trials=40"]
    _finish([*shared, f"hydra.run.dir={tmp_path / 'w0'}"])
    before = len(_complete_in(journal, "agreed"))
    assert before == 40
    for change, part in (
        ("constraints.top_speed.min_kmh=140", "constraints"),
        ("space.variables.front_power_kw.low=73", "space"),
        ("vehicle=leaf", "vehicle"),
    ):
        run_dir = tmp_path / f"other-{part}"
        proc = subprocess.run(
            [sys.executable, "-m", "explore", *RUN, *shared, "worker=1", change, f"hydra.run.dir={run_dir}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 2, proc.stderr[-2000:]
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "study.name" in lines[0] and part in lines[0], lines
        assert not (run_dir / "results.nc").exists()
    assert len(_complete_in(journal, "agreed")) == before  # nothing added under the wrong label


def _complete_in(journal, name):
    """The COMPLETE trials of study `name` in the journal file `journal` (none before the
    file or the study exists)."""
    if not journal.exists():
        return []
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:  # not created yet
        return []
    return study.get_trials(deepcopy=False, states=(COMPLETE,))


@pytest.mark.parametrize("moment", ["refinement", "export"])
def test_killed_during_refinement_or_export_resumes_to_the_same_results(moment, tmp_path):
    # Killed once every sampled batch is saved: inside the refinement of the front
    # (before its designs are saved), or while results.nc is being written.
    args = ["study.n_trials=200", "refine.enabled=true", "refine.evaluations=600", "refine.rounds=1"]
    run_dir = tmp_path / moment
    proc = _start([*args, f"hydra.run.dir={run_dir}"])
    if moment == "refinement":
        _kill_when(proc, lambda: _batches_saved(run_dir) >= 200 // 20)
    else:
        _kill_when(proc, lambda: bool(list(run_dir.glob(".results-*.nc"))), timeout=600)
    assert not (run_dir / "results.nc").exists()
    _finish([*args, f"hydra.run.dir={run_dir}"])
    _finish([*args, f"hydra.run.dir={tmp_path / 'straight'}"])
    assert not list(run_dir.glob(".results-*"))  # the killed run's temporary is gone
    with (
        xr.open_dataset(run_dir / "results.nc") as resumed,
        xr.open_dataset(tmp_path / "straight" / "results.nc") as straight,
    ):
        assert list(resumed["trial"].values) == list(straight["trial"].values)
        for name in ("origin", "layout", "front_power_kw", "accel_0_100_s", "range_km", "pareto"):
            a, b = resumed[name].values, straight[name].values
            assert ((a == b) | ((a != a) & (b != b))).all(), name


# Run as `python -c KILLED_IN_A_STUDY_WRITE N args...`: `python -m explore args...` that
# SIGKILLs itself inside the N-th write of its study file, with half of that batch's
# records on disk (what a kill or a crash of the machine at that moment can leave).
KILLED_IN_A_STUDY_WRITE = """
import os, runpy, signal, sys
at, sizes, fsync = int(sys.argv[1]), [0], os.fsync
def killed_inside(fd):
    if os.readlink(f"/proc/self/fd/{fd}").endswith("/study.journal"):
        sizes.append(os.fstat(fd).st_size)
        if len(sizes) == at + 1:
            os.ftruncate(fd, (sizes[-2] + sizes[-1]) // 2)
            os.kill(os.getpid(), signal.SIGKILL)
    fsync(fd)
os.fsync = killed_inside
sys.argv = ["explore", *sys.argv[2:]]
runpy.run_module("explore", run_name="__main__", alter_sys=True)
"""


def test_killed_inside_a_study_write_resumes_to_the_same_trials(tmp_path):
    run_dir = tmp_path / "killed"
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_IN_A_STUDY_WRITE, "7", *RUN, f"hydra.run.dir={run_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert _batches_saved(run_dir) == 6  # the 7th was being written: half of it is there
    rerun = _finish([f"hydra.run.dir={run_dir}"])
    assert "the last batch was not written whole" in rerun.stdout + rerun.stderr
    _finish([f"hydra.run.dir={tmp_path / 'straight'}"])
    with (
        xr.open_dataset(run_dir / "results.nc") as resumed,
        xr.open_dataset(tmp_path / "straight" / "results.nc") as straight,
    ):
        assert sorted(resumed["trial"].values) == list(range(1200))
        for name in ("layout", "front_power_kw", "cells_series", "accel_0_100_s", "range_km"):
            a, b = resumed[name].values, straight[name].values
            assert ((a == b) | ((a != a) & (b != b))).all(), name


def _storage_of(kind, tmp_path, request):
    """(the `study.storage` override, environment, a storage for `optuna.load_study`)."""
    if kind == "journal":
        journal = tmp_path / "study.journal"
        journal.touch()
        backend = optuna.storages.journal.JournalFileBackend(str(journal))
        return f"study.storage={journal}", None, optuna.storages.JournalStorage(backend)
    url, password = request.getfixturevalue("postgres")
    given = url.replace("://explore@", "://explore:${oc.env:EXPLORE_DB_PASSWORD}@")
    full = url.replace("://explore@", f"://explore:{password}@")
    return f"study.storage='{given}'", {**os.environ, "EXPLORE_DB_PASSWORD": password}, optuna.storages.RDBStorage(full)


@pytest.mark.parametrize("kind", ["journal", "postgresql"])
def test_two_workers_keep_every_trial_when_one_is_killed(kind, request, tmp_path):
    """Workers 0 and 1 at once on one storage; worker 1 is killed mid-study (on the journal,
    its last append is then cut short, as a crash or a full disk leaves it, and worker 0
    goes on appending after it) and run again. Every COMPLETE trial is kept, none twice,
    the killed run's unfinished trials end FAIL, and Optuna loads the study."""
    storage_arg, env, storage = _storage_of(kind, tmp_path, request)
    name = f"pair-{os.getpid()}-{tmp_path.name}"
    shared = [storage_arg, f"study.name={name}"]

    def trials():
        try:
            return optuna.load_study(study_name=name, storage=storage).get_trials(deepcopy=False)
        except KeyError:  # not created yet
            return []

    def complete(worker):
        return [t for t in trials() if t.state == COMPLETE and t.user_attrs.get("worker") == worker]

    w1_args = [*shared, "worker=1", "study.n_trials=200", f"hydra.run.dir={tmp_path / 'w1'}"]
    with open(tmp_path / "worker-0.log", "w") as log0:
        w0 = _start([*shared, "worker=0", "study.n_trials=400", f"hydra.run.dir={tmp_path / 'w0'}"], env, log0)
        try:
            w1 = _start(w1_args, env)
            _kill_when(w1, lambda: len(complete(1)) >= 40, poll_s=0.5)
            assert w0.poll() is None, "worker 0 ended before worker 1 was killed: nothing tested"
            before = {t.number: t.params for t in trials() if t.state == COMPLETE}
            unfinished = {t.number for t in trials() if t.state == RUNNING and t.user_attrs.get("worker") == 1}
            if kind == "journal":
                lock = optuna.storages.journal.JournalFileSymlinkLock(str(tmp_path / "study.journal"))
                lock.acquire()
                try:
                    with open(tmp_path / "study.journal", "ab") as f:
                        f.write(b'{"op_code":5,"worker_id":"w1","trial_id":7,"par')
                finally:
                    lock.release()
                assert w0.poll() is None, "worker 0 ended before the torn record: nothing tested"
            rerun = _finish(w1_args, env)
            assert w0.wait(timeout=600) == 0, (tmp_path / "worker-0.log").read_text()[-3000:]
        finally:
            if w0.poll() is None:
                w0.kill()
    told = [t for t in trials() if t.state == COMPLETE]
    assert collections.Counter(t.user_attrs["worker"] for t in told) == {0: 400, 1: 200}
    assert len({t.number for t in told}) == len(told)  # none twice
    after = {t.number: t.params for t in told}
    assert all(after.get(number) == params for number, params in before.items())  # none lost
    # Left RUNNING: at most the one trial being asked at the kill, which had no worker tag yet.
    assert len([t for t in trials() if t.state == RUNNING and "worker" not in t.user_attrs]) <= 1
    assert not [t for t in trials() if t.state == RUNNING and "worker" in t.user_attrs]
    assert {t.number for t in trials() if t.state == FAIL} == unfinished
    said = rerun.stdout + rerun.stderr + (tmp_path / "worker-0.log").read_text()
    if unfinished:
        assert f"{len(unfinished)} trials of worker 1 were left running" in said
    if kind == "journal":
        assert "ended inside a record" in said


def test_a_worker_number_in_use_on_a_shared_study_is_refused(tmp_path):
    journal = tmp_path / "study.journal"
    shared = [f"study.storage={journal}", "study.name=taken", "worker=3"]
    first = _start([*shared, "study.n_trials=100000", f"hydra.run.dir={tmp_path / 'first'}"])
    try:
        _wait_for(first, lambda: _complete_in(journal, "taken"), poll_s=0.5)
        second = subprocess.run(
            [sys.executable, "-m", "explore", *RUN, *shared, f"hydra.run.dir={tmp_path / 'second'}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 2, second.stderr[-2000:]
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "`worker` 3" in lines[0] and f"pid {first.pid}" in lines[0], lines
    assert not (tmp_path / "second" / "results.nc").exists()
