"""`python -m explore.inspect PATH`: the Pareto designs of a run or a sweep, as a table.

    python -m explore.inspect outputs/2026-11-21/16-50-13            # a run
    python -m explore.inspect outputs/multirun/2026-11-21/17-02-10   # a sweep
    python -m explore.inspect RUN --csv front.csv                    # the same table as CSV
    python -m explore.inspect RUN --trace 8160                       # plot one design's traces

Columns: the swept settings (for a sweep), the trial, every design variable with its
unit, 0-100 time, range, kerb mass, usable energy, the price of performance (km of
range given up per 0.1 s quicker 0-100, with how it was found), and the design's origin
(sampler, or refine: refinement of a front design, its choices or its gradients).
"""

import argparse
import csv
import os
import sys
from collections.abc import Sequence
from typing import cast

import numpy as np
import xarray as xr

from ._figures import FIGURES as STUDY_FIGURES
from ._open import ResultsError, open_results
from ._variables import VARIABLES

# the figures marked `shown` in the study's figure table, then the front analysis
FIGURES = (*(f.name for f in STUDY_FIGURES if f.shown), "range_per_tenth_s_km", "slope_method", "origin")


def _design_variables(ds: xr.Dataset) -> list[str]:
    """The design variables stored in the results, in declaration order."""
    return [k for k in VARIABLES if k in ds.data_vars]


def _header(ds: xr.Dataset, name: str) -> str:
    units = ds[name].attrs.get("units", "")
    return f"{name} [{units}]" if units and units != "1" else name


def front_rows(ds: xr.Dataset) -> tuple[list[str], list[list[object]]]:
    """(header, rows) of the Pareto designs, sorted by 0-100 within each job of a sweep."""
    swept = [d for d in ds["accel_0_100_s"].dims if d != "trial"]
    flat = ds.stack(job_index=swept) if swept else ds.expand_dims(job_index=[0])
    names = _design_variables(ds) + [k for k in FIGURES if k in ds]
    settings = swept if "job" not in swept else [c for c in ds["job"].coords]
    # dimension and coordinate names: strs
    header = cast(list[str], settings) + ["trial"] + [_header(ds, k) for k in names]
    rows = []
    for j in range(flat.sizes["job_index"]):
        one = flat.isel(job_index=j)
        on = np.flatnonzero(np.asarray(one["pareto"].values, bool))
        on = on[np.argsort(one["accel_0_100_s"].values[on], kind="stable")]
        for i in on:
            row = [one[s].values.item() for s in settings] + [int(one["trial"].values[i])]
            for k in names:
                v = one[k].values[i]
                row.append(v if isinstance(v, str) else (float(v) if np.isfinite(v) else ""))
            rows.append(row)
    return header, rows


def _text(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
    return str(v)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explore.inspect", description=cast(str, __doc__).splitlines()[0])
    parser.add_argument("path", help="a run directory, its results.nc, or a multirun directory")
    parser.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    parser.add_argument(
        "--trace", metavar="TRIAL", type=int, help="plot this Pareto design's traces (PNG in the run directory)"
    )
    parser.add_argument("--out", metavar="PNG", help="where to write the --trace figure")
    args = parser.parse_args(argv)
    try:
        ds = open_results(args.path)
    except ResultsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.trace is not None:
        if "pareto_trial" not in ds.dims or ds["accel_0_100_s"].ndim != 1:
            print("error: --trace needs one run directory (not a sweep) with traces in results.nc", file=sys.stderr)
            return 2
        if args.trace not in ds["pareto_trial"].values:
            print(
                f"error: --trace {args.trace} is not a Pareto design of this run; "
                "choose one of the trials in the table",
                file=sys.stderr,
            )
            return 2
        from ._plots import trace_figure

        folder = args.path if os.path.isdir(args.path) else os.path.dirname(args.path)
        out = args.out or os.path.join(folder, f"trace-{args.trace}.png")
        try:
            print(f"wrote {trace_figure(ds, args.trace, out)}")
        except OSError as e:
            print(f"error: cannot write the --trace figure {out} ({e.strerror or e}); give --out PATH", file=sys.stderr)
            return 2
        return 0
    if args.csv:
        try:  # before the table: an unwritable path ends the command with nothing half-done
            with open(args.csv, "a"):
                pass
        except OSError as e:
            print(f"error: cannot write --csv {args.csv} ({e.strerror}); choose another path", file=sys.stderr)
            return 2
    header, rows = front_rows(ds)
    widths = [max(len(h), *(len(_text(r[c])) for r in rows)) if rows else len(h) for c, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(_text(v).rjust(w) for v, w in zip(r, widths)))
    print(f"{len(rows)} Pareto designs")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
