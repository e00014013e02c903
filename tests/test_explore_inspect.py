"""`python -m explore.inspect` and `open_results` on files that are not good results: one
`error:` line saying what to do, exit code 2, nothing written."""

import numpy as np
import pytest
import xarray as xr

from explore import ResultsError, open_results
from explore.inspect import main


def minimal(path, without=()):
    """A results.nc with the variables every reader needs, less `without`."""
    n = 3
    data = {
        "accel_0_100_s": ("trial", np.array([5.0, 6.0, 7.0])),
        "range_km": ("trial", np.array([400.0, 450.0, 500.0])),
        "feasible": ("trial", np.ones(n, bool)),
        "pareto": ("trial", np.ones(n, bool)),
    }
    ds = xr.Dataset({k: v for k, v in data.items() if k not in without}, coords={"trial": np.arange(n)})
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def cases(tmp_path):
    good = minimal(tmp_path / "good.nc")
    cut = tmp_path / "cut.nc"
    cut.write_bytes(good.read_bytes()[:500])
    text = tmp_path / "text.nc"
    text.write_text("not NetCDF\n")
    old = minimal(tmp_path / "old.nc", without=("pareto",))
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.txt").write_text("a summary\n")
    return {
        "cut short": ([str(cut)], "cut short"),
        "not NetCDF": ([str(text)], "not NetCDF"),
        "older schema": ([str(old)], "pareto"),
        "a file of a run that is not results.nc": ([str(run / "summary.txt")], "give its run directory"),
        "nothing there": ([str(tmp_path / "nowhere")], "does not exist"),
        "an unwritable --csv": ([str(good), "--csv", str(tmp_path / "no" / "such" / "dir.csv")], "--csv"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "cut short",
        "not NetCDF",
        "older schema",
        "a file of a run that is not results.nc",
        "nothing there",
        "an unwritable --csv",
    ],
)
def test_bad_results_are_one_error_line_and_exit_2(case, tmp_path, capsys):
    argv, text = cases(tmp_path)[case]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], err
    assert out == ""  # no table half-printed
    assert not (tmp_path / "no").exists()


def test_open_results_raises_results_error_not_h5py_errors(tmp_path):
    (tmp_path / "results.nc").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)  # an HDF5 signature, then nothing
    with pytest.raises(ResultsError, match="cannot be read"):
        open_results(tmp_path)
