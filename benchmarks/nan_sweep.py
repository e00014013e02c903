"""Numerical safety: score many random in-bound designs and count non-finite figures.

    python benchmarks/nan_sweep.py --json [--designs 1000000] [--seed 0] [-- overrides]

Designs are drawn uniformly over the study's space (`python -m explore` with the given
overrides; counts and choices uniform, log-scaled variables log-uniform) and scored in
batches of 10,000 by the study's scorer. Prints one JSON object: designs, nan (designs with
a NaN in any model output or study figure), inf (likewise, an infinity), feasible,
infeasible, infeasible_by_reason (designs failing each check; one design may fail several),
seconds and designs_per_s.

Gradients: for the first `--jacobian-designs` designs (default 100,000) the model's
forward-mode derivative along two random directions over every float leaf of the vehicle
(motor, gearbox, tyre, pack, body) is computed; a NaN or infinity in any partial derivative
shows up in such a combination. jacobian_nan and jacobian_inf count designs with one.
"""

import argparse
import json
import time

import jax
import jax.numpy as jnp
import numpy as np

import objectives as ob
from explore import Designs, Scorer, build_vehicles, constraint_names, feasible, load_config

CHUNK = 10_000


def _tangents(objective, cycles):
    """jit(vehicles, key) -> the model outputs' derivatives along one random unit direction per
    float leaf (normal, scaled by the leaf's own size)."""

    def along(vehicles, key):
        leaves, tree = jax.tree.flatten(vehicles)
        keys = jax.random.split(key, len(leaves))
        dirs = [jax.random.normal(k, jnp.shape(x)) * (jnp.abs(x) + 1e-3) for k, x in zip(keys, leaves)]
        _, out = jax.jvp(
            lambda *xs: ob.score(jax.tree.unflatten(tree, xs), cycles=cycles, rollout=objective.rollout),
            tuple(leaves),
            tuple(dirs),
        )
        return {k: v for k, v in out.items() if k != "infeasible"}

    return jax.jit(along)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--designs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jacobian-designs", type=int, default=100_000)
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of the study config")
    args = parser.parse_args()

    _, cfg = load_config([*args.overrides, f"study.batch_size={CHUNK}"])
    scorer = Scorer(cfg)
    rng = np.random.default_rng(args.seed)
    counts = {"nan": 0, "inf": 0, "feasible": 0, "jacobian_designs": 0, "jacobian_nan": 0, "jacobian_inf": 0}
    tangents = _tangents(cfg.objective, scorer.cycles)
    reasons = {}
    started = time.perf_counter()
    for start in range(0, args.designs, CHUNK):
        n = min(CHUNK, args.designs - start)
        designs = Designs.random(cfg.space, n, rng)
        raw = scorer.model_figures(build_vehicles(designs, cfg.vehicle), n)
        fig = scorer.derive(raw)
        values = np.column_stack([np.asarray(v, float) for v in (*raw.values(), *fig.values())])
        counts["nan"] += int(np.isnan(values).any(axis=1).sum())
        counts["inf"] += int(np.isinf(values).any(axis=1).sum())
        counts["feasible"] += int(feasible(fig).sum())
        for bit, text in ob.REASONS.items():
            reasons[text] = reasons.get(text, 0) + int(((raw["infeasible"] & bit) != 0).sum())
        for name in constraint_names(fig):
            if name != "constraint_drivable":
                reasons[name] = reasons.get(name, 0) + int((fig[name] > 0.0).sum())
        if start < args.jacobian_designs:
            vehicles = build_vehicles(designs, cfg.vehicle)
            for k in range(2):
                d = np.column_stack(
                    [np.asarray(v, float) for v in tangents(vehicles, jax.random.PRNGKey(start + k)).values()]
                )
                counts["jacobian_nan"] += int(np.isnan(d).any(axis=1).sum())
                counts["jacobian_inf"] += int(np.isinf(d).any(axis=1).sum())
            counts["jacobian_designs"] += n
    seconds = time.perf_counter() - started
    result = {
        "designs": args.designs,
        **counts,
        "infeasible": args.designs - counts["feasible"],
        "infeasible_by_reason": reasons,
        "seconds": seconds,
        "designs_per_s": args.designs / seconds,
        "overrides": args.overrides,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:22s} {v}")


if __name__ == "__main__":
    main()
