"""`python -m objectives pairs`: the range cost of performance on the shipped published pairs,
as a user runs it (a real subprocess), and its errors on bad pair files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "objectives" / "data" / "variant_pairs.yaml"


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "objectives", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


@pytest.fixture(scope="module")
def shipped():
    proc = _run("pairs", PAIRS, "--json")
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(PAIRS.read_text())["vehicles"], json.loads(proc.stdout)


@pytest.mark.slow
def test_every_car_of_every_pair_is_predicted(shipped):
    specs, out = shipped
    by_pair = {}
    for s in specs:
        by_pair.setdefault(s["pair"], []).append(s)
    assert set(out["pairs"]) == set(by_pair)
    for name, cars in by_pair.items():
        got = out["pairs"][name]
        assert "error" not in got, got
        assert {s["id"] for s in cars if s["role"] != "base"} == set(got["cars"])
        for row in got["cars"].values():
            assert "error" not in row, row
    assert out["summary"]["not_predicted"] == 0


@pytest.mark.slow
def test_changes_are_computed_from_the_published_and_modelled_figures(shipped):
    specs, out = shipped
    spec = {s["id"]: s for s in specs}
    for p in out["pairs"].values():
        base = spec[p["base"]]
        for key, row in p["cars"].items():
            assert row["published_wltp_km"] == spec[key]["wltp_range_km"]
            if base.get("wltp_range_km") and spec[key].get("wltp_range_km"):
                assert row["published_wltp_change"] == pytest.approx(
                    spec[key]["wltp_range_km"] / base["wltp_range_km"] - 1.0
                )
                assert row["error_pp"] == pytest.approx(100 * (row["model_wltp_change"] - row["published_wltp_change"]))


@pytest.mark.slow
def test_the_model_gets_the_sign_of_every_published_range_loss(shipped):
    """Acceptance of issue 11: the sign is right on every pair with a published loss over 2 %."""
    _, out = shipped
    s = out["summary"]
    assert s["sign_checked"] >= 15
    assert s["sign_right"] == s["sign_checked"], out["pairs"]


@pytest.mark.slow
def test_range_cost_of_performance_stays_close_to_published(shipped):
    """Median |modelled - published| change in WLTP range over the shipped pairs. Issue 11 asks
    for 2 pp; the model reaches 2.6 pp (README, 'Published pairs'). This bound guards that figure
    from regressing; it is not the target."""
    _, out = shipped
    assert out["summary"]["compared"] >= 18
    assert out["summary"]["median_abs_error_pp"] <= 3.0, out["summary"]


@pytest.mark.slow
def test_a_pair_without_a_base_is_an_error(tmp_path):
    specs = yaml.safe_load(PAIRS.read_text())["vehicles"]
    first = specs[0]["pair"]
    for s in specs:
        if s["pair"] == first and s["role"] == "base":
            s["role"] = "mid"
    bad = tmp_path / "pairs.yaml"
    bad.write_text(yaml.safe_dump({"vehicles": [s for s in specs if s["pair"] == first]}))
    proc = _run("pairs", bad)
    assert proc.returncode == 2
    assert f"pair {first}" in proc.stderr and "role: base" in proc.stderr


def test_a_missing_file_is_an_error(tmp_path):
    proc = _run("pairs", tmp_path / "nowhere.yaml")
    assert proc.returncode == 2
    assert "nowhere.yaml" in proc.stderr and "Traceback" not in proc.stderr
