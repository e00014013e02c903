"""Open a run directory, or a whole multirun directory, as one xarray Dataset."""

import itertools
import math
import os
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import xarray as xr
import yaml

RESULTS = "results.nc"


class ResultsError(ValueError):
    """A path holds no results; the message says what was looked for."""


def _overrides(job_dir: str) -> dict[str, Any]:
    """The job's command-line settings {key: value} from Hydra's record of them."""
    path = os.path.join(job_dir, ".hydra", "overrides.yaml")
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        items = yaml.safe_load(f) or []
    out: dict[str, Any] = {}
    for item in items:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra.") or key == "hydra":
            continue
        out[key] = yaml.safe_load(value) if value else value
    return out


REQUIRED = ("accel_0_100_s", "range_km", "feasible", "pareto")  # what every reader of results.nc relies on


# A sweep whose results files hold more than this opens lazily: dask arrays, read when used.
LAZY_ABOVE_BYTES = 256 * 2**20


def _load(path: str, lazy: bool = False) -> xr.Dataset:
    """results.nc at `path`, read whole (or, `lazy`, as dask arrays read when used: one
    chunk per variable); `ResultsError` for a file that is cut short, not NetCDF, or of an
    older schema, saying how to get a good one."""
    try:
        ds = xr.open_dataset(path, engine="h5netcdf", chunks={}) if lazy else xr.load_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ResultsError(
            f"{path} cannot be read as results ({why}): cut short or not NetCDF; rerun the study "
            "(the same command and run directory) to write it again"
        ) from None
    missing = [name for name in REQUIRED if name not in ds.variables]
    if missing:
        raise ResultsError(
            f"{path} has no `{missing[0]}`: written by another version of explore; rerun the study "
            "(the same command and run directory) to write it in this version's schema"
        )
    return ds


def _fill_values(datasets: Sequence[xr.Dataset]) -> dict[Hashable, bool | str]:
    """Padding per variable: False for flags, '' for text, NaN for numbers."""
    fill: dict[Hashable, bool | str] = {}
    for ds in datasets:
        for name, var in {**ds.data_vars, **ds.coords}.items():
            if var.dtype == bool:
                fill[name] = False
            elif var.dtype.kind in "OUS":
                fill[name] = ""
    return fill


def _combine(nested: xr.Dataset | list[Any], dims: list[str], datasets: Sequence[xr.Dataset]) -> xr.Dataset:
    """`nested`: the datasets, nested in lists one level per dimension of `dims`."""
    return xr.combine_nested(
        nested,
        concat_dim=dims,
        join="outer",
        fill_value=_fill_values(datasets),
        combine_attrs="drop_conflicts",
        data_vars="all",
        coords="different",
        compat="equals",
    )


def open_results(path: str | os.PathLike[str]) -> xr.Dataset:
    """One Dataset from `path`: a run directory (or its results.nc), or a multirun
    directory of runs (`python -m explore -m ...`).

    For a sweep, each setting that differs between jobs becomes a dimension named by its
    key (`vehicle`, `seed`, `sampler`, `study.n_trials`, ...) with the chosen values as
    coordinates, when the jobs form a full grid; otherwise the jobs lie along a `job`
    dimension with the settings as coordinates. Trials (and reference designs) are padded:
    NaN for numbers, False for flags, '' for text. Attributes that differ between jobs
    are dropped; variables keep their units and long_name.

    Jobs that are workers of one study in a shared storage (`study.storage`, the same
    `study.name`) give that study: the largest export, which the last worker to end wrote.

    A sweep whose results files hold more than `LAZY_ABOVE_BYTES` in all opens lazily: its
    variables are dask arrays, read from the files when used (`.load()`, `.values`, a
    plot), so memory holds what is used, not the whole sweep. A smaller one is read whole.
    """
    path = os.fspath(path)
    if os.path.isfile(path) and path.endswith(".nc"):
        return _load(path)
    if os.path.isfile(os.path.join(path, RESULTS)):
        return _load(os.path.join(path, RESULTS))
    if os.path.isfile(path):
        folder = os.path.dirname(path) or "."
        raise ResultsError(f"{path} is not a results file; give its run directory {folder} (or a results.nc)")
    if not os.path.isdir(path):
        raise ResultsError(f"{path} does not exist; give a run directory or a multirun directory")
    jobs = sorted(
        (os.path.join(path, d) for d in os.listdir(path) if os.path.isfile(os.path.join(path, d, RESULTS))),
        key=lambda d: (len(os.path.basename(d)), os.path.basename(d)),
    )
    if not jobs:
        raise ResultsError(f"{path} holds no {RESULTS}: not a run directory, nor a multirun directory of runs")
    settings = [_overrides(j) for j in jobs]
    files = [os.path.join(j, RESULTS) for j in jobs]
    lazy = sum(os.path.getsize(f) for f in files) > LAZY_ABOVE_BYTES
    datasets = [_load(f, lazy) for f in files]
    shared = {(ds.attrs.get("storage") or "", ds.attrs.get("study_name")) for ds in datasets}
    if len(shared) == 1 and next(iter(shared))[0]:
        # Workers of one study in a shared storage: each export holds the whole study as
        # it stood when that worker ended, so the largest (the last) holds all of it.
        return max(datasets, key=lambda ds: ds.sizes["trial"])
    keys = list(dict.fromkeys(k for s in settings for k in s))
    swept = [k for k in keys if len({repr(s.get(k)) for s in settings}) > 1]
    if not swept:
        if len(datasets) == 1:
            return datasets[0]
        swept = []
    values = {k: list(dict.fromkeys(s.get(k) for s in settings)) for k in swept}
    grid = list(itertools.product(*(values[k] for k in swept)))
    cells = {tuple(s.get(k) for k in swept): ds for s, ds in zip(settings, datasets)}
    if swept and len(cells) == len(datasets) == math.prod(len(v) for v in values.values()) and set(cells) == set(grid):

        def nest(prefix: tuple[Any, ...], depth: int) -> xr.Dataset | list[Any]:
            if depth == len(swept):
                return cells[prefix]
            return [nest(prefix + (v,), depth + 1) for v in values[swept[depth]]]

        out = _combine(nest((), 0), swept, datasets)
        return out.assign_coords({k: (k, np.asarray(values[k]), {"long_name": f"swept setting {k}"}) for k in swept})
    out = _combine(datasets, ["job"], datasets)
    coords = {"job": ("job", np.asarray([os.path.basename(j) for j in jobs]), {"long_name": "multirun job"})}
    for k in swept:
        coords[k] = (
            "job",
            np.asarray([s.get(k, "") for s in settings], dtype=object),
            {"long_name": f"swept setting {k}"},
        )
    return out.assign_coords(coords)
