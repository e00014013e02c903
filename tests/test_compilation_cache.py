"""The command-line tools keep JAX's compiled programs on disk (EV_COMPILATION_CACHE), and
leave nothing there when it is turned off. Real subprocesses, as a user runs them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real subprocesses, servers and sweeps: the full suite only

ROOT = Path(__file__).resolve().parents[1]
ONE_CAR = """\
vehicles:
- id: small_fwd
  kerb_mass_kg: 1500
  drag_coefficient: 0.29
  width_mm: 1800
  height_mm: 1550
  drive: FWD
  motors:
  - {axle: front, peak_power_kw: 110, peak_torque_nm: 290}
  battery_usable_kwh: 50
"""


def _predict(spec, setting):
    env = {**os.environ, "EV_COMPILATION_CACHE": setting}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "objectives", "predict", str(spec), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(ONE_CAR)
    return path


def test_a_run_fills_the_cache_and_a_second_reads_it(spec, tmp_path):
    cache = tmp_path / "cache"
    first = _predict(spec, str(cache))
    assert first.returncode == 0, first.stderr
    entries = sorted(p.name for p in cache.iterdir())
    assert entries, "the first run wrote nothing to the compilation cache"
    second = _predict(spec, str(cache))
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout  # the same figures from the cached programs
    assert sorted(p.name for p in cache.iterdir()) == entries  # the same programs: no new entries


def test_off_writes_no_cache(spec, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    proc = _predict(spec, "off")
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "xdg").exists()


def test_a_traced_program_is_kept_and_read_back(spec, tmp_path):
    # The first run traces the model and keeps the traced program; the second reads it
    # (no tracing) and gives the same figures to the last digit.
    cache = tmp_path / "cache"
    first = _predict(spec, str(cache))
    programs = sorted((cache / "programs").iterdir())
    assert len(programs) == 1 and programs[0].suffix == ".jaxexport", programs
    stamp = programs[0].stat().st_mtime_ns
    second = _predict(spec, str(cache))
    assert second.returncode == 0 and second.stdout == first.stdout
    assert programs[0].stat().st_mtime_ns == stamp  # read, not written again


def test_a_torn_program_file_is_traced_again(spec, tmp_path):
    cache = tmp_path / "cache"
    first = _predict(spec, str(cache))
    (program,) = (cache / "programs").iterdir()
    program.write_bytes(program.read_bytes()[:100])  # cut short, as by a full disk
    second = _predict(spec, str(cache))
    assert second.returncode == 0 and second.stdout == first.stdout, second.stderr
    assert "traced program" in second.stderr and "tracing again" in second.stderr
    assert program.stat().st_size > 100  # replaced by a whole one


def test_a_program_is_traced_again_when_the_source_changes(tmp_path):
    # The key holds the source of objectives and explore: an edit (here a copy of the
    # package with one more comment line) never runs a program traced from the old code.
    import shutil

    copy = tmp_path / "src"
    for package in ("objectives", "explore"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    code = "import objectives._cache as c, sys; sys.stdout.write(c._source_digest())"
    digest = [
        subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    with open(copy / "objectives" / "_units.py", "a") as f:
        f.write("# an edit\n")
    edited = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, check=True).stdout
    assert digest[0] == digest[1] != edited
