"""Shared set-up: float64 for the whole session, one compilation cache for the tools the
tests start, the reference vehicles as session fixtures (built by `model_helpers`), and a
PostgreSQL server (`postgres`): the one named by EXPLORE_TEST_POSTGRES_URL / _PASSWORD
(`.ci/run` starts one with `.ci/postgres.sh`), else one started here with `.ci/postgres.sh`
if the server binaries are installed, else the test is skipped, or fails when
EXPLORE_REQUIRE_POSTGRES=1."""

import atexit
import contextlib
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


@contextlib.contextmanager
def _server(script, folder, fix, required):
    """Start a throwaway server with `.ci/<script> start folder`, yield the variables it
    exports, stop it after. When it cannot start: fail if the environment variable
    `required` is 1, else skip; both say why and `fix`."""
    path = ROOT / ".ci" / script
    proc = subprocess.run(["bash", str(path), "start", str(folder)], capture_output=True, text=True, timeout=300)
    try:
        if proc.returncode != 0:
            why = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            message = f"{script} could not start a server ({why}); {fix}"
            if os.environ.get(required) == "1":
                pytest.fail(message)
            pytest.skip(message)
        yield dict(
            line.removeprefix("export ").split("=", 1) for line in proc.stdout.split("\n") if line.startswith("export ")
        )
    finally:
        subprocess.run(["bash", str(path), "stop", str(folder)], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """(URL without password, password) of a PostgreSQL server."""
    if os.environ.get("EXPLORE_TEST_POSTGRES_URL"):
        yield os.environ["EXPLORE_TEST_POSTGRES_URL"], os.environ["EXPLORE_TEST_POSTGRES_PASSWORD"]
        return
    folder = pathlib.Path("/tmp") / f"explore-pg-{os.getpid()}"  # short: the socket path has a length limit
    fix = "install Debian's postgresql or set EXPLORE_TEST_POSTGRES_URL"
    with _server("postgres.sh", folder, fix, "EXPLORE_REQUIRE_POSTGRES") as env:
        yield env["EXPLORE_TEST_POSTGRES_URL"], env["EXPLORE_TEST_POSTGRES_PASSWORD"]


@pytest.fixture(scope="session")
def slurm():
    """(SLURM_CONF path, partition) of a SLURM cluster: the one SLURM_CONF names (`.ci/run`
    starts one with `.ci/slurm.sh`), else a single-node one started here with `.ci/slurm.sh`
    if SLURM and munge are installed and this is root, else the test is skipped, or fails
    when EXPLORE_REQUIRE_SLURM=1."""
    if os.environ.get("SLURM_CONF"):
        yield os.environ["SLURM_CONF"], os.environ.get("EXPLORE_TEST_SLURM_PARTITION", "debug")
        return
    fix = "install Debian's slurmctld, slurmd, slurm-client and munge (or run .ci/slurm.sh start DIR --install)"
    with _server("slurm.sh", tempfile.mkdtemp(prefix="explore-slurm-"), fix, "EXPLORE_REQUIRE_SLURM") as env:
        yield env["SLURM_CONF"], env["EXPLORE_TEST_SLURM_PARTITION"]
