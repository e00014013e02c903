"""Bad configs and overrides on the command line: each ends `python -m explore` with one
line naming the key, the value and the fix, exit code 2, no traceback and no results.nc.
Hydra's own composition errors (unknown group option, a value of the wrong type, a key the
schema does not have) pass through with Hydra's message and exit code.

The cases run as real subprocesses, a few at a time.
"""

import concurrent.futures
import subprocess
import sys

import pytest
from explore_helpers import ROOT

pytestmark = pytest.mark.slow  # real subprocesses, servers and sweeps: the full suite only

SMALL = ["study.n_trials=20", "study.batch_size=20", "study.progress=false"]

# (overrides, key the message names, value it quotes)
OURS = [
    (["space.variables.front_power_kw.low=300"], "space.variables.front_power_kw.low", "300"),  # bounds reversed
    (["space.variables.front_ratio.low=nan"], "space.variables.front_ratio.low", "nan"),
    (["space.variables.front_torque_nm.low=-50"], "space.variables.front_torque_nm.low", "-50"),
    (["space.variables.cells_series.low=0"], "space.variables.cells_series", "0"),
    (["space.variables.cells_parallel.low=1.5"], "space.variables.cells_parallel", "1.5"),
    (["space.variables.layout.choices=[awd]"], "space.variables.layout.choices", "awd"),
    (["space.variables.chemistry.choices=[]"], "space.variables.chemistry.choices", "[]"),
    (["space.variables.front_ratio.unit=kW"], "space.variables.front_ratio.unit", "kW"),
    (["space.motor_max_speed_rpm=0"], "space.motor_max_speed_rpm", "0"),
    (["vehicle.glider_mass_kg=-100"], "vehicle.glider_mass_kg", "-100"),
    (["vehicle.drag_coefficient=nan"], "vehicle.drag_coefficient", "nan"),
    (["vehicle.front_weight_frac=1.5"], "vehicle.front_weight_frac", "1.5"),
    (["vehicle.tyres.sport_20.category=slick"], "vehicle.tyres.sport_20.category", "slick"),
    (["vehicle.aux_power_w=-1"], "vehicle.aux_power_w", "-1"),
    (["vehicle.cell_size=0"], "vehicle.cell_size", "0"),
    (["vehicle.tyre=slick_22"], "vehicle.tyre", "slick_22"),
    (["vehicle.references=[no_such_car]"], "vehicle.references", "no_such_car"),
    (["study.n_trials=0"], "study.n_trials", "0"),
    (["study.n_trials=-5"], "study.n_trials", "-5"),
    (["study.batch_size=0"], "study.batch_size", "0"),
    (["study.name=' '"], "study.name", "' '"),
    (["study.storage=foo://bar"], "study.storage", "foo://bar"),  # malformed storage URL
    (["study.storage=/no/such/folder/study.journal"], "study.storage", "/no/such/folder"),
    (["seed=-1"], "seed", "-1"),
    (["worker=-1"], "worker", "-1"),
    (["sampler.population_size=1"], "sampler.population_size", "1"),
    (["sampler.mutation_prob=2"], "sampler.mutation_prob", "2"),
    (["sampler.crossover_prob=-0.1"], "sampler.crossover_prob", "-0.1"),
    (["sampler=qmc", "sampler.qmc_type=sobolx"], "sampler.qmc_type", "sobolx"),
    (["constraints.top_speed.min_kmh=-10"], "constraints.top_speed.min_kmh", "-10"),
    (["constraints.top_speed.min_kmh=400"], "constraints.top_speed.min_kmh", "400"),  # unreachable
    (["constraints.pack_fits.max_energy_kwh=10"], "constraints.pack_fits.max_energy_kwh", "10"),  # unreachable
    (["constraints.pack_fits.max_mass_kg=20"], "constraints.pack_fits.max_mass_kg", "20"),  # unreachable
    (["constraints.pack_voltage.min_v=500"], "constraints.pack_voltage.min_v", "500"),  # above max_v
    (
        ["constraints.pack_voltage.max_v=230", "constraints.pack_voltage.min_v=100"],
        "constraints.pack_voltage.max_v",
        "230",
    ),
    (["constraints.cell_current.max_frac=0"], "constraints.cell_current.max_frac", "0"),
    (["constraints.sustained_speed.min_kmh=0"], "constraints.sustained_speed.min_kmh", "0"),
    (["space=performance", "space.variables.boost_frac.low=0.8"], "space.variables.boost_frac.low", "0.8"),
    (["refine.steps=0"], "refine.steps", "0"),
    (["refine.evaluations=-1"], "refine.evaluations", "-1"),
    (["refine.rounds=0"], "refine.rounds", "0"),
    (["hydra.run.dir=/proc/explore-cannot-be-here"], "hydra.run.dir", "/proc/explore-cannot-be-here"),  # unwritable
    (["hydra.run.dir=/etc/hostname/run"], "hydra.run.dir", "/etc/hostname/run"),  # under a file
    # Values the checks once let through and the study could not use.
    (["seed=18446744073709551616"], "seed", "18446744073709551616"),  # beyond results.nc's int64
    (["study.batch_size=1"], "study.batch_size", "1"),  # NSGA-II's population is one batch
    (["sampler=nsga3", "study.batch_size=1"], "study.batch_size", "1"),
    (["cluster.local_jobs=0"], "cluster.local_jobs", "0"),
    (["cluster.cpus=0"], "cluster.cpus", "0"),
    (["worker=4294967296"], "worker", "4294967296"),
    # Storages that cannot hold a study.
    (["study.storage=''"], "study.storage", "empty"),
    (["study.storage=journal://"], "study.storage", "journal://"),
    (["study.storage=/tmp"], "study.storage", "/tmp"),  # a folder, not a file
    (["study.storage=/etc/hostname"], "study.storage", "/etc/hostname"),  # not a journal (or not writable)
    (["study.storage=postgresql+psycopg://explore@127.0.0.1:1/explore"], "study.storage", "127.0.0.1:1"),
    # Platforms from a spec file (conf/vehicle/spec.yaml).
    (["vehicle=spec"], "vehicle.file", "not set"),
    (["vehicle=spec", "vehicle.file=variant_pairs.yaml"], "vehicle.id", "not set"),
    (["vehicle=spec", "vehicle.file=/no/such/cars.yaml", "vehicle.id=x"], "vehicle.file", "/no/such/cars.yaml"),
    (["vehicle=spec", "vehicle.file=README.md", "vehicle.id=x"], "vehicle.file", "README.md"),  # not a spec file
    (["vehicle=spec", "vehicle.file=variant_pairs.yaml", "vehicle.id=no_such_car"], "vehicle.id", "no_such_car"),
    (["vehicle=ampr_small", "vehicle.references=[no_such_car]"], "vehicle.references", "no_such_car"),
    # An environment variable that is not set, in the storage and elsewhere.
    (["study.storage=${oc.env:EXPLORE_NO_SUCH_VARIABLE}"], "study.storage", "EXPLORE_NO_SUCH_VARIABLE"),
    (["seed=${oc.env:EXPLORE_NO_SUCH_SEED}"], "seed", "EXPLORE_NO_SUCH_SEED"),
]

# Hydra's own composition errors: (overrides, text its message contains)
HYDRAS = [
    (["vehicle=no_such_platform"], "vehicle/no_such_platform"),  # unknown group option
    (["sampler=cmaes"], "sampler/cmaes"),
    (["objective.range=nedc"], "objective.range"),  # no such drive cycle
    (["study.n_trials=many"], "study.n_trials"),
    (["objective.rollout=maybe"], "objective.rollout"),
    (["space.variables.wing_area_m2.low=1"], "wing_area_m2"),  # unknown variable
]


def _run(overrides, run_dir):
    args = [sys.executable, "-m", "explore", *SMALL, *overrides]
    if not any(o.startswith("hydra.run.dir=") for o in overrides):
        args.append(f"hydra.run.dir={run_dir}")
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc, run_dir


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every case run once, four processes at a time: {case index: (proc, run dir)}."""
    base = tmp_path_factory.mktemp("bad")
    cases = [c[0] for c in OURS] + [c[0] for c in HYDRAS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {i: pool.submit(_run, overrides, base / f"case{i}") for i, overrides in enumerate(cases)}
        return {i: f.result() for i, f in futures.items()}


def test_the_table_is_long_enough():
    assert len(OURS) + len(HYDRAS) >= 67


@pytest.mark.parametrize("index", range(len(OURS)), ids=[" ".join(c[0]) for c in OURS])
def test_bad_value_gives_one_line_exit_2_and_no_results(outcomes, index):
    overrides, key, value = OURS[index]
    proc, run_dir = outcomes[index]
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("error: ") and "Traceback" not in proc.stderr
    assert f"`{key}" in line, line
    assert value in line, line
    fixes = ("must", "use", "raise", "lower", "choose", "swap", "add", "known", "create", "give", "export")
    assert any(fix in line for fix in fixes), line
    assert not (run_dir / "results.nc").exists()
    assert not list(run_dir.glob("*.nc")) if run_dir.exists() else True


@pytest.mark.parametrize("index", range(len(HYDRAS)), ids=[" ".join(c[0]) for c in HYDRAS])
def test_hydra_composition_errors_pass_through(outcomes, index):
    overrides, text = HYDRAS[index]
    proc, run_dir = outcomes[len(OURS) + index]
    assert proc.returncode == 1, proc.stderr[-2000:]  # Hydra's own exit code
    assert text in proc.stderr and "Traceback" not in proc.stderr
    assert not (run_dir / "results.nc").exists()


def test_a_sweep_runs_its_good_jobs_and_names_the_bad_ones(tmp_path):
    # A job with a bad value (n_trials=0) is one error line; the jobs after it still run,
    # and the sweep ends with exit code 2 and a line naming the jobs that failed.
    sweep_dir = tmp_path / "sweep"
    args = [*SMALL, "study.n_trials=0,20", "seed=0,1", f"hydra.sweep.dir={sweep_dir}"]
    proc = subprocess.run(
        [sys.executable, "-m", "explore", "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert sum("`study.n_trials`" in line for line in errors) == 2, errors  # each bad job says why
    assert "2 of 4 jobs" in errors[-1] and "job 0 (" in errors[-1] and "job 1 (" in errors[-1], errors[-1]
    assert sorted(p.parent.name for p in sweep_dir.glob("*/results.nc")) == ["2", "3"]
    assert (sweep_dir / "pareto.png").exists()  # the sweep figure of the jobs that ran
