"""The range cost of performance on published variant pairs (`python -m objectives pairs`).

A pair file has the schema of the reference vehicles plus `pair` (the key shared by the
cars of one model or platform) and `role` (base | mid | performance). For each car that
is not its pair's base, the published and the modelled change from the base are compared:
0-100 km/h (s) and WLTP range (%). The change, not each car's figure, is the product's
answer ("what does performance cost in range").
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._predict import predict

ROLES = ("base", "mid", "performance")
SIGN_THRESHOLD = 0.02  # a published loss larger than this must come out as a loss


def _change(new: Any, old: Any) -> float | None:
    ok = all(isinstance(x, (int, float)) and math.isfinite(x) for x in (new, old)) and old
    return new / old - 1.0 if ok else None


def pair_changes(
    specs: Sequence[Any], results: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, int | float | None]]:
    """{pair key: {"base": id, "cars": {id: row}}} for every pair of `specs`, and a summary.

    Each row holds role, published and modelled 0-100 (s) and WLTP range (km), the
    published and modelled changes from the base (0-100 in s, range as a fraction), and
    `error_pp`, modelled minus published range change in percentage points. A car that
    cannot be built carries its `error`. `results` are `predict(specs)`'s, when known.
    """
    results = predict(specs) if results is None else results
    keys = list(results)
    pairs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for spec, key in zip(specs, keys):
        if not isinstance(spec, dict) or spec.get("pair") is None:
            continue
        pairs.setdefault(str(spec["pair"]), []).append((key, spec))
    out: dict[str, dict[str, Any]] = {}
    for name, members in pairs.items():
        bases = [(k, s) for k, s in members if s.get("role") == "base"]
        if len(bases) != 1:
            out[name] = {"error": f"pair {name!r} needs exactly one car with `role: base`, got {len(bases)}"}
            continue
        base_key, base = bases[0]
        rb = results[base_key]
        cars: dict[str, dict[str, Any]] = {}
        for key, spec in members:
            if key == base_key:
                continue
            r = results[key]
            row: dict[str, Any] = {"role": spec.get("role")}
            if not _comparable(r) or not _comparable(rb):
                row["error"] = r.get("error") if not _comparable(r) else f"base {base_key}: {rb.get('error')}"
                cars[key] = row
                continue
            row.update(
                {
                    "published_0_100_s": spec.get("accel_0_100_kmh_s"),
                    "model_0_100_s": r["accel_0_100_s"],
                    "published_wltp_km": spec.get("wltp_range_km"),
                    "model_wltp_km": r["wltp_range_km"],
                }
            )
            pub_t, mod_t = spec.get("accel_0_100_kmh_s"), r["accel_0_100_s"]
            base_t = base.get("accel_0_100_kmh_s")
            row["published_0_100_change_s"] = pub_t - base_t if pub_t is not None and base_t is not None else None
            row["model_0_100_change_s"] = mod_t - rb["accel_0_100_s"]
            pub = _change(spec.get("wltp_range_km"), base.get("wltp_range_km"))
            mod = _change(r["wltp_range_km"], rb["wltp_range_km"])
            row["published_wltp_change"] = pub
            row["model_wltp_change"] = mod
            row["error_pp"] = 100.0 * (mod - pub) if pub is not None and mod is not None else None
            if "error" in r:
                row["warning"] = r["error"]
            cars[key] = row
        out[name] = {"base": base_key, "cars": cars}
    return out, summary(out)


def _comparable(entry: Mapping[str, Any]) -> bool:
    """True when a prediction has the two figures a pair compares."""
    return "accel_0_100_s" in entry and "wltp_range_km" in entry


def summary(pairs: Mapping[str, Mapping[str, Any]]) -> dict[str, int | float | None]:
    """Median and largest |error| (pp) of the modelled WLTP change, and sign agreement where
    the published loss exceeds `SIGN_THRESHOLD`."""
    rows = [row for p in pairs.values() for row in p.get("cars", {}).values()]
    errors = [abs(r["error_pp"]) for r in rows if r.get("error_pp") is not None]
    signed = [
        r
        for r in rows
        if r.get("published_wltp_change") is not None
        and r.get("model_wltp_change") is not None
        and r["published_wltp_change"] < -SIGN_THRESHOLD
    ]
    return {
        "compared": len(errors),
        "median_abs_error_pp": float(np.median(errors)) if errors else None,
        "max_abs_error_pp": float(max(errors)) if errors else None,
        "sign_checked": len(signed),
        "sign_right": sum(r["model_wltp_change"] < 0.0 for r in signed),
        "not_predicted": sum("error" in r for r in rows) + sum("error" in p for p in pairs.values()),
    }


def _pct(x: float | None) -> str:
    return f"{100 * x:+6.1f}%" if x is not None else f"{'-':>7s}"


def _num(x: float | None, fmt: str) -> str:
    return fmt.format(x) if x is not None else "-"


def table(pairs: Mapping[str, Mapping[str, Any]], stats: Mapping[str, int | float | None]) -> str:
    """Plain-text table of `pair_changes`."""
    head = (
        f"{'pair / variant':46s}{'0-100 s: base->car':>20s}{'model':>14s}"
        f"{'WLTP km: base->car':>20s}{'model':>12s}{'dWLTP pub':>11s}{'model':>9s}{'error':>9s}"
    )
    lines = [head, "-" * len(head)]
    for name, p in pairs.items():
        if "error" in p:
            lines.append(f"{name[:45]:46s}error: {p['error']}")
            continue
        for key, r in p["cars"].items():
            label = f"{name[:28]} / {key}"[:45]
            if "error" in r:
                lines.append(f"{label:46s}error: {r['error']}")
                continue
            pub_t = f"{_num(r['published_0_100_change_s'], '{:+.2f}')} to {_num(r['published_0_100_s'], '{:.2f}')}"
            mod_t = f"{r['model_0_100_change_s']:+.2f} to {r['model_0_100_s']:.2f}"
            pub_r = f"{_num(r['published_wltp_km'], '{:.0f}')}"
            err = f"{r['error_pp']:+6.1f}pp" if r.get("error_pp") is not None else f"{'-':>8s}"
            lines.append(
                f"{label:46s}{pub_t:>20s}{mod_t:>14s}{pub_r:>20s}{r['model_wltp_km']:>12.0f}"
                f"{_pct(r['published_wltp_change']):>11s}{_pct(r['model_wltp_change']):>9s}{err:>9s}"
            )
    lines.append("-" * len(head))
    if stats["compared"]:
        lines.append(
            f"WLTP range change, model - published: median |error| {stats['median_abs_error_pp']:.1f} pp, "
            f"largest {stats['max_abs_error_pp']:.1f} pp, over {stats['compared']} cars; sign right on "
            f"{stats['sign_right']} of {stats['sign_checked']} with a published loss over "
            f"{100 * SIGN_THRESHOLD:.0f} %"
        )
    if stats["not_predicted"]:
        lines.append(f"{stats['not_predicted']} car(s) or pair(s) could not be predicted (see the error lines)")
    return "\n".join(lines)
