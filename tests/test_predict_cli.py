"""`python -m objectives predict` on hostile input, through the real command line: one
`error:` line per bad vehicle or file, exit code 2, no traceback, and JSON that is JSON.

Reference: the figures are the model's own; what is checked is that impossible ones
(negative top speed, a 0-100 a design never completes) are reported, not printed."""

import copy
import json
import subprocess
import sys

import pytest
import yaml
from explore_helpers import ROOT

import objectives as ob

BASE = next(s for s in ob.reference_specs() if s["id"] == "nissan_leaf_ze1_40kwh")


def predict(tmp_path, content, *args):
    path = tmp_path / "cars.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else yaml.safe_dump({"vehicles": content}))
    return subprocess.run(
        [sys.executable, "-m", "objectives", "predict", str(path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def car(**changes):
    spec = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


FILE_CASES = {
    "binary": bytes(range(256)) * 4,
    "not YAML": "vehicles: [unclosed\n  - {\n",
    "empty": "",
    "no list": "vehicles: 3\n",
    "a scalar": "just words\n",
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_file_that_is_not_a_spec_file_is_one_line(case, tmp_path):
    proc = predict(tmp_path, FILE_CASES[case])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: spec file") and "cars.yaml" in lines[0], lines
    assert proc.stdout == ""


SPEC_CASES = {  # (vehicles, text the error line holds)
    "duplicate id": ([car(), car()], "also the id of vehicles[0]"),
    "no cells in series": ([car(pack_configuration="0s1p")], "pack_configuration"),
    "a 0.1 V pack": ([car(pack_configuration=None, battery_nominal_voltage_v=0.1)], "battery_nominal_voltage_v"),
    "top speed below 100 with a 0-100 time": ([car(top_speed_kmh=0.001)], "top_speed_kmh"),
    "negative mass": ([car(kerb_mass_kg=-5)], "kerb_mass_kg"),
    "a list, not a car": ([[1, 2]], "mapping"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", SPEC_CASES)
def test_a_bad_vehicle_is_an_error_line_and_exit_2(case, tmp_path):
    vehicles, text = SPEC_CASES[case]
    proc = predict(tmp_path, vehicles, "--json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and text in errors[0], proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == len(vehicles)  # one entry per vehicle, duplicates included
    assert sum("error" in r for r in results.values()) == 1


@pytest.mark.slow
def test_impossible_figures_are_errors_not_numbers(tmp_path):
    # A 1e-9 N m motor: it never reaches 100 km/h nor follows a cycle; no figure of it is
    # printed as if it meant something (before: a top speed of -480 km/h, and Infinity).
    weak = car(id="weak", system_torque_nm=1e-9, motors=[{**BASE["motors"][0], "peak_torque_nm": 1e-9}])
    proc = predict(tmp_path, [car(), weak], "--json")
    assert proc.returncode == 2, proc.stderr
    results = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert "error" not in results[BASE["id"]] and results[BASE["id"]]["top_speed_kmh"] > 100.0
    entry = results["weak"]
    assert "cannot reach 100 km/h" in entry["error"]
    assert all(v > 0.0 for k, v in entry.items() if k != "error")
    assert "accel_0_100_s" not in entry and "wltp_range_km" not in entry
    table = predict(tmp_path, [car(), weak])
    assert table.returncode == 2 and "weak" in table.stdout and "Traceback" not in table.stderr
