"""Shared set-up: float64 for the whole session, one compilation cache for the tools the
tests start, and the reference vehicles as session fixtures (built by `model_helpers`)."""

import atexit
import os
import shutil
import tempfile

import jax

jax.config.update("jax_enable_x64", True)  # before anything builds a JAX array

# The tools the tests start as subprocesses share one compilation cache for the session (not
# the user's): the first `python -m explore` compiles, the others read it back.
if "EV_COMPILATION_CACHE" not in os.environ:
    os.environ["EV_COMPILATION_CACHE"] = tempfile.mkdtemp(prefix="ev-test-jax-cache-")
    atexit.register(shutil.rmtree, os.environ["EV_COMPILATION_CACHE"], True)

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
