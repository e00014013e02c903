"""From a finished study to results.nc: rescore its trials, mark the front, add references."""

import numpy as np
import optuna

import objectives as ob

from ._columns import columns
from ._config import RangeCycle, redact
from ._front import front_slopes, front_traces
from ._results import add_front_analysis, build_dataset, package_versions, pareto_mask, write_atomic
from ._scoring import Scorer, feasible
from ._study import ORIGIN_ATTR, REFINED_FROM_ATTR
from ._vehicles import reference_vehicles


def _published_range_km(spec, cycle):
    if cycle is RangeCycle.wltp:
        value = spec.get("wltp_range_km")
        return float(value) if value is not None else np.nan
    value = spec.get("epa_range_mi")
    return float(value) * ob.units.MILE / ob.units.KM if value is not None else np.nan


def reference_results(cfg, scorer):
    """Figures of the platform's published variants evaluated on its body (dict)."""
    specs, vehicles = reference_vehicles(cfg.vehicle)
    out = {"id": [s["id"] for s in specs], "name": [s.get("name", s["id"]) for s in specs]}
    out["published_accel_0_100_s"] = np.asarray([s.get("accel_0_100_kmh_s") or np.nan for s in specs], float)
    out["published_range_km"] = np.asarray([_published_range_km(s, cfg.objective.range) for s in specs], float)
    if vehicles:
        fig = scorer.reference_figures()
        out["accel_0_100_s"], out["range_km"] = fig["accel_0_100_s"], fig["range_km"]
        out["feasible"] = feasible(fig)
    else:
        out["accel_0_100_s"] = out["range_km"] = np.zeros(0)
        out["feasible"] = np.zeros(0, bool)
    return out


def study_results(study, cfg):
    """(trial numbers, design columns, figures, feasible, pareto, reasons, scorer) of every
    completed trial of `study`, rescored with the model."""
    scorer = Scorer(cfg)
    trials = sorted(
        study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)), key=lambda t: t.number
    )
    cols = columns([t.params for t in trials], cfg.space)
    fig = scorer.figures(cols) if trials else {}
    ok = feasible(fig) if trials else np.zeros(0, bool)
    front = pareto_mask(fig["accel_0_100_s"], fig["range_km"], ok) if trials else np.zeros(0, bool)
    reasons = scorer.reasons(fig) if trials else []
    return np.asarray([t.number for t in trials]), cols, fig, ok, front, reasons, scorer


def origins(study, number):
    """Where each trial of `number` came from: (origin 'sampler' or 'refine', trial number
    of a refined design's starting point or -1)."""
    attrs = {t.number: t.user_attrs for t in study.get_trials(deepcopy=False)}
    origin = np.asarray([attrs[i].get(ORIGIN_ATTR) or "sampler" for i in number], dtype=object)
    start = np.asarray([attrs[i].get(REFINED_FROM_ATTR, -1) for i in number], dtype=np.int64)
    return origin, start


def export(study, cfg, cfg_yaml, path):
    """Write results.nc for `study` at `path`; returns the Dataset."""
    number, cols, fig, ok, front, reasons, scorer = study_results(study, cfg)
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
    on = {k: np.asarray(v)[front] for k, v in cols.items()}
    slope_front, method_front = front_slopes(cfg, on, {k: v[front] for k, v in fig.items()})
    slope = np.full(len(number), np.nan)
    slope[front] = slope_front
    method = np.full(len(number), "", dtype=object)
    method[front] = method_front
    ds = build_dataset(number, cols, fig, reasons, ok, front, cfg.space, refs, attrs, origins(study, number))
    ds = add_front_analysis(ds, slope, method, number[front], *front_traces(cfg, on))
    write_atomic(ds, path)
    return ds
