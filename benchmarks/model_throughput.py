"""Throughput of the batched model: 0-100 km/h and WLTC range for many distinct designs.

    python benchmarks/model_throughput.py --json [--batch 10000] [--repeats 7]

Prints one JSON object: designs_per_s (median over repeats, after compilation),
compile_s, single_design_ms (one design through the same jitted entry), batch, device,
dtype and the per-repeat times.
"""

import argparse
import json
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

import objectives as ob


def random_designs(n, seed=0):
    """`n` distinct in-bound designs around a mid-size platform, mixed FWD/RWD/AWD and NMC/LFP, with
    tyres from 205/55 R17 to 285/35 R21 and label classes A to D; single-speed boxes."""
    rng = np.random.default_rng(seed)
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    layout = rng.integers(0, 3, n)  # 0 FWD, 1 RWD, 2 AWD
    n_front = np.where(layout != 1, 1.0, 0.0)
    n_rear = np.where(layout != 0, 1.0, 0.0)
    lfp = rng.random(n) < 0.3
    cells = ob.stack([ob.CELLS["lfp"] if x else ob.CELLS["nmc"] for x in lfp])

    def axle(count):
        power = u(80e3, 250e3)
        torque = u(200.0, 450.0)
        ratio = u(7.0, 11.0)
        motor = ob.SynchronousMotor(peak_torque=torque, peak_power=power, max_speed=u(1000.0, 1900.0))
        tyre = ob.Tyre(
            section_width=u(0.205, 0.285),
            aspect_ratio=u(0.35, 0.55),
            rim_diameter=u(0.43, 0.53),
            label_rrc=u(0.0059, 0.0098),
            friction=u(1.1, 1.2),
        )
        return ob.Axle(motor=motor, gearbox=ob.Gearbox(ratio_low=ratio), tyre=tyre, n_motors=count)

    body = ob.Body(glider_mass=u(1100.0, 1400.0), drag_coefficient=u(0.24, 0.32), frontal_area=u(2.2, 2.7))
    pack = ob.Pack(
        cell=cells,
        n_series=np.where(lfp, 108.0, 96.0),
        n_parallel=np.where(lfp, u(0.9, 1.4), u(2.5, 4.5)),
        mass_factor=np.where(lfp, ob.PACK_MASS_FACTOR["lfp"], ob.PACK_MASS_FACTOR["nmc"]),
        soc_min=np.full(n, 0.03),
        soc_max=np.full(n, 0.98),
    )
    tree = ob.Vehicle(body=body, front=axle(n_front), rear=axle(n_rear), pack=pack)
    # Every leaf gets the batch axis (fields left at their defaults are scalars).
    return jax.tree.map(lambda x: jnp.broadcast_to(x, (n,)) if np.ndim(x) == 0 else jnp.asarray(x), tree)


def block(out):
    return jax.block_until_ready(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    designs = random_designs(args.batch)
    t0 = time.perf_counter()
    block(ob.score(designs))
    compile_s = time.perf_counter() - t0

    times = []
    for seed in range(1, args.repeats + 1):
        fresh = random_designs(args.batch, seed)  # distinct designs each repeat, same shapes
        block(fresh)
        t0 = time.perf_counter()
        block(ob.score(fresh))
        times.append(time.perf_counter() - t0)

    one = jax.tree.map(lambda x: x[:1], designs)
    block(ob.score(one))
    single = []
    for _ in range(20):
        t0 = time.perf_counter()
        block(ob.score(one))
        single.append(time.perf_counter() - t0)

    median = statistics.median(times)
    result = {
        "designs_per_s": args.batch / median,
        "compile_s": compile_s,
        "single_design_ms": 1e3 * statistics.median(single),
        "batch": args.batch,
        "device": str(jax.devices()[0]),
        "platform": jax.default_backend(),
        "dtype": str(ob.score(one)["accel_0_100_s"].dtype),
        "batch_times_s": times,
        "jax_version": jax.__version__,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:18s} {v}")


if __name__ == "__main__":
    main()
