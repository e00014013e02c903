"""Figures of results: the Pareto front of a run, the fronts of a sweep, one design's traces.

Matplotlib's object API (no pyplot, no global state): each function draws a new Figure
and writes it as PNG.
"""

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

LAYOUT_STYLE = {"front": ("C0", "o"), "rear": ("C2", "s"), "dual": ("C3", "^")}


def _range_label(ds: xr.Dataset) -> str:
    return f"{ds['range_km'].attrs.get('long_name', 'range')} [km]"


def _front(ds: xr.Dataset) -> np.ndarray:
    on = np.asarray(ds["pareto"].values, bool)
    order = np.argsort(ds["accel_0_100_s"].values[on], kind="stable")
    return np.flatnonzero(on)[order]


def pareto_figure(ds: xr.Dataset, path: str) -> str:
    """The front of one run: feasible designs faint, the front by layout, the published variants
    where the model puts them and where their published figures are (joined by a dashed line);
    below, the price of performance along the front (km of range per 0.1 s quicker)."""
    fig = Figure(figsize=(9, 8.5), layout="constrained")
    ax, price = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.2])
    accel, range_km = ds["accel_0_100_s"].values, ds["range_km"].values
    ok = np.asarray(ds["feasible"].values, bool)
    front = _front(ds)
    ax.scatter(
        accel[ok],
        range_km[ok],
        s=5,
        color="0.7",
        alpha=0.35,
        linewidths=0,
        rasterized=True,
        label=f"feasible designs ({ok.sum():,} of {ds.sizes['trial']:,})",
    )
    if front.size:
        ax.plot(accel[front], range_km[front], "-", color="k", lw=1.0, alpha=0.7, zorder=2)
        layouts = np.asarray(ds["layout"].values).astype(str)[front]
        for layout, (color, marker) in LAYOUT_STYLE.items():
            mine = front[layouts == layout]
            if mine.size:
                ax.scatter(
                    accel[mine],
                    range_km[mine],
                    s=22,
                    color=color,
                    marker=marker,
                    zorder=3,
                    edgecolors="k",
                    linewidths=0.4,
                    label=f"Pareto front, {layout} motor{'s' if layout == 'dual' else ''} ({mine.size})",
                )
        if "origin" in ds:  # designs from refinement: a ring around their marker
            refined = front[np.asarray(ds["origin"].values).astype(str)[front] == "refine"]
            if refined.size:
                ax.scatter(
                    accel[refined],
                    range_km[refined],
                    s=70,
                    facecolors="none",
                    edgecolors="m",
                    linewidths=0.9,
                    zorder=3.5,
                    label=f"of which from refinement: choices, gradients ({refined.size})",
                )
    n_ref = ds.sizes.get("reference", 0)
    ref_x: list[float] | np.ndarray  # the references' points, framed with the front
    ref_y: list[float] | np.ndarray
    ref_x, ref_y = [], []
    if n_ref:
        ra, rr = ds["reference_accel_0_100_s"].values, ds["reference_range_km"].values
        pa, pr = ds["reference_published_accel_0_100_s"].values, ds["reference_published_range_km"].values
        both = np.isfinite(pa) & np.isfinite(pr)
        j: int | np.intp  # an index, from np.flatnonzero then from range
        for j in np.flatnonzero(both):  # model and published figures of one variant, joined
            ax.plot([ra[j], pa[j]], [rr[j], pr[j]], "--", color="0.35", lw=0.8, zorder=3.8)
        ax.scatter(
            ra,
            rr,
            s=70,
            marker="*",
            color="gold",
            edgecolors="k",
            linewidths=0.8,
            zorder=4,
            label="published variants on this platform: model",
        )
        if both.any():
            ax.scatter(
                pa[both],
                pr[both],
                s=60,
                marker="D",
                facecolors="none",
                edgecolors="k",
                linewidths=1.0,
                zorder=4,
                label="the same variants: published figures",
            )
        for j in range(n_ref):
            ax.annotate(
                str(ds["reference_name"].values[j]),
                (ra[j], rr[j]),
                xytext=(14, -22 - 12 * j),
                textcoords="offset points",
                fontsize=8,
                arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.3"},
            )
        ref_x = np.concatenate([ra, pa[both]])
        ref_y = np.concatenate([rr, pr[both]])
    if front.size:  # frame the front and the references; the cloud of slow designs may run off
        xs = np.concatenate([accel[front], ref_x])
        ys = np.concatenate([range_km[front], ref_y])
        pad_x, pad_y = 0.08 * np.ptp(xs) + 0.2, 0.25 * np.ptp(ys) + 5.0
        ax.set_xlim(xs.min() - pad_x, xs.max() + pad_x)
        ax.set_ylim(ys.min() - pad_y, ys.max() + 0.3 * pad_y)
    if front.size and "range_per_tenth_s_km" in ds:
        slope = np.asarray(ds["range_per_tenth_s_km"].values, float)[front]
        ok_slope = np.isfinite(slope)
        price.plot(accel[front][ok_slope], slope[ok_slope], "o-", ms=3, lw=0.8, color="k")
    price.set_xlabel("0-100 km/h time [s]")
    price.set_ylabel("km per 0.1 s")
    price.set_title("the price of performance: range given up per 0.1 s quicker, along the front", fontsize=9)
    price.grid(alpha=0.3)
    ax.set_ylabel(_range_label(ds))
    ax.set_title(
        f"{ds.attrs.get('platform', '')} platform, {ds.attrs.get('space', '')} space, "
        f"{ds.attrs.get('sampler', '')} sampler: {len(front)} Pareto designs",
        fontsize=11,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.savefig(path, dpi=130)
    return path


def sweep_figure(ds: xr.Dataset, path: str) -> str:
    """The fronts of all jobs of a sweep (`ds` from `open_results`), overlaid."""
    fig = Figure(figsize=(9, 6), layout="constrained")
    ax = fig.subplots()
    dims = [d for d in ds["accel_0_100_s"].dims if d != "trial"]
    stacked = ds.stack(job_index=dims) if dims else ds.expand_dims(job_index=[0])
    for k in range(stacked.sizes["job_index"]):
        one = stacked.isel(job_index=k)
        on = np.asarray(one["pareto"].values, bool) & np.isfinite(one["accel_0_100_s"].values)
        if not on.any():
            continue
        order = np.argsort(one["accel_0_100_s"].values[on])
        label = ", ".join(f"{d}={one[d].values.item()}" for d in dims) or "run"
        if "job" in dims:
            label = ", ".join(f"{c}={one[c].values.item()}" for c in ds["job"].coords if c != "job") or label
        ax.plot(
            one["accel_0_100_s"].values[on][order], one["range_km"].values[on][order], ".-", ms=3, lw=1, label=label
        )
    ax.set_xlabel("0-100 km/h time [s]")
    ax.set_ylabel(_range_label(ds))
    ax.set_title("Pareto fronts of the sweep", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=130)
    return path


def trace_figure(ds: xr.Dataset, trial: int, path: str) -> str:
    """One Pareto design's 0-100 run and WLTC run (battery power and SOC)."""
    one = ds.sel(pareto_trial=trial)
    fig = Figure(figsize=(10, 7), layout="constrained")
    a, b, c = fig.subplots(3, 1, gridspec_kw={"height_ratios": [1.2, 1, 1]})
    a.plot(ds["accel_time"].values, one["trace_speed_kmh"].values, color="C3")
    a.set_xlabel("time [s]")
    a.set_ylabel("speed [km/h]")
    t100 = float(ds["accel_0_100_s"].sel(trial=trial))
    a.set_xlim(0, 1.15 * t100)
    a.set_title(
        f"trial {trial}: 0-100 km/h in {t100:.2f} s, range {float(ds['range_km'].sel(trial=trial)):.0f} km", fontsize=11
    )
    b.plot(ds["time"].values, one["trace_battery_power_kw"].values, lw=0.6, color="C0")
    b.axhline(0.0, color="0.5", lw=0.5)
    b.set_ylabel("battery power [kW]")
    c.plot(ds["time"].values, 100.0 * one["trace_soc"].values, color="C2")
    c.set_ylabel("state of charge [%]")
    c.set_xlabel("time into the WLTC [s]")
    for ax in (a, b, c):
        ax.grid(alpha=0.3)
    fig.savefig(path, dpi=130)
    return path
