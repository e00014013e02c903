"""Shared set-up: float64 for the whole session, one compilation cache for the tools the
tests start, the reference vehicles as session fixtures (built by `model_helpers`), and a
PostgreSQL server (`postgres`): the one named by EXPLORE_TEST_POSTGRES_URL / _PASSWORD
(`.ci/run` starts one with `.ci/postgres.sh`), else one started here with `.ci/postgres.sh`
if the server binaries are installed, else the test is skipped, or fails when
EXPLORE_REQUIRE_POSTGRES=1."""

import atexit
import os
import pathlib
import shutil
import subprocess
import tempfile

import jax

jax.config.update("jax_enable_x64", True)  # before anything builds a JAX array

# The tools the tests start as subprocesses share one compilation cache for the session (not
# the user's): the first `python -m explore` compiles, the others read it back.
if "EV_COMPILATION_CACHE" not in os.environ:
    os.environ["EV_COMPILATION_CACHE"] = tempfile.mkdtemp(prefix="ev-test-jax-cache-")
    atexit.register(shutil.rmtree, os.environ["EV_COMPILATION_CACHE"], True)

ROOT = pathlib.Path(__file__).resolve().parents[1]

import pytest  # noqa: E402
from model_helpers import make_vehicle  # noqa: E402


@pytest.fixture(scope="session")
def fwd_vehicle():
    return make_vehicle("FWD")


@pytest.fixture(scope="session")
def rwd_vehicle():
    return make_vehicle("RWD")


@pytest.fixture(scope="session")
def awd_vehicle():
    return make_vehicle("AWD", glider_mass=1300.0)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """(URL without password, password) of a PostgreSQL server."""
    if os.environ.get("EXPLORE_TEST_POSTGRES_URL"):
        yield os.environ["EXPLORE_TEST_POSTGRES_URL"], os.environ["EXPLORE_TEST_POSTGRES_PASSWORD"]
        return
    folder = pathlib.Path("/tmp") / f"explore-pg-{os.getpid()}"  # short: the socket path has a length limit
    script = ROOT / ".ci" / "postgres.sh"
    proc = subprocess.run(["bash", str(script), "start", str(folder)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        message = (
            f"no PostgreSQL server could be started ({why}); "
            "install Debian's postgresql or set EXPLORE_TEST_POSTGRES_URL"
        )
        if os.environ.get("EXPLORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    env = dict(
        line.removeprefix("export ").split("=", 1) for line in proc.stdout.split("\n") if line.startswith("export ")
    )
    try:
        yield env["EXPLORE_TEST_POSTGRES_URL"], env["EXPLORE_TEST_POSTGRES_PASSWORD"]
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], capture_output=True, timeout=120)
        subprocess.run(["rm", "-rf", str(folder)], capture_output=True)


@pytest.fixture(scope="session")
def slurm():
    """(SLURM_CONF path, partition) of a SLURM cluster: the one SLURM_CONF names (`.ci/run`
    starts one with `.ci/slurm.sh`), else a single-node one started here with `.ci/slurm.sh`
    if SLURM and munge are installed and this is root, else the test is skipped, or fails
    when EXPLORE_REQUIRE_SLURM=1."""
    if os.environ.get("SLURM_CONF"):
        yield os.environ["SLURM_CONF"], os.environ.get("EXPLORE_TEST_SLURM_PARTITION", "debug")
        return
    folder = tempfile.mkdtemp(prefix="explore-slurm-")
    script = ROOT / ".ci" / "slurm.sh"
    proc = subprocess.run(["bash", str(script), "start", folder], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        message = (
            f"no SLURM cluster could be started ({why}); "
            "install Debian's slurmctld, slurmd, slurm-client and munge (or run .ci/slurm.sh start DIR --install)"
        )
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("EXPLORE_REQUIRE_SLURM") == "1":
            pytest.fail(message)
        pytest.skip(message)
    env = dict(
        line.removeprefix("export ").split("=", 1) for line in proc.stdout.split("\n") if line.startswith("export ")
    )
    try:
        yield env["SLURM_CONF"], env["EXPLORE_TEST_SLURM_PARTITION"]
    finally:
        subprocess.run(["bash", str(script), "stop", folder], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
