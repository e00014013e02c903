"""One study: Optuna ask/tell in batches, each batch scored by one call of the JAX model.

Storage is in memory by default, with every completed batch appended to the Optuna
journal file `<run dir>/study.journal` (`RunJournal`), so that a rerun in the same run
directory resumes where the last batch ended, and Optuna's tools open the study. Each
batch is sampled by a sampler of its own, seeded from the seed and the batch's number, so
that nothing of the sampler needs saving. With `study.storage` set, the Optuna storage
itself (a journal file or a database URL) holds the study and is shared with other
workers; this worker's trials are tagged with its number.
"""

import contextlib
import dataclasses
import fcntl
import glob
import hashlib
import logging
import os
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import optuna
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial

from ._config import Config, ConfigError, check, redact
from ._designs import Designs, distributions
from ._figures import BY_NAME, OBJECTIVES, constraint_names
from ._front import warm_up
from ._journal import Journal, open_journal
from ._refine import refine
from ._results import pareto_mask
from ._samplers import make_sampler
from ._scoring import STUDY_PARTS, Scorer, feasible, study_key, told_values

log = logging.getLogger(__name__)
DIRECTIONS = [StudyDirection.MINIMIZE if f.sense == "minimize" else StudyDirection.MAXIMIZE for f in OBJECTIVES]
METRICS = [f.name for f in OBJECTIVES]
STUDY_FILE = "study.journal"  # in the run directory: the run's own study (no `study.storage`)
CONFIG_ATTR = "explore_config"  # its study system attribute: the fingerprint of the config that wrote it
SAVED_ATTR = "explore_saved"  # its study system attribute closing each batch written: the trials saved
OWN_ATTRS = (CONFIG_ATTR, SAVED_ATTR)
CONSTRAINT_NAMES_ATTR = "constraint_names"  # its study user attribute: what each trial's constraint list holds
WORKER_ATTR = "worker"
ORIGIN_ATTR = "origin"  # "refine" on designs from refinement (absent: the sampler's)
REFINED_FROM_ATTR = "refined_from"  # trial number of a refined design's starting point
REFINED_AFTER_ATTR = "refined_after"  # sampled trials of this worker when it was refined
REFINE_EVALUATIONS_ATTR = "refine_evaluations"  # study attribute: model evaluations spent refining


LOCK = ".explore.lock"  # in the run directory: held (flock) by the run using it
_CONSTRAINTS = "constraints"  # Optuna's system attribute (its prefix, since Optuna 5) of a trial's constraints
TEMPORARIES = (".results-*.nc",)  # left by a killed run
_HELD: set[str] = set()  # run directories this process holds


@contextlib.contextmanager
def run_lock(run_dir: str) -> Iterator[None]:
    """Hold `run_dir` for this run: `ConfigError`, naming the other process, while another
    run holds it (two runs must not interleave their batches and results). Temporaries a
    killed run left there are removed once it is held. Re-entrant within a process; the
    lock goes with the process, however it ends."""
    key = os.path.realpath(run_dir)
    if key in _HELD:
        yield
        return
    os.makedirs(run_dir, exist_ok=True)
    fd = os.open(os.path.join(run_dir, LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            raise ConfigError(
                f"`hydra.run.dir` {run_dir} is in use by another run ({other}); wait for it to end, "
                "or give this one another hydra.run.dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        for pattern in TEMPORARIES:
            for stale in glob.glob(os.path.join(run_dir, pattern)):
                os.unlink(stale)
                log.info("removed %s, left by a run that did not finish", stale)
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
    finally:
        os.close(fd)  # releases the lock


def worker_seed(seed: int, worker: int, resumed: int = 0) -> int:
    """A seed for worker `worker` of a study seeded with `seed`: independent streams. A
    worker resuming on a shared storage after `resumed` trials takes another stream, so
    that it does not propose its first designs again."""
    entropy = [seed, worker] + ([resumed] if resumed else [])
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


SCHEMA_ATTEMPTS = 5


def _is_database_error(e: BaseException) -> bool:
    try:
        import sqlalchemy.exc
    except ImportError:
        return False
    return isinstance(e, sqlalchemy.exc.DBAPIError)


def storage_from_url(url: str | None) -> optuna.storages.BaseStorage:
    """An Optuna storage from `study.storage`: a journal file path or a database URL."""
    if url is None:
        return optuna.storages.InMemoryStorage()
    if not url.strip():
        raise ConfigError("`study.storage` is empty; give a journal file path or a database URL, or null for none")
    if "://" not in url or url.startswith("journal://"):
        return open_journal(url.removeprefix("journal://"))
    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            return optuna.storages.RDBStorage(url)
        except Exception as e:  # noqa: BLE001 - any driver error is a bad URL for the user
            error = e
            # Workers starting at once on an empty database race to create Optuna's
            # tables; the loser's statements fail on the winner's rows. Try again.
            if not (_is_database_error(e) and "duplicate" in str(e).lower()):
                break
            time.sleep(0.2 * (attempt + 1))
    why = str(error).splitlines()[0] if str(error) else type(error).__name__
    if isinstance(error, ImportError) and error.__cause__ is not None:
        why += f" ({error.__cause__}; pip install -e '.[postgres]' for PostgreSQL)"
    raise ConfigError(
        f"`study.storage` {redact(url)!r} cannot be opened as a database: {redact(why)}; "
        "use a journal file path or a URL like postgresql+psycopg://user@host/db"
    ) from None


class RunJournal:
    """A run's own study, kept in `<run dir>/study.journal`: an Optuna journal file that
    `optuna.load_study` and optuna-dashboard open. The run works on an in-memory study and
    `save` appends its last trials here, batch by batch, as whole trials (one record each)
    with the study's attributes (objective names, the sampler's cached state), in one write
    and one `fsync`, closed by a record that counts the trials saved. What follows the last
    such record (a write a kill or a full disk cut short) is cut off when the file is
    opened, so a rerun resumes after the last whole batch."""

    def __init__(self, path: str, fingerprint: str, study_name: str) -> None:
        self.path = path
        self.journal = Journal(path, buffered=True)
        self.journal.check()
        cut = self.journal.cut_after_last(SAVED_ATTR)
        if cut:
            log.warning("%s: the last batch was not written whole (%d bytes): cut off, it is run again", path, cut)
        storage = optuna.storages.JournalStorage(self.journal)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            self.study = optuna.create_study(
                storage=storage, study_name=study_name, directions=DIRECTIONS, load_if_exists=True
            )
        self.storage, self.id = storage, storage.get_study_id_from_name(study_name)
        theirs = storage.get_study_system_attrs(self.id).get(CONFIG_ATTR, fingerprint)
        if theirs != fingerprint:
            raise ConfigError(
                f"`hydra.run.dir` holds the study of another config ({path}); "
                "use a new run directory, or rerun with the same config to resume"
            )
        storage.set_study_system_attr(self.id, CONFIG_ATTR, fingerprint)

    def load(self) -> tuple[list[FrozenTrial], dict[str, Any], dict[str, Any]]:
        """(trials, study system attributes, study user attributes) saved so far."""
        system = {k: v for k, v in self.storage.get_study_system_attrs(self.id).items() if k not in OWN_ATTRS}
        user = dict(self.study.user_attrs)
        names = user.pop(CONSTRAINT_NAMES_ATTR, [])
        return [_named_constraints(t, names) for t in self.study.get_trials(deepcopy=False)], system, user

    def save(self, study: optuna.Study, storage: optuna.storages.BaseStorage, n: int) -> None:
        """Append the last `n` trials of `study` (in `storage`, in memory) and the study's
        attributes that changed, and write them: one write, one `fsync`."""
        trials = study.get_trials(deepcopy=False)[-n:]
        system = storage.get_study_system_attrs(storage.get_study_id_from_name(study.study_name))
        names = self.study.user_attrs.get(CONSTRAINT_NAMES_ATTR)
        if names is None:
            names = list(trials[0].constraints)
            self.study.set_user_attr(CONSTRAINT_NAMES_ATTR, names)
        self.study.add_trials([_listed_constraints(t, names) for t in trials])
        saved = self.storage.get_study_system_attrs(self.id)
        for key, value in system.items():
            if saved.get(key) != value:
                self.storage.set_study_system_attr(self.id, key, value)
        for key, value in study.user_attrs.items():
            if self.study.user_attrs.get(key) != value:
                self.study.set_user_attr(key, value)
        self.storage.set_study_system_attr(self.id, SAVED_ATTR, len(self.study.get_trials(deepcopy=False)))
        try:
            self.journal.flush()
        except OSError as e:
            raise ConfigError(
                f"the study file {self.path} cannot be written ({e.strerror}); free space or fix the folder, "
                "then rerun the same command: the study resumes after its last saved batch"
            ) from None


# A trial's constraints are written to the run's study file as one list (Optuna's first
# format, which optuna-dashboard 0.21 shows and Optuna 5 still reads), in the order of the
# study user attribute `constraint_names`; in the run they are named (Optuna 5's format).
def _listed_constraints(trial: FrozenTrial, names: list[str]) -> FrozenTrial:
    system = {k: v for k, v in trial.system_attrs.items() if not k.startswith(f"{_CONSTRAINTS}:")}
    constraints = trial.constraints
    return _with_system_attrs(trial, {**system, _CONSTRAINTS: [constraints[name] for name in names]})


def _named_constraints(trial: FrozenTrial, names: list[str]) -> FrozenTrial:
    system = dict(trial.system_attrs)
    listed = system.pop(_CONSTRAINTS, [])
    return _with_system_attrs(trial, {**system, **{f"{_CONSTRAINTS}:{k}": v for k, v in zip(names, listed)}})


def _with_system_attrs(t: FrozenTrial, system_attrs: dict[str, Any]) -> FrozenTrial:
    return FrozenTrial(
        number=t.number,
        state=t.state,
        value=None,
        values=t.values,
        datetime_start=t.datetime_start,
        datetime_complete=t.datetime_complete,
        params=t.params,
        distributions=t.distributions,
        user_attrs=t.user_attrs,
        system_attrs=system_attrs,
        intermediate_values=t.intermediate_values,
        trial_id=-1,  # a template: the storage numbers it
    )


def fingerprint(cfg: Config) -> str:
    """What must match for a run's study to be resumed: the config (a `Config`), less the
    number of trials (a rerun may ask for more) and the progress switch."""
    plain = dataclasses.asdict(cfg)
    for key in ("n_trials", "progress"):
        plain["study"].pop(key)
    return hashlib.sha256(repr(plain).encode()).hexdigest()


class Progress:
    """Progress bar over designs: batches done, designs/s and the current front size."""

    def __init__(self, total: int, done: int, enabled: bool) -> None:
        self.bar: Any = None  # a tqdm bar
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=done, unit="design", dynamic_ncols=True, leave=True)

    def update(self, n: int, batch: int, n_batches: int, front: int) -> None:
        if self.bar is not None:
            self.bar.set_description(f"batch {batch}/{n_batches}", refresh=False)
            self.bar.set_postfix(front=front, refresh=False)
            self.bar.update(n)

    def describe(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _worker_trials(study: optuna.Study, worker: int, origin: str | None = None) -> list[FrozenTrial]:
    """This worker's completed trials, of the sampler (origin None) or of `origin`."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return [
        t for t in complete if t.user_attrs.get(WORKER_ATTR, 0) == worker and t.user_attrs.get(ORIGIN_ATTR) == origin
    ]


def _ask(study: optuna.Study, dists: dict[str, Any], size: int, worker: int) -> list[optuna.Trial]:
    """`size` new trials, each tagged with `worker` as soon as it exists: a run of this
    worker killed before it tells them leaves them RUNNING, and `_claim_worker` fails them
    (all but one asked at the very moment of the kill, which has no tag yet)."""
    asked = []
    for _ in range(size):
        asked.append(study.ask(dists))
        asked[-1].set_user_attr(WORKER_ATTR, worker)
    return asked


def _tell(study: optuna.Study, trials: list[optuna.Trial], fig: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Tell `trials` their objectives and constraints from `fig`."""
    accel, range_km = told_values(fig)
    names = constraint_names(fig)
    for i, trial in enumerate(trials):
        for name in names:
            trial.set_constraint(BY_NAME[name].constraint_key, fig[name][i])
        study.tell(trial, [accel[i], range_km[i]])
    return accel, range_km


def front_trials(study: optuna.Study) -> list[FrozenTrial]:
    """The study's feasible Pareto front, in trial order: the trials of `Study.best_trials`,
    read without its deep copy of every trial of the study (seconds at 10^4 trials)."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        return []
    values = np.asarray([t.values for t in complete], float)
    ok = np.asarray([all(c <= 0.0 for c in t.constraints.values()) for t in complete])
    on = pareto_mask(values[:, 0], values[:, 1], ok)
    return [t for t, keep in zip(complete, on) if keep]


def _refine_front(
    study: optuna.Study, cfg: Config, sampled: int, budget: int
) -> tuple[list[FrozenTrial], dict[str, np.ndarray]]:
    """Refine the study's feasible front with gradients, within `budget` model evaluations,
    and tell the improved designs as new trials (marked with their origin).
    Returns (the trials told, their figures)."""
    front = front_trials(study)
    if not front:
        return [], {}
    accel = np.asarray([t.values[0] for t in front])
    range_km = np.asarray([t.values[1] for t in front])
    started = time.perf_counter()
    designs = Designs.from_params([t.params for t in front], cfg.space)
    designs, fig, start, evaluations = refine(cfg, designs, accel, range_km, budget, cfg.refine.steps)
    # Added whole (create_trial + add_trials) rather than enqueued and asked: with workers
    # sharing the storage, another worker's ask could take an enqueued design.
    told_accel, told_range = told_values(fig) if len(start) else (np.zeros(0), np.zeros(0))
    dists = distributions(cfg.space)
    trials = [
        optuna.trial.create_trial(
            values=[told_accel[i], told_range[i]],
            params=designs.params(i),
            distributions=dists,
            user_attrs={
                WORKER_ATTR: cfg.worker,
                ORIGIN_ATTR: "refine",
                REFINED_FROM_ATTR: front[j].number,
                REFINED_AFTER_ATTR: sampled,
            },
            constraints={BY_NAME[name].constraint_key: float(fig[name][i]) for name in constraint_names(fig)},
        )
        for i, j in enumerate(start)
    ]
    study.add_trials(trials)
    key = f"{REFINE_EVALUATIONS_ATTR}_worker_{cfg.worker}"
    study.set_user_attr(key, study.user_attrs.get(key, 0) + evaluations)
    log.info(
        "refinement added %d designs (choice neighbours, gradient steps, gaps; %d model evaluations, %.1f s)",
        len(trials),
        evaluations,
        time.perf_counter() - started,
    )
    return trials, fig


def _warm_up(cfg: Config) -> None:
    try:
        warm_up(cfg)
    except Exception as e:  # noqa: BLE001 - only a head start; the export compiles anyway
        log.debug("front analysis warm-up failed: %s", e)


def run_study(cfg: Config, run_dir: str, progress: bool = True) -> optuna.Study:
    """Run (or resume) the study of `cfg` (a typed Config, checked here: `ConfigError` if it
    cannot work) in `run_dir`. Returns the Study."""
    check(cfg)
    with run_lock(run_dir):
        return _run_study(cfg, run_dir, progress)


FINGERPRINT_ATTR = "explore_fingerprint"  # study attribute: what every worker of a shared study agrees on
WORKER_HOLDER_ATTR = "explore_worker"  # study system attribute _<n>: host and pid of the run that has worker n


def study_fingerprint(cfg: Config) -> dict[str, str]:
    """What the workers of one shared study must agree on, part by part (a digest of
    each): the platform, the search space (variables, bounds, choices), the constraints and
    the objective. Seeds, worker numbers, budgets and samplers may differ."""
    return {part: hashlib.sha256(text.encode()).hexdigest()[:16] for part, text in zip(STUDY_PARTS, study_key(cfg))}


def _join(study: optuna.Study, storage: optuna.storages.BaseStorage, cfg: Config) -> None:
    """Join a shared study: record this config's fingerprint on a new study, or raise
    `ConfigError` if the study was started with another one (its designs would be labelled
    with this config's space, bounds and constraints)."""
    mine = study_fingerprint(cfg)
    theirs = study.user_attrs.get(FINGERPRINT_ATTR)
    if theirs is None:
        study.set_user_attr(FINGERPRINT_ATTR, mine)
        # Read back: of two workers creating the study at once, the first to write wins.
        theirs = storage.get_study_user_attrs(storage.get_study_id_from_name(study.study_name))[FINGERPRINT_ATTR]
    if theirs != mine:
        differ = [part for part in mine if theirs.get(part) != mine[part]] or ["config"]
        raise ConfigError(
            f"`study.name` {cfg.study.name!r} in `study.storage` {redact(cfg.study.storage)!r} holds a study whose "
            f"{', '.join(differ)} differ from this config's; use another study.name, or that study's config to join it"
        )


def _claim_worker(study: optuna.Study, storage: optuna.storages.BaseStorage, worker: int) -> None:
    """Take worker number `worker` of a shared study: refuse it (`ConfigError`) while a live
    run on this host has it; otherwise record this run as its holder, and mark FAIL the
    trials an earlier run of this worker asked and never told (it was killed), so that
    the study holds no trial RUNNING for ever. One worker number is one run at a time."""
    study_id = storage.get_study_id_from_name(study.study_name)
    key = f"{WORKER_HOLDER_ATTR}_{worker}"
    held = storage.get_study_system_attrs(study_id).get(key)
    me: dict[str, Any] = {"host": socket.gethostname(), "pid": os.getpid()}
    if isinstance(held, dict) and held.get("host") == me["host"] and held.get("pid") != me["pid"]:
        if _running(int(held["pid"])):
            raise ConfigError(
                f"`worker` {worker} of study {study.study_name!r} is in use by another run (pid {held['pid']} on "
                f"{held['host']}); give each worker its own number (worker=N), or wait for that run to end"
            )
    storage.set_study_system_attr(study_id, key, me)
    left = [
        t.number
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
        if t.user_attrs.get(WORKER_ATTR) == worker
    ]
    for number in left:
        study.tell(number, state=optuna.trial.TrialState.FAIL)
    if left:
        log.warning(
            "%d trials of worker %d were left running by an earlier run that stopped (%s): marked failed",
            len(left),
            worker,
            f"pid {held['pid']} on {held['host']}" if isinstance(held, dict) else "killed?",
        )


def _running(pid: int) -> bool:
    """Whether process `pid` of this host is alive and a Python running this tool."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"explore" in f.read()
    except OSError:
        return True  # no /proc: alive is all we know


def _run_study(cfg: Config, run_dir: str, progress: bool) -> optuna.Study:
    shared = cfg.study.storage is not None
    storage = storage_from_url(cfg.study.storage)
    seed = worker_seed(cfg.seed, cfg.worker)
    sampler = make_sampler(cfg.sampler, seed, cfg.study.batch_size, shared=shared)
    own = None if shared else _run_journal(run_dir, cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            study = optuna.create_study(
                storage=storage, sampler=sampler, study_name=cfg.study.name, directions=DIRECTIONS, load_if_exists=True
            )
        except ValueError as e:  # a study of that name with other directions
            raise ConfigError(
                f"`study.name` {cfg.study.name!r} in `study.storage` {redact(cfg.study.storage)!r} is another kind of "
                f"study ({e}); use another study.name"
            ) from None
        if shared:
            _join(study, storage, cfg)
            _claim_worker(study, storage, cfg.worker)
        study.set_metric_names(METRICS)
    if own is not None:
        trials, system_attrs, user_attrs = own.load()
        if trials:
            study.add_trials(trials)
            study_id = storage.get_study_id_from_name(study.study_name)
            for key, value in system_attrs.items():  # caches a sampler would otherwise rebuild, drawing numbers
                storage.set_study_system_attr(study_id, key, value)
            for key, value in user_attrs.items():
                study.set_user_attr(key, value)
            log.info("resumed %d trials from %s", len(trials), own.path)

    scorer = Scorer(cfg)
    dists = distributions(cfg.space)
    n_total = cfg.study.n_trials
    batch_size = cfg.study.batch_size
    done = len(_worker_trials(study, cfg.worker))
    if shared and done:
        study.sampler = make_sampler(
            cfg.sampler, worker_seed(cfg.seed, cfg.worker, done), cfg.study.batch_size, shared=True
        )
    n_batches = -(-n_total // batch_size)
    batch = done // batch_size
    bar = Progress(n_total, min(done, n_total), progress)
    front: dict[str, list[np.ndarray]] = {"accel": [], "range": [], "ok": []}
    started = time.perf_counter()
    warming = threading.Thread(target=_warm_up, args=(cfg,), name="compile-front-analysis", daemon=True)
    rounds = refine_points(cfg)
    last_round = max(
        (t.user_attrs.get(REFINED_AFTER_ATTR, 0) for t in _worker_trials(study, cfg.worker, "refine")), default=0
    )
    if done < n_total or any(last_round < at <= done for at in rounds):
        warming.start()
    try:
        while True:
            if any(last_round < at <= done for at in rounds):
                bar.describe("refining the front")
                if warming.is_alive():  # refinement takes the same gradients: compiled there
                    warming.join()
                trials, fig = _refine_front(study, cfg, done, cfg.refine.evaluations // len(rounds))
                _save(own, study, storage, len(trials))
                last_round = done
                if trials:
                    for key, values in zip(("accel", "range", "ok"), (*told_values(fig), feasible(fig))):
                        front[key].append(values)
            if done >= n_total:
                break
            size = min(batch_size, n_total - done)
            if not shared:
                study.sampler = make_sampler(cfg.sampler, seed, batch_size, batch=batch, search_space=dists)
            asked = _ask(study, dists, size, cfg.worker)
            fig = scorer.figures(Designs.from_params([t.params for t in asked], cfg.space))
            accel, range_km = _tell(study, asked, fig)
            _save(own, study, storage, len(asked))
            done += size
            batch += 1
            front["accel"].append(accel)
            front["range"].append(range_km)
            front["ok"].append(feasible(fig))
            n_front = int(pareto_mask(*(np.concatenate(front[k]) for k in ("accel", "range", "ok"))).sum())
            bar.update(size, batch, n_batches, n_front)
    finally:
        bar.close()
        if warming.is_alive():
            warming.join()
    log.info("scored %d designs in %.1f s", done, time.perf_counter() - started)
    return study


def refine_points(cfg: Config) -> list[int]:
    """Sampled-trial counts of this worker after which a round of refinement runs:
    `refine.rounds` of them, spread over the study at whole batches, the last at its end."""
    if not (cfg.refine.enabled and cfg.refine.evaluations > 0):
        return []
    n, size, k = cfg.study.n_trials, cfg.study.batch_size, cfg.refine.rounds
    return sorted({min(n, -(-(n * r // k) // size) * size) for r in range(1, k + 1)})


def _run_journal(run_dir: str, cfg: Config) -> RunJournal:
    """The run's own study file in `run_dir` (`RunJournal`); `ConfigError` where the folder
    holds the pickled checkpoint of an earlier version of this tool, which is not read."""
    if glob.glob(os.path.join(run_dir, "checkpoint", "batch-*.pkl")):
        raise ConfigError(
            f"`hydra.run.dir` {run_dir} holds a study in the pickled checkpoints of an earlier version of this tool "
            "(checkpoint/batch-*.pkl), which this version does not read; use a new run directory"
        )
    return RunJournal(os.path.join(run_dir, STUDY_FILE), fingerprint(cfg), cfg.study.name)


def _save(own: RunJournal | None, study: optuna.Study, storage: optuna.storages.BaseStorage, n: int) -> None:
    """Save the last `n` trials of `study` in `storage`, just told, in the run's study file
    (nothing to do with a shared storage: it holds them already)."""
    if own is not None and n:
        own.save(study, storage, n)
