"""From a finished study to results.nc: rescore its trials, mark the front, add references."""

from typing import Any

import numpy as np
import optuna
import xarray as xr

import objectives as ob

from ._config import Config, RangeCycle, redact
from ._designs import Designs
from ._front import front_slopes, front_traces
from ._results import Scored, add_front_analysis, build_dataset, package_versions, pareto_mask, write_atomic
from ._scoring import Scorer, feasible
from ._study import ORIGIN_ATTR, REFINED_FROM_ATTR
from ._vehicles import reference_vehicles


def _published_range_km(spec: dict[str, Any], cycle: RangeCycle) -> float:
    if cycle is RangeCycle.wltp:
        value = spec.get("wltp_range_km")
        return float(value) if value is not None else np.nan
    value = spec.get("epa_range_mi")
    return float(value) * ob.units.MILE / ob.units.KM if value is not None else np.nan


def reference_results(cfg: Config, scorer: Scorer) -> dict[str, Any]:
    """Figures of the platform's published variants evaluated on its body (dict)."""
    specs, vehicles = reference_vehicles(cfg.vehicle)
    out: dict[str, Any] = {"id": [s["id"] for s in specs], "name": [s.get("name", s["id"]) for s in specs]}
    out["published_accel_0_100_s"] = np.asarray([s.get("accel_0_100_kmh_s") or np.nan for s in specs], float)
    out["published_range_km"] = np.asarray([_published_range_km(s, cfg.objective.range) for s in specs], float)
    if vehicles:
        fig = scorer.reference_figures()
        out["accel_0_100_s"], out["range_km"] = fig["accel_0_100_s"], fig["range_km"]
        out["feasible"] = feasible(fig)
        out["reason"] = scorer.reasons(fig)
    else:
        out["accel_0_100_s"] = out["range_km"] = np.zeros(0)
        out["feasible"] = np.zeros(0, bool)
        out["reason"] = []
    return out


def study_results(study: optuna.Study, cfg: Config, scorer: Scorer) -> Scored:
    """Every completed trial of `study`, rescored with the model: its design, figures,
    feasibility, place on the front and origin (sampler or refinement)."""
    trials = sorted(
        study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)), key=lambda t: t.number
    )
    designs = Designs.from_params([t.params for t in trials], cfg.space)
    fig = scorer.figures(designs) if trials else {}
    ok = feasible(fig) if trials else np.zeros(0, bool)
    front = pareto_mask(fig["accel_0_100_s"], fig["range_km"], ok) if trials else np.zeros(0, bool)
    reasons = scorer.reasons(fig) if trials else []
    origin = np.asarray([t.user_attrs.get(ORIGIN_ATTR) or "sampler" for t in trials], dtype=object)
    start = np.asarray([t.user_attrs.get(REFINED_FROM_ATTR, -1) for t in trials], dtype=np.int64)
    return Scored(np.asarray([t.number for t in trials]), designs, fig, ok, front, reasons, origin, start)


def export(study: optuna.Study, cfg: Config, cfg_yaml: str, path: str) -> xr.Dataset:
    """Write results.nc for `study` at `path`; returns the Dataset."""
    scorer = Scorer(cfg)
    scored = study_results(study, cfg, scorer)
    refs = reference_results(cfg, scorer)
    attrs = {
        "title": f"EV design study {cfg.study.name}: 0-100 km/h time against range",
        "study_name": cfg.study.name,
        "storage": redact(cfg.study.storage) or "",
        "platform": cfg.vehicle.name,
        "space": cfg.space.name,
        "sampler": cfg.sampler.name.value,
        "seed": cfg.seed,
        "worker": cfg.worker,
        "objective_range": cfg.objective.range.value,
        "objective_rollout": int(cfg.objective.rollout),
        "n_trials_requested": cfg.study.n_trials,
        "config": cfg_yaml,
        **{f"version_{k}": v for k, v in package_versions().items()},
    }
    front, number = scored.pareto, scored.trial
    on = scored.designs.take(front)
    slope_front, method_front = front_slopes(cfg, on, {k: v[front] for k, v in scored.figures.items()})
    slope = np.full(len(number), np.nan)
    slope[front] = slope_front
    method = np.full(len(number), "", dtype=object)
    method[front] = method_front
    ds = build_dataset(scored, refs, attrs)
    ds = add_front_analysis(ds, slope, method, number[front], *front_traces(cfg, on))
    write_atomic(ds, path)
    return ds
