"""The printed summary of a study: the Pareto designs and where the reference designs sit."""

from typing import cast

import numpy as np
import xarray as xr

from ._figures import FIGURES, Figure, Role
from ._results import spread

MAX_ROWS = 12


def _axle_text(ds: xr.Dataset, i: int, axle: str) -> str:
    power = float(ds[f"{axle}_power_kw"].values[i]) if f"{axle}_power_kw" in ds else np.nan
    if not np.isfinite(power):
        return "-"
    torque = float(ds[f"{axle}_torque_nm"].values[i])
    ratio = float(ds[f"{axle}_ratio"].values[i])
    text = f"{power:.0f}/{torque:.0f} x{ratio:.1f}"
    if f"{axle}_gears" in ds and int(ds[f"{axle}_gears"].values[i]) == 2:
        text += f"/{ratio * float(ds[f'{axle}_ratio_2_frac'].values[i]):.1f}"
    return text


def front_table(ds: xr.Dataset) -> tuple[list[str], int]:
    """Rows of text: the Pareto designs sorted by 0-100 (at most MAX_ROWS distinct ones, spread
    evenly along the front's length in objectives scaled by their spans, ends included: a
    stretch where the sampler left many designs gets no more rows than its length earns).
    Columns: the objectives, the design, the figures the figure table gives a `summary`
    column, and the price of performance."""
    idx = np.flatnonzero(ds["pareto"].values)
    idx = idx[np.argsort(ds["accel_0_100_s"].values[idx], kind="stable")]
    n_front = len(idx)
    columns = [f for f in FIGURES if f.summary is not None and f.name in ds]
    first = [f for f in columns if f.role is Role.objective]
    later = [f for f in columns if f.role is not Role.objective]

    def cells(figures: list[Figure], i: int | None = None) -> list[str]:
        layout = [cast(tuple[str, int, int], f.summary) for f in figures]  # not None: `columns` has a summary
        if i is None:
            return [f"{s[0]:>{s[1]}}" for s in layout]
        return [f"{float(ds[f.name].values[i]):>{s[1]}.{s[2]}f}" for f, s in zip(figures, layout)]

    head = (
        " ".join([f"{'trial':>6}", *cells(first)])
        + "  "
        + " ".join(
            [
                f"{'layout':6}",
                f"{'front kW/Nm xratio':>19}",
                f"{'rear kW/Nm xratio':>19}",
                f"{'pack':>12}",
                *cells(later),
                f"{'km/0.1s':>7}",
            ]
        )
    )
    rows = [head]
    for i in idx[spread(ds["accel_0_100_s"].values[idx], ds["range_km"].values[idx], MAX_ROWS)]:  # in 0-100 order
        count = f"{int(ds['cells_series'].values[i])}s{int(ds['cells_parallel'].values[i])}p"
        pack = f"{count} {str(ds['chemistry'].values[i]).upper()}"
        rows.append(
            " ".join([f"{int(ds['trial'].values[i]):>6}", *cells(first, i)])
            + "  "
            + " ".join(
                [
                    f"{str(ds['layout'].values[i]):6}",
                    f"{_axle_text(ds, i, 'front'):>19}",
                    f"{_axle_text(ds, i, 'rear'):>19}",
                    f"{pack:>12}",
                    *cells(later, i),
                    f"{float(ds['range_per_tenth_s_km'].values[i]):>7.2f}",
                ]
            )
        )
    return rows, n_front


def reference_position(accel_s: float, range_km: float, front_accel: np.ndarray, front_range: np.ndarray) -> str:
    """Where a design sits relative to a front of feasible designs. Returns text."""
    if front_accel.size == 0:
        return "no feasible front to compare with"
    quicker = front_accel <= accel_s
    longer = front_range >= range_km
    dominated = np.any(quicker & longer & ((front_accel < accel_s) | (front_range > range_km)))
    if np.any((front_accel == accel_s) & (front_range == range_km)):
        return "on the front"
    if not dominated:
        if not quicker.any():
            return "ahead of the front found: quicker than any design on it"
        more = range_km - front_range[quicker].max()
        return f"ahead of the front found: {more:.1f} km more than the front at this 0-100"
    gain_range = front_range[quicker].max() - range_km
    gain_time = accel_s - front_accel[longer].min()
    return f"behind the front: {gain_range:+.1f} km at this 0-100, {gain_time:.2f} s quicker at this range"


def summary(ds: xr.Dataset) -> str:
    """The printed summary of a results Dataset (str)."""
    n = ds.sizes["trial"]
    n_ok = int(ds["feasible"].values.sum())
    rows, n_front = front_table(ds)
    origin = np.asarray(ds["origin"].values).astype(str) if "origin" in ds else np.full(n, "sampler")
    refined = origin == "refine"
    front_text = str(n_front)
    if refined.any():
        on = np.asarray(ds["pareto"].values, bool)
        front_text += f" ({int((on & refined).sum())} from refinement)"
    lines = [
        f"Study {ds.attrs['study_name']}: {n:,} designs, {n_ok:,} feasible, {front_text} on the Pareto front "
        f"(platform {ds.attrs['platform']}, space {ds.attrs['space']}, sampler {ds.attrs['sampler']}, "
        f"range {ds.attrs['objective_range']})",
    ]
    if n_front:
        shown = min(n_front, MAX_ROWS)
        lines.append(
            f"Pareto designs by 0-100 km/h ({shown} of {n_front} shown, spread along the front; "
            "km/0.1s: range given up per 0.1 s quicker):"
        )
        lines += ["  " + r for r in rows]
    on = ds["pareto"].values
    fa, fr = ds["accel_0_100_s"].values[on], ds["range_km"].values[on]
    if ds.sizes.get("reference", 0):
        lines.append(
            f"Reference designs on the {ds.attrs['platform']} platform (model figures; published in brackets):"
        )
        for j in range(ds.sizes["reference"]):
            a = float(ds["reference_accel_0_100_s"].values[j])
            r = float(ds["reference_range_km"].values[j])
            pa = float(ds["reference_published_accel_0_100_s"].values[j])
            pr = float(ds["reference_published_range_km"].values[j])
            pub = f"[{pa:.1f} s, {pr:.0f} km]".replace("nan s", "- s").replace("nan km", "- km")
            where = reference_position(a, r, fa, fr)
            if not bool(ds["reference_feasible"].values[j]):
                reason = str(ds["reference_reason"].values[j]) if "reference_reason" in ds else ""
                where += "; misses a constraint of this study" + (f" ({reason})" if reason else "")
            lines.append(f"  {str(ds['reference_name'].values[j])[:44]:44} {a:5.2f} s {r:5.0f} km {pub:>16}  {where}")
    return "\n".join(lines)
