"""Predict published figures for every vehicle of a spec file (`python -m objectives predict`)."""

import dataclasses
import functools
import math
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, cast

import numpy as np
import yaml

from ._cache import Program
from ._evaluate import NO_100, NO_CYCLE, NO_ENERGY, describe_infeasible, score
from ._gearing import with_second_gear
from ._pytree import stack
from ._spec import SpecError, vehicle_from_spec
from ._units import MILE, j_per_m_to_wh_per_km, mps_to_kmh
from ._vehicle import Vehicle


class SpecFileError(ValueError):
    """The spec file as a whole cannot be read."""


def load_specs(path: str | os.PathLike[str]) -> list[Any]:
    """The list of vehicle mappings in a spec file (`vehicles:` list, or a bare list)."""
    try:
        with open(path) as f:
            data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml where built
    except OSError as e:
        raise SpecFileError(f"cannot read spec file {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise SpecFileError(
            f"spec file {path} is not a text (UTF-8 YAML) file: byte {e.start} is {e.object[e.start : e.start + 1]!r}"
        ) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SpecFileError(f"spec file {path} is not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    vehicles = data.get("vehicles") if isinstance(data, dict) else data
    if not isinstance(vehicles, list) or not vehicles:
        raise SpecFileError(f"spec file {path} must hold a non-empty list under `vehicles:`")
    return vehicles


def reference_specs() -> list[Any]:
    """The published reference vehicles shipped with the package (list of spec mappings).

    Source: objectives/data/reference_vehicles.yaml (sources per field inside)."""
    with resources.as_file(resources.files("objectives") / "data" / "reference_vehicles.yaml") as path:
        return load_specs(path)


def common_structure(vehicles: list[Vehicle]) -> list[Vehicle]:
    """`vehicles` with one tree structure: if any has a two-speed box, every single-speed box
    gets a second-gear slot equal to its first (`with_second_gear`)."""
    if all(a.gearbox.ratio_high is None for v in vehicles for a in v.axles()):
        return vehicles
    return [dataclasses.replace(v, front=with_second_gear(v.front), rear=with_second_gear(v.rear)) for v in vehicles]


def not_built(entry: Mapping[str, Any]) -> bool:
    """True for an entry with an error and no figures (its vehicle could not be built, or
    none of its figures means anything)."""
    return "error" in entry and not any(k in entry for k in _VOID_BY)


def _key(spec: object, i: int) -> str:
    vid = spec.get("id") if isinstance(spec, dict) else None
    return str(vid) if vid is not None else f"vehicles[{i}]"


def keys(specs: Sequence[Any]) -> list[str]:
    """The key of each vehicle of `specs` in `predict`'s results: its `id`, or
    `vehicles[i]` without one; a repeated id gets `<id> (vehicles[i])` (and an error)."""
    out: list[str] = []
    taken: set[str] = set()
    for i, spec in enumerate(specs):
        key = _key(spec, i)
        out.append(f"{key} (vehicles[{i}])" if key in taken else key)
        taken.add(out[-1])
    return out


# Figures a prediction reports, and when each is meaningful: finite and positive, and not
# made void by an infeasibility bit of the model (`describe_infeasible`).
_VOID_BY = {
    "accel_0_100_s": NO_100,
    "top_speed_kmh": 0,
    "wltp_wh_per_km": NO_CYCLE,
    "wltp_range_km": NO_CYCLE | NO_ENERGY,
    "udds_wh_per_km": NO_CYCLE,
    "hwfet_wh_per_km": NO_CYCLE,
    "epa_range_mi": NO_CYCLE | NO_ENERGY,
}


def predict(specs: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """Predicted figures keyed as `keys(specs)`. A vehicle that cannot be built gets
    {'error': ...}; one whose figures are impossible (a design that cannot reach 100 km/h or
    follow a cycle, a non-finite or non-positive figure) gets an `error` and keeps only the
    figures that mean something."""
    results: dict[str, dict[str, Any] | None] = {}
    built: list[tuple[str, Vehicle]] = []
    first: dict[str, int] = {}
    for i, (spec, key) in enumerate(zip(specs, keys(specs))):
        own = _key(spec, i)
        if own in first:
            why = f"id {own!r} is also the id of vehicles[{first[own]}]; give each vehicle its own id"
            results[key] = {"error": why}
            continue
        first[own] = i
        try:
            built.append((key, vehicle_from_spec(spec)))
            results[key] = None
        except SpecError as e:
            results[key] = {"error": str(e)}
    if built:
        scores = _scores(common_structure([v for _, v in built]))
        for j, (key, _) in enumerate(built):
            s = {k: float(v[j]) for k, v in scores.items()}
            figures = {
                "accel_0_100_s": s["accel_0_100_s"],
                "top_speed_kmh": mps_to_kmh(s["top_speed_mps"]),
                "wltp_wh_per_km": j_per_m_to_wh_per_km(s["wltc_consumption_j_per_m"]),
                "wltp_range_km": s["wltp_range_m"] / 1e3,
                "udds_wh_per_km": j_per_m_to_wh_per_km(s["udds_consumption_j_per_m"]),
                "hwfet_wh_per_km": j_per_m_to_wh_per_km(s["hwfet_consumption_j_per_m"]),
                "epa_range_mi": s["epa_range_m"] / MILE,
            }
            code = int(scores["infeasible"][j])
            entry: dict[str, Any] = {
                k: v for k, v in figures.items() if math.isfinite(v) and v > 0.0 and not code & _VOID_BY[k]
            }
            reasons = describe_infeasible(code)
            impossible = [k for k in figures if k not in entry and not code & _VOID_BY[k]]
            if impossible:
                reasons.append(f"no meaningful {', '.join(impossible)} (non-finite or not positive)")
            if reasons:
                entry["error"] = "; ".join(reasons)
            results[key] = entry
    return cast(dict[str, dict[str, Any]], results)  # every placeholder is filled


CHUNK = 1000  # vehicles per model call: bounded memory, one compiled program for a file of any length
_SCORE = Program(functools.partial(score, cycles=("wltc", "udds", "hwfet")), "predict")


def _scores(vehicles: list[Vehicle]) -> dict[str, np.ndarray]:
    """Model outputs for `vehicles` (one tree structure), in calls of at most `CHUNK`
    vehicles, the last padded with copies of its first so that every call has one shape."""
    size = min(CHUNK, len(vehicles))
    parts = []
    for start in range(0, len(vehicles), size):
        chunk = vehicles[start : start + size]
        out = _SCORE(stack(chunk + chunk[:1] * (size - len(chunk))))
        parts.append({k: np.asarray(v)[: len(chunk)] for k, v in out.items()})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


# (label, predicted key, published key, format)
_COLUMNS = (
    ("0-100 km/h [s]", "accel_0_100_s", "accel_0_100_kmh_s", "{:.2f}"),
    ("WLTP range [km]", "wltp_range_km", "wltp_range_km", "{:.0f}"),
    ("EPA range [mi]", "epa_range_mi", "epa_range_mi", "{:.0f}"),
    ("top speed [km/h]", "top_speed_kmh", "top_speed_kmh", "{:.0f}"),
)


def table(specs: Sequence[Any], results: Mapping[str, Mapping[str, Any]]) -> str:
    """Plain-text table: prediction, published figure and relative error per column."""
    lines = []
    header = f"{'vehicle':34s}" + "".join(f"{label:>28s}" for label, *_ in _COLUMNS)
    lines += [header, f"{'':34s}" + f"{'model  published  error':>28s}" * len(_COLUMNS), "-" * len(header)]
    errors: dict[str, list[float]] = {label: [] for label, *_ in _COLUMNS}
    for spec, key in zip(specs, keys(specs)):
        res = results.get(key, {})
        row = f"{key[:33]:34s}"
        if not_built(res):
            lines.append(row + f"  error: {res['error']}")
            continue
        for label, pk, sk, fmt in _COLUMNS:
            pred, pub = res.get(pk), spec.get(sk) if isinstance(spec, dict) else None
            if pred is None:
                cell = f"{'-':>7s} {fmt.format(pub) if isinstance(pub, (int, float)) else '-':>9s} {'':>7s}"
            elif isinstance(pub, (int, float)) and pub:
                err = pred / pub - 1.0
                errors[label].append(abs(err))
                cell = f"{fmt.format(pred):>7s} {fmt.format(pub):>9s} {100 * err:+6.1f}%"
            else:
                cell = f"{fmt.format(pred):>7s} {'-':>9s} {'':>7s}"
            row += f"{cell:>28s}"
        if "error" in res:
            row += f"  ({res['error']})"
        lines.append(row)
    lines.append("-" * len(header))
    summary = f"{'median |error|':34s}"
    for label, *_ in _COLUMNS:
        e = errors[label]
        summary += f"{(f'{100 * np.median(e):.1f}% of {len(e)}' if e else '-'):>28s}"
    lines.append(summary)
    return "\n".join(lines)
