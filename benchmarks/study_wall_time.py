"""Wall time of the default study from a cold start, and what its front shows.

    python benchmarks/study_wall_time.py --json [--repeats 3] [--cache cold|warm] [-- extra overrides]

Runs `python -m explore` (defaults plus any overrides) in fresh processes, each with its
own temporary run directory, so every run pays imports. With `--cache cold` (the default)
each run gets an empty compilation cache (EV_COMPILATION_CACHE), so it pays JAX
compilation too: a first run on a new machine. With `--cache warm` the runs share one
cache that an untimed run has filled first: what every later run costs. Prints one
JSON object: median and per-run wall seconds, designs evaluated, feasible designs, front
size and 0-100 span of the front, and for every reference design of the platform whether
a front design dominates it (or equals it).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dominated_or_on(ds):
    on = ds["pareto"].values
    fa, fr = ds["accel_0_100_s"].values[on], ds["range_km"].values[on]
    out = {}
    for j, ref in enumerate(ds["reference"].values):
        a, r = float(ds["reference_accel_0_100_s"].values[j]), float(ds["reference_range_km"].values[j])
        out[str(ref)] = bool(np.any((fa <= a) & (fr >= r)))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--cache",
        choices=("cold", "warm"),
        default="cold",
        help="an empty compilation cache per run (cold) or one filled by an untimed run (warm)",
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_args()

    def run(tmp, cache):
        cmd = [sys.executable, "-m", "explore", *args.overrides, f"hydra.run.dir={tmp}", "study.progress=false"]
        env = {**os.environ, "EV_COMPILATION_CACHE": cache}
        env.pop("JAX_COMPILATION_CACHE_DIR", None)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.exit(f"explore failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1]}")
        return time.perf_counter() - t0

    walls, last = [], None
    with tempfile.TemporaryDirectory() as shared:
        if args.cache == "warm":
            with tempfile.TemporaryDirectory() as tmp:
                run(tmp, shared)
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as fresh:
                walls.append(run(tmp, shared if args.cache == "warm" else fresh))
                with xr.open_dataset(os.path.join(tmp, "results.nc")) as ds:
                    front = ds["accel_0_100_s"].values[ds["pareto"].values]
                    last = {
                        "designs": int(ds.sizes["trial"]),
                        "feasible": int(ds["feasible"].values.sum()),
                        "front_size": int(front.size),
                        "front_accel_0_100_s": [float(front.min()), float(front.max())] if front.size else None,
                        "reference_dominated_or_on_front": dominated_or_on(ds),
                    }
    result = {
        "wall_s_median": statistics.median(walls),
        "wall_s": walls,
        "cache": args.cache,
        "overrides": args.overrides,
        "cpu_count": os.cpu_count(),
        **last,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:32s} {v}")


if __name__ == "__main__":
    main()
