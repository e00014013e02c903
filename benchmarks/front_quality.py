"""How close each search gets to the model's true front, at one budget of model evaluations.

    python benchmarks/front_quality.py --json [--budget 10000] [--seeds 0 1 2]
        [--methods default nsga2 tpe random] [--reference-designs 1000000]

The problem is the default study (`python -m explore`: Ariya platform, powertrain space,
WLTP range, default constraints). Methods, each given `--budget` model evaluations per
seed (one design's values and gradients count as 3, see `explore._refine`):

- default: the project's pipeline as configured in conf/ (NSGA-II, then gradient
  refinement), its sampled designs and refinement budget scaled to `--budget` in the
  default proportions (8,000 + 2,000 at 10,000);
- nsga2, tpe, random: Optuna's sampler alone (`refine.enabled=false`), `--budget` trials.

Reference front: `--reference-designs` designs drawn uniformly over the space (counts
and choices uniform, log-scaled variables log-uniform) and scored in batches; the feasible
designs of the first non-dominated layers (at least `--reference-starts` of them) are
refined by `explore._refine.refine` with the budget of `--reference-steps` gradient steps
each (which it shares among one-choice neighbours, a spread of starts and the front's
widest gaps); the reference is the non-dominated union of those and every method's final
front, so no ratio exceeds 1.

Hypervolume (moocore) of the feasible front in (0-100 time, minimised; range,
maximised) against the fixed reference point REFERENCE_POINT: 12 s (slower than any
variant worth building on this platform; the front is flat beyond it) and 450 km
(below the range of the quickest designs, so the whole front counts). hv_ratio is a
method's hypervolume over the reference front's, median over seeds.

Gaps, in the units a user reads (`front_gaps`), against the non-dominated union of the
reference and every front: at each 0-100 time of that union front a method reaches, how much
less range its best design no slower has (largest and median, km); how much slower its
quickest design is (s); how much less range its longest-range design has (km). The
hypervolume ratio dilutes a gap on the front (most of the area up to the reference point is
a rectangle every method gets); the gaps do not.

Prints one JSON object: budget, hv_ratio (median per method), hv_ratio_per_seed, gaps
(per method: per seed, and the worst over seeds),
seconds (median wall per method, in this process, after a warm-up that compiles the
model), evaluations (per method, first seed), reference (designs, front size, hypervolume,
seconds) and the reference point.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings

import moocore
import numpy as np
import optuna

from explore import (
    REFINE_EVALUATIONS_ATTR,
    Designs,
    Scorer,
    cost_per_start,
    feasible,
    front_trials,
    pareto_mask,
    refine,
    run_study,
)
from explore import hypervolume as _hypervolume
from explore import load_config as compose_config

REFERENCE_POINT = (12.0, 450.0)  # (0-100 km/h time in s, range in km)
METHODS = {
    "default": [],
    "nsga2": ["sampler=nsga2", "refine.enabled=false"],
    "tpe": ["sampler=tpe", "refine.enabled=false"],
    "random": ["sampler=random", "refine.enabled=false"],
}


def hypervolume(accel_s, range_km):
    return _hypervolume(accel_s, range_km, REFERENCE_POINT)


def front_gaps(accel, range_km, ref_accel, ref_range):
    """Gaps of a front (accel s, range km) to a reference front that dominates it (see the
    module docstring): dict of largest_range_gap_km, median_range_gap_km (over the reference
    points at or above the front's quickest time), quick_end_short_s, long_end_short_km."""
    if not len(accel):
        return dict.fromkeys(
            ("largest_range_gap_km", "median_range_gap_km", "quick_end_short_s", "long_end_short_km"), float("nan")
        )
    order = np.argsort(accel)
    a, best = accel[order], np.maximum.accumulate(range_km[order])  # best range no slower than a
    reached = ref_accel >= a[0]
    gap = np.maximum(ref_range[reached] - best[np.searchsorted(a, ref_accel[reached], side="right") - 1], 0.0)
    return {
        "largest_range_gap_km": float(gap.max()) if gap.size else float("nan"),
        "median_range_gap_km": float(np.median(gap)) if gap.size else float("nan"),
        "quick_end_short_s": float(max(a[0] - ref_accel.min(), 0.0)),
        "long_end_short_km": float(max(ref_range.max() - range_km.max(), 0.0)),
    }


def run_method(name, budget, seed):
    """(front accel, front range, front designs, evaluations, wall s) of one method."""
    overrides = [*METHODS[name], f"seed={seed}", "study.progress=false"]
    _, cfg = compose_config(overrides)
    if cfg.refine.enabled:
        total = cfg.study.n_trials + cfg.refine.evaluations
        cfg.refine.evaluations = round(budget * cfg.refine.evaluations / total)
        cfg.study.n_trials = budget - cfg.refine.evaluations
    else:
        cfg.study.n_trials = budget
    with tempfile.TemporaryDirectory() as run_dir, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        study = run_study(cfg, run_dir, progress=False)
        wall = time.perf_counter() - started
    front = front_trials(study)
    used = cfg.study.n_trials + sum(v for k, v in study.user_attrs.items() if k.startswith(REFINE_EVALUATIONS_ATTR))
    designs = Designs.from_params([t.params for t in front], cfg.space)
    return np.asarray([t.values[0] for t in front]), np.asarray([t.values[1] for t in front]), designs, used, wall


def reference_front(n_designs, n_starts, steps, seed=12345):
    """Dense random search, then refinement of its leading layers.
    Returns (accel s, range km, seconds)."""
    started = time.perf_counter()
    _, cfg = compose_config(["study.batch_size=2000"])
    scorer = Scorer(cfg)
    rng = np.random.default_rng(seed)
    kept = []
    for start in range(0, n_designs, 100_000):
        designs = Designs.random(cfg.space, min(100_000, n_designs - start), rng)
        fig = scorer.figures(designs)
        ok = feasible(fig)
        kept.append((designs.take(ok), fig["accel_0_100_s"][ok], fig["range_km"][ok]))
    designs = Designs.concatenate([d for d, _, _ in kept])
    accel = np.concatenate([a for _, a, _ in kept])
    range_km = np.concatenate([r for _, _, r in kept])
    rank = moocore.pareto_rank(np.column_stack([accel, range_km]), maximise=[False, True])
    layers = np.sort(np.unique(rank))
    depth = layers[min(len(layers) - 1, np.searchsorted(np.cumsum(np.bincount(rank)[layers]), n_starts))]
    near = np.flatnonzero(rank <= depth)
    _, cfg = compose_config(["study.batch_size=200"])
    budget = len(near) * cost_per_start(steps, 2)
    _, fig_new, _, _ = refine(cfg, designs.take(near), accel[near], range_km[near], budget, steps)
    all_accel = np.concatenate([accel, fig_new.get("accel_0_100_s", np.zeros(0))])
    all_range = np.concatenate([range_km, fig_new.get("range_km", np.zeros(0))])
    front = pareto_mask(all_accel, all_range, np.ones(len(all_accel), bool))
    return all_accel[front], all_range[front], time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--budget", type=int, default=10_000, help="model evaluations per method and seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--reference-designs", type=int, default=1_000_000)
    parser.add_argument("--reference-starts", type=int, default=1000)
    parser.add_argument("--reference-steps", type=int, default=30)
    parser.add_argument(
        "--reference-cache", metavar="NPZ", help="reuse the reference front saved in this file (written if missing)"
    )
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    if args.reference_cache and os.path.exists(args.reference_cache):
        with np.load(args.reference_cache) as saved:
            ref_accel, ref_range, ref_seconds = saved["accel_0_100_s"], saved["range_km"], float(saved["seconds"])
    else:
        ref_accel, ref_range, ref_seconds = reference_front(
            args.reference_designs, args.reference_starts, args.reference_steps
        )
        if args.reference_cache:
            np.savez(args.reference_cache, accel_0_100_s=ref_accel, range_km=ref_range, seconds=ref_seconds)
    run_method("random", 400, 0)  # compiles the model and its gradients once, outside the timings
    fronts, seconds, evaluations = {}, {}, {}
    for name in args.methods:
        for seed in args.seeds:
            accel, range_km, _, used, wall = run_method(name, args.budget, seed)
            fronts[name, seed] = (accel, range_km)
            seconds.setdefault(name, []).append(wall)
            evaluations.setdefault(name, used)
            print(f"{name} seed {seed}: {len(accel)} front designs, {used} evaluations, {wall:.1f} s", file=sys.stderr)
    union_accel = np.concatenate([ref_accel] + [a for a, _ in fronts.values()])
    union_range = np.concatenate([ref_range] + [r for _, r in fronts.values()])
    best = hypervolume(union_accel, union_range)
    per_seed = {name: [hypervolume(*fronts[name, s]) / best for s in args.seeds] for name in args.methods}
    on = pareto_mask(union_accel, union_range, np.ones(len(union_accel), bool))
    gaps = {}
    for name in args.methods:
        seeds = {s: front_gaps(*fronts[name, s], union_accel[on], union_range[on]) for s in args.seeds}
        gaps[name] = {
            "per_seed": seeds,
            "worst": {k: max(g[k] for g in seeds.values()) for k in next(iter(seeds.values()))},
        }
    result = {
        "budget": args.budget,
        "hv_ratio": {name: statistics.median(v) for name, v in per_seed.items()},
        "hv_ratio_per_seed": per_seed,
        "gaps": gaps,
        "seconds": {name: statistics.median(v) for name, v in seconds.items()},
        "evaluations": evaluations,
        "seeds": args.seeds,
        "reference": {
            "designs": args.reference_designs,
            "front_size": int(len(ref_accel)),
            "hypervolume_s_km": best,
            "hv_ratio_dense_search_and_refinement": hypervolume(ref_accel, ref_range) / best,
            "seconds": ref_seconds,
        },
        "reference_point": {"accel_0_100_s": REFERENCE_POINT[0], "range_km": REFERENCE_POINT[1]},
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:12s} {v}")


if __name__ == "__main__":
    main()
