"""The batched entry `score` agrees with `score_one` design by design, and dtypes behave."""

import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import numpy as np
import pytest
from model_helpers import RPM, driven_axle, make_vehicle, nmc_pack, replace

import objectives as ob

CYCLES = ("wltc", "udds", "hwfet")
ROOT = Path(__file__).resolve().parents[1]


def _designs():
    fwd = make_vehicle("FWD")
    rwd = make_vehicle("RWD", glider_mass=1500.0, axle=driven_axle(peak_torque=420.0, peak_power=210e3, ratio=10.0))
    awd = make_vehicle("AWD", glider_mass=1250.0, pack=nmc_pack(n_series=108.0, n_parallel=4.0))
    lfp_pack = ob.Pack(cell=ob.CELLS["lfp"], n_series=110.0, n_parallel=1.0, mass_factor=ob.PACK_MASS_FACTOR["lfp"])
    lfp = make_vehicle("FWD", glider_mass=1200.0, pack=lfp_pack)
    two_speed = replace(
        awd,
        **{
            "rear.gearbox": ob.Gearbox(ratio_low=15.0, ratio_high=8.0),
            "rear.motor.max_speed": 16000.0 * RPM,
            "front.tyre": ob.tyre("255/40 R21", "D", "uhp"),
            "rear.tyre": ob.tyre("275/35 R21", "D", "uhp"),
            "front.motor.idle_iron_frac": 0.0,
        },
    )
    boosted = replace(rwd, **{"rear.motor.boost_power_frac": 1.2, "rear.gearbox.disconnect": 1.0})
    weak = replace(fwd, **{"front.motor.peak_power": 15e3, "front.motor.peak_torque": 80.0})
    # one tree structure for the batch: every box gets a second-gear slot
    return ob.common_structure([fwd, rwd, awd, lfp, two_speed, boosted, weak])


@functools.cache
def _score_one_jit():
    return jax.jit(functools.partial(ob.score_one, cycles=CYCLES))


def test_stack_unstack_round_trip():
    designs = _designs()
    back = ob.unstack(ob.stack(designs))
    assert len(back) == len(designs)
    for a, b in zip(designs, back):
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.slow
def test_batched_score_equals_one_by_one():
    designs = _designs()
    batch = ob.score(ob.stack(designs), cycles=CYCLES)
    expected_keys = {
        "accel_0_100_s",
        "top_speed_mps",
        "sustained_speed_mps",
        "usable_energy_j",
        "kerb_mass_kg",
        "infeasible",
        "wltc_consumption_j_per_m",
        "udds_consumption_j_per_m",
        "hwfet_consumption_j_per_m",
        "wltp_range_m",
        "epa_range_m",
        "gross_energy_j",
        "pack_mass_kg",
        "pack_max_voltage_v",
        "pack_min_voltage_v",
        "peak_dc_power_w",
        "peak_cell_current_a",
        "cell_max_current_a",
    }
    assert set(batch) == expected_keys
    for k, x in batch.items():
        assert np.shape(x) == (len(designs),), k
    one = _score_one_jit()
    for i, design in enumerate(designs):
        single = one(design)
        for k in expected_keys:
            if k == "infeasible":
                assert int(single[k]) == int(np.asarray(batch[k])[i])
            else:
                np.testing.assert_allclose(np.asarray(batch[k])[i], np.asarray(single[k]), rtol=1e-9, err_msg=k)
    # The designs really are distinct (a vmap that broadcast one design would pass the above
    # only if the rows were equal).
    assert len(set(np.round(np.asarray(batch["accel_0_100_s"]), 6))) == len(designs)
    assert int(np.asarray(batch["infeasible"])[-1]) & 2  # the weak one cannot follow the cycles
    assert np.all(np.asarray(batch["infeasible"])[:-1] == 0)


@pytest.mark.slow
def test_epa_label_range_is_the_documented_combination():
    """EPA two-cycle label: 55 % city / 45 % highway by consumption, times 0.7."""
    out = ob.score(ob.stack(_designs()), cycles=CYCLES)
    c = 0.55 * np.asarray(out["udds_consumption_j_per_m"]) + 0.45 * np.asarray(out["hwfet_consumption_j_per_m"])
    np.testing.assert_allclose(np.asarray(out["epa_range_m"]), 0.7 * np.asarray(out["usable_energy_j"]) / c, rtol=1e-12)
    np.testing.assert_allclose(
        np.asarray(out["wltp_range_m"]),
        np.asarray(out["usable_energy_j"]) / np.asarray(out["wltc_consumption_j_per_m"]),
        rtol=1e-12,
    )


_FLOAT32_SCRIPT = textwrap.dedent(
    """
    import json
    import jax
    import objectives as ob

    rpm = 2.0 * 3.141592653589793 / 60.0
    undriven = ob.Axle(
        motor=ob.SynchronousMotor(peak_torque=1.0, peak_power=1.0, max_speed=1.0),
        gearbox=ob.Gearbox(ratio_low=1.0), n_motors=0.0)
    driven = ob.Axle(
        motor=ob.SynchronousMotor(peak_torque=300.0, peak_power=150e3, max_speed=16000.0 * rpm),
        gearbox=ob.Gearbox(ratio_low=9.0), n_motors=1.0)
    pack = ob.Pack(cell=ob.CELLS["nmc"], n_series=96.0, n_parallel=2.0, mass_factor=ob.PACK_MASS_FACTOR["nmc"])
    body = ob.Body(glider_mass=1350.0, drag_coefficient=0.28, frontal_area=2.3)
    v = ob.Vehicle(body=body, front=driven, rear=undriven, pack=pack)
    out = ob.score(ob.stack([v, v]), cycles=("wltc", "udds", "hwfet"))
    print(json.dumps({
        "x64": bool(jax.config.jax_enable_x64),
        "dtypes": {k: str(x.dtype) for k, x in out.items()},
        "values": {k: [float(y) for y in x] for k, x in out.items()},
    }))
    """
)


@pytest.mark.slow
def test_float32_by_default_in_a_fresh_process(fwd_vehicle):
    """Without x64 (JAX's default) the outputs are float32, finite and close to float64."""
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    env["JAX_PLATFORMS"] = "cpu"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", _FLOAT32_SCRIPT], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["x64"] is False
    for k, dtype in result["dtypes"].items():
        assert dtype == ("int32" if k == "infeasible" else "float32"), k
    ref = ob.score(ob.stack([fwd_vehicle, fwd_vehicle]), cycles=CYCLES)
    for k, values in result["values"].items():
        assert np.all(np.isfinite(values)), k
        np.testing.assert_allclose(values, np.asarray(ref[k], dtype=np.float64), rtol=2e-3, err_msg=k)


def test_pack_figures_close_the_power_balance():
    """The cell current at peak power delivers exactly the peak DC power at the terminals,
    and that power is the motors' shaft power plus losses through the inverter, plus aux."""
    for design in _designs():
        fig = {k: float(v) for k, v in ob.pack_figures(design).items()}
        pack = design.pack
        soc = max(0.2, float(pack.soc_min))
        ocv = float(pack.ocv(soc))
        current = fig["peak_cell_current_a"] * float(pack.n_parallel)
        terminal = ocv * current - float(pack.resistance()) * current**2
        np.testing.assert_allclose(terminal, fig["peak_dc_power_w"], rtol=1e-9)
        expected = float(design.aux_power)
        v_bus = float(design.bus_voltage())
        for axle in (design.front, design.rear):
            m = axle.motor
            w = float(m.boost_power_frac) * float(m.peak_power) / float(m.peak_torque)  # the launch-power point
            shaft = float(m.boost_power_frac) * float(m.peak_power)
            loss = float(m.loss(m.peak_torque, w)) + float(m.inverter_loss(m.peak_torque, v_bus))
            expected += float(axle.n_motors) * (shaft + loss)
        np.testing.assert_allclose(fig["peak_dc_power_w"], expected, rtol=1e-9)
        np.testing.assert_allclose(
            fig["pack_max_voltage_v"], float(pack.n_series * pack.cell.ocv_at(pack.soc_max)), rtol=1e-12
        )
