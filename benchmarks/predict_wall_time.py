"""Wall time of `python -m objectives predict` on a file of many vehicles.

    python benchmarks/predict_wall_time.py --json [--vehicles 3000] [--repeats 3] [--cache cold|warm]

Writes a spec file of `--vehicles` cars, the shipped reference vehicles over and over with
their figures and fields but without their source texts, each with its own id, then runs
the predictor on it in fresh processes (imports included). `--cache cold` gives each run
an empty compilation cache (a first run on a machine); `--cache warm` shares one that an
untimed run has filled. Prints one JSON object: the file's size, the median and per-run
wall seconds, and how many vehicles came out with an error.
"""

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

import objectives as ob

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_TEXT = ("source", "sources", "notes", "note", "conflicts", "derived_fields")


def spec_file(path, n):
    """`n` vehicles cycling through the shipped reference vehicles, without source texts."""
    base = [
        {k: v for k, v in s.items() if not k.startswith(SOURCE_TEXT) and k not in SOURCE_TEXT}
        for s in ob.reference_specs()
    ]
    vehicles = []
    for i in range(n):
        car = copy.deepcopy(base[i % len(base)])
        car["id"] = f"{car['id']}_{i}"
        vehicles.append(car)
    with open(path, "w") as f:
        yaml.safe_dump({"vehicles": vehicles}, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--vehicles", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", choices=("cold", "warm"), default="warm")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "vehicles.yaml")
        spec_file(path, args.vehicles)

        def run(cache):
            env = {**os.environ, "EV_COMPILATION_CACHE": cache}
            env.pop("JAX_COMPILATION_CACHE_DIR", None)
            t0 = time.perf_counter()
            cmd = [sys.executable, "-m", "objectives", "predict", path, "--json"]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t0
            if proc.returncode not in (0, 2):
                sys.exit(f"predict failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1]}")
            results = json.loads(proc.stdout)
            return wall, sum("error" in r for r in results.values()), len(results)

        shared = os.path.join(work, "cache")
        if args.cache == "warm":
            run(shared)
        walls, errors, n = [], 0, 0
        for i in range(args.repeats):
            wall, errors, n = run(shared if args.cache == "warm" else os.path.join(work, f"cold-{i}"))
            walls.append(wall)
        result = {
            "vehicles": n,
            "file_mb": round(os.path.getsize(path) / 1e6, 2),
            "cache": args.cache,
            "median_s": round(statistics.median(walls), 2),
            "runs_s": [round(w, 2) for w in walls],
            "vehicles_with_error": errors,
        }
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
