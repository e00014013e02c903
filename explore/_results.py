"""The results of a study as a CF-style xarray Dataset, and the Pareto front."""

import errno
import os
import platform as _platform
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NamedTuple

import moocore
import numpy as np
import xarray as xr

from ._config import SpaceConfig
from ._designs import Designs
from ._figures import FIGURES, RANGE_LONG_NAME
from ._variables import VARIABLES


class Scored(NamedTuple):
    """Every completed trial of a study, scored: what results.nc holds per trial."""

    trial: np.ndarray  # (n,) Optuna trial numbers
    designs: Designs
    figures: dict[str, np.ndarray]  # the study's figures (`explore._figures.FIGURES`), (n,) each
    feasible: np.ndarray  # (n,) bool: meets every constraint
    pareto: np.ndarray  # (n,) bool: on the front of the feasible designs
    reasons: list[str]  # why each design is infeasible ('' when feasible)
    origin: np.ndarray  # (n,) 'sampler', or 'refine' for a design of the gradient refinement
    refined_from: np.ndarray  # (n,) trial number a refined design started from (-1: sampled)


def spread(accel_s: np.ndarray, range_km: np.ndarray, k: int) -> np.ndarray:
    """Indices of up to `k` distinct points of a front, evenly spaced along its length
    in objectives scaled by their spans (so a sparse stretch gets its share)."""
    points, first = np.unique(np.column_stack([accel_s, range_km]), axis=0, return_index=True)
    if len(points) <= k:
        return np.sort(first)
    span = np.ptp(points, axis=0)
    scaled = points / np.where(span > 0.0, span, 1.0)
    length = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(scaled, axis=0), axis=1))])
    taken = np.zeros(len(points), bool)
    for target in np.linspace(0.0, length[-1], k):  # the nearest point not taken yet
        gap = np.where(taken, np.inf, np.abs(length - target))
        taken[gap.argmin()] = True
    return np.sort(first[taken])


def pareto_mask(accel_s: np.ndarray, range_km: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """True for the feasible designs no other feasible design dominates.

    A design dominates another when it is no slower to 100 km/h and has no less range,
    and is strictly better in one of the two. Equal designs do not dominate each other.
    """
    mask = np.zeros(len(accel_s), bool)
    idx = np.flatnonzero(feasible)
    if idx.size:
        points = np.column_stack([accel_s[idx], range_km[idx]])
        mask[idx] = moocore.is_nondominated(points, maximise=[False, True], keep_weakly=True)
    return mask


def hypervolume(
    accel_s: Sequence[float] | np.ndarray, range_km: Sequence[float] | np.ndarray, reference: Sequence[float]
) -> float:
    """Area of the (0-100 time, range) plane the designs dominate, up to `reference`
    (0-100 s, range km): s km. Exact, by moocore; points beyond the reference add nothing."""
    points = np.column_stack([np.asarray(accel_s, float), np.asarray(range_km, float)])
    if not len(points):
        return 0.0
    return float(moocore.hypervolume(points, ref=np.asarray(reference, float), maximise=[False, True]))


def package_versions() -> dict[str, str]:
    out = {"python": _platform.python_version()}
    for pkg in ("ev-explore", "jax", "jaxlib", "optuna", "hydra-core", "numpy", "xarray", "h5netcdf", "moocore"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _variable(name: str, values: np.ndarray, space: SpaceConfig) -> tuple[np.ndarray, dict[str, str]]:
    spec = VARIABLES[name]
    units = space.variables[name].unit if name in space.variables else spec.unit
    return values, {"units": units, "long_name": spec.long_name}


def build_dataset(scored: Scored, refs: dict[str, Any], attrs: dict[str, Any]) -> xr.Dataset:
    """results.nc contents: the designs and figures of every trial (`scored`); refs: dict
    with `id`, `name`, `published_accel_0_100_s`, `published_range_km` and the reference
    designs' figures; attrs: global attributes.
    """
    space, fig = scored.designs.space, scored.figures
    data: dict[str, tuple[str, Any, dict[str, Any]]] = {}
    on = scored.designs.active()
    for name, values in scored.designs.columns.items():
        if name not in space.variables:  # optional variables the space leaves at their default
            continue
        values = np.asarray(values)
        axle = name.split("_", 1)[0]
        if axle in on and values.dtype.kind == "f":  # meaningless where the axle is not driven
            values = np.where(on[axle], values, np.nan)
        if values.dtype.kind == "U":
            values = values.astype(object)
        vals, a = _variable(name, values, space)
        data[name] = ("trial", vals, a)
    study_range = attrs["objective_range"]
    range_long = RANGE_LONG_NAME[study_range]
    for f in FIGURES:
        if f.name in fig:
            data[f.name] = ("trial", fig[f.name], {"units": f.unit, "long_name": f.describe(study_range)})
    data["feasible"] = ("trial", np.asarray(scored.feasible, bool), {"long_name": "meets every constraint"})
    data["pareto"] = (
        "trial",
        np.asarray(scored.pareto, bool),
        {"long_name": "on the Pareto front of the feasible designs"},
    )
    data["reason"] = ("trial", np.asarray(scored.reasons, dtype=object), {"long_name": "why the design is infeasible"})
    data["origin"] = (
        "trial",
        np.asarray(scored.origin, dtype=object),
        {
            "long_name": "where the design came from: sampler, or refine (refinement of a front design: "
            "one categorical choice changed, or gradient steps)"
        },
    )
    data["refined_from"] = (
        "trial",
        np.asarray(scored.refined_from, np.int64),
        {"long_name": "trial number a refined design started from (-1: sampled)"},
    )
    ds = xr.Dataset(
        {k: xr.Variable(d, v, a) for k, (d, v, a) in data.items()},
        coords={"trial": ("trial", np.asarray(scored.trial, np.int64), {"long_name": "Optuna trial number"})},
    )
    ref = {
        "reference_name": (np.asarray(refs["name"], dtype=object), {"long_name": "published variant"}),
        "reference_accel_0_100_s": (
            refs["accel_0_100_s"],
            {"units": "s", "long_name": "0-100 km/h time on this platform (model)"},
        ),
        "reference_range_km": (
            refs["range_km"],
            {"units": "km", "long_name": f"{range_long} on this platform (model)"},
        ),
        "reference_published_accel_0_100_s": (
            refs["published_accel_0_100_s"],
            {"units": "s", "long_name": "published 0-100 km/h time"},
        ),
        "reference_published_range_km": (
            refs["published_range_km"],
            {"units": "km", "long_name": f"published {range_long}"},
        ),
        "reference_feasible": (
            np.asarray(refs["feasible"], bool),
            {"long_name": "meets every constraint of the study"},
        ),
        "reference_reason": (
            np.asarray(refs["reason"], dtype=object),
            {"long_name": "why the reference design is infeasible"},
        ),
    }
    for k, (v, a) in ref.items():
        ds[k] = xr.Variable("reference", v, a)
    ds = ds.assign_coords(
        reference=("reference", np.asarray(refs["id"], dtype=object), {"long_name": "reference vehicle id"})
    )
    ds.attrs = {**attrs, "created": datetime.now(UTC).isoformat(timespec="seconds")}  # attached last
    return ds


def add_front_analysis(
    ds: xr.Dataset,
    slope: np.ndarray,
    method: np.ndarray,
    front_trial: np.ndarray,
    accel_time_s: np.ndarray,
    cycle_time_s: np.ndarray,
    traces: dict[str, np.ndarray],
) -> xr.Dataset:
    """The price of performance at each Pareto design, and the Pareto designs' traces."""
    attrs = ds.attrs
    ds = ds.assign(
        range_per_tenth_s_km=xr.Variable(
            "trial",
            slope,
            {
                "units": "km",
                "long_name": "range given up per 0.1 s quicker 0-100 "
                "(local slope of the front, d range / d 0-100 x 0.1 s)",
            },
        ),
        slope_method=xr.Variable(
            "trial", method, {"long_name": "how the slope was found: gradient (KKT) or neighbours"}
        ),
    )
    ds = ds.assign_coords(
        pareto_trial=(
            "pareto_trial",
            np.asarray(front_trial, np.int64),
            {"long_name": "trial number of a Pareto design"},
        ),
        accel_time=(
            "accel_time",
            accel_time_s,
            {"units": "s", "long_name": "time from standstill in the 0-100 km/h run"},
        ),
        time=("time", cycle_time_s, {"units": "s", "long_name": "time into the WLTC class 3b cycle"}),
    )
    ds["trace_speed_kmh"] = xr.Variable(
        ("pareto_trial", "accel_time"),
        traces["trace_speed_kmh"].astype(np.float32),
        {"units": "km/h", "long_name": "speed in the 0-100 km/h run (NaN once 100 km/h is reached)"},
    )
    ds["trace_battery_power_kw"] = xr.Variable(
        ("pareto_trial", "time"),
        traces["trace_battery_power_kw"].astype(np.float32),
        {"units": "kW", "long_name": "power drawn from the cells on the WLTC (negative: regenerating)"},
    )
    ds["trace_soc"] = xr.Variable(
        ("pareto_trial", "time"),
        traces["trace_soc"].astype(np.float32),
        {"units": "1", "long_name": "state of charge on the WLTC, starting full"},
    )
    ds.attrs = attrs
    return ds


TRACES = ("trace_speed_kmh", "trace_battery_power_kw", "trace_soc")


def write_atomic(ds: xr.Dataset, path: str) -> None:
    """Write `ds` to NetCDF at `path` via a temporary file in the same directory: `path` is
    the whole new file or what it was before, never a part. Raises `OSError` (ENOSPC)
    before writing when the folder has less free space than the data (HDF5 does not fail
    cleanly on a full disk)."""
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    need = int(ds.nbytes) + 2**20
    free = shutil.disk_usage(folder).free
    if free < need:
        raise OSError(
            errno.ENOSPC, f"no space left on the device: {need / 2**20:.1f} MiB needed, {free / 2**20:.1f} free"
        )
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".nc", dir=folder)
    os.close(fd)
    try:
        encoding = {k: {"zlib": True, "complevel": 4} for k in TRACES if k in ds}
        try:
            ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
        except (RuntimeError, ValueError) as e:  # h5py's form of an I/O failure
            raise OSError(errno.EIO, f"writing {path} failed: {e}") from None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
