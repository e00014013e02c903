"""The figures of a study, declared once.

Each `Figure` says what it is (name with its unit, unit, long name), its role (an
objective told to Optuna with its sense, a constraint told to Optuna, or a figure kept in
the results) and how it is computed from the model's outputs (SI) and the figures declared
before it. Everything downstream reads `FIGURES`: the model-to-figures step
(`explore._scoring.Scorer.derive`), the objectives and constraints told to Optuna, the
variables of results.nc with their units and long names, the infeasibility reasons and the
columns of `python -m explore.inspect`. Adding a figure is adding a row here.
"""

import dataclasses
import enum
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import objectives as ob

from ._config import Config, RangeCycle

u = ob.units

CYCLES = {RangeCycle.wltp: ("wltc",), RangeCycle.epa: ("udds", "hwfet")}  # cycles each range is scored on
RANGE_KEY = {RangeCycle.wltp: "wltp_range_m", RangeCycle.epa: "epa_range_m"}  # the model output of each range
RANGE_LONG_NAME = {"wltp": "WLTP range (WLTC class 3b)", "epa": "EPA label range (UDDS/HWFET 55/45, x 0.7)"}
CONSTRAINT_PREFIX = "constraint_"

Values = Mapping[str, Any]  # arrays by name: model outputs (SI) and the figures computed so far
# (values, cfg, xp) -> the figure's array; xp: numpy, or jax.numpy when traced
Compute = Callable[[Values, Config, ModuleType], Any]


class Role(enum.Enum):
    objective = "objective"  # told to Optuna as a value, with its `sense`
    constraint = "constraint"  # told to Optuna as a constraint: <= 0 when met
    figure = "figure"  # kept in the results


@dataclasses.dataclass(frozen=True, kw_only=True)
class Figure:
    """One figure of a study.

    Attributes:
        name: variable name in the figures and in results.nc, unit in the name; a
            constraint's starts with `constraint_` (Optuna knows it without the prefix).
        unit: UDUNITS text ("1" for a ratio or a count).
        long_name: description; "{range}" stands for the study's range (WLTP or EPA). A
            constraint's says how its value is formed.
        compute: (values, cfg, xp) -> array, from the model outputs (SI) and the figures
            declared before it; `xp` is numpy, or jax.numpy when traced for derivatives.
        role: objective, constraint or figure.
        sense: an objective's direction, in Optuna's words ("minimize" or "maximize").
        applies: cfg -> whether the study has this figure (its cycle is scored, its
            constraint is enabled).
        reason: a constraint's text for design `i` when violated: (figures, i, cfg) -> str.
        shown: a column of `python -m explore.inspect`.
        summary: a column of the printed summary's front table: (header, width, decimals);
            objectives come before the design's columns, other figures after them.
    """

    name: str
    unit: str
    long_name: str
    compute: Compute
    role: Role = Role.figure
    sense: str | None = None
    applies: Callable[[Config], bool] = lambda cfg: True
    reason: Callable[[Values, int, Config], str] | None = None
    shown: bool = False
    summary: tuple[str, int, int] | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.objective) != (self.sense in ("minimize", "maximize")):
            raise ValueError(
                f"figure {self.name}: an objective needs sense 'minimize' or 'maximize', nothing else has one"
            )
        if (self.role is Role.constraint) != self.name.startswith(CONSTRAINT_PREFIX):
            raise ValueError(f"figure {self.name}: constraints, and only they, are named {CONSTRAINT_PREFIX}...")

    @property
    def constraint_key(self) -> str:
        """The constraint's name as told to Optuna."""
        return self.name.removeprefix(CONSTRAINT_PREFIX)

    def describe(self, objective_range: str) -> str:
        """The long name in results.nc for a study of `objective_range` ('wltp' or 'epa')."""
        text = self.long_name.format(range=RANGE_LONG_NAME[objective_range])
        return f"constraint value, <= 0 when met: {text}" if self.role is Role.constraint else text


def _out(key: str) -> Compute:
    """A figure that is the model output `key` as it is."""
    return lambda v, cfg, xp: v[key]


def _consumption(cycle: str) -> Figure:
    return Figure(
        name=f"{cycle}_consumption_wh_per_km",
        unit="Wh/km",
        long_name={"wltc": "WLTC class 3b consumption from the battery"}.get(
            cycle, f"{cycle.upper()} consumption from the battery"
        ),
        compute=lambda v, cfg, xp: u.j_per_m_to_wh_per_km(v[f"{cycle}_consumption_j_per_m"]),
        applies=lambda cfg: cycle in CYCLES[cfg.objective.range],
    )


def _constraint(
    name: str,
    long_name: str,
    compute: Compute,
    applies: Callable[[Config], bool],
    reason: Callable[[Values, int, Config], str] | None = None,
) -> Figure:
    return Figure(
        name=CONSTRAINT_PREFIX + name,
        unit="1",
        long_name=long_name,
        compute=compute,
        role=Role.constraint,
        applies=applies,
        reason=reason,
    )


def _bound(name: str, figure: str, long_name: str, level: str, reason: str, group: str | None = None) -> Figure:
    """A constraint that `figure` stays at or above (`level` min_...) or at or below (max_...)
    the level `cfg.constraints.<group>.<level>` (group: `name` unless given), written
    1 - figure / minimum or figure / maximum - 1; `reason` formats (value, level)."""
    group = group or name

    def limit(cfg: Config) -> float:
        return getattr(getattr(cfg.constraints, group), level)

    if level.startswith("min_"):
        compute = lambda v, cfg, xp: 1.0 - v[figure] / limit(cfg)  # noqa: E731
    else:
        compute = lambda v, cfg, xp: v[figure] / limit(cfg) - 1.0  # noqa: E731
    return _constraint(
        name,
        long_name,
        compute,
        applies=lambda cfg: getattr(cfg.constraints, group).enabled,
        reason=lambda f, i, cfg: reason.format(f[figure][i], limit(cfg)),
    )


FIGURES: tuple[Figure, ...] = (
    Figure(
        name="accel_0_100_s",
        unit="s",
        long_name="0-100 km/h time",
        compute=_out("accel_0_100_s"),
        role=Role.objective,
        sense="minimize",
        shown=True,
        summary=("0-100 s", 7, 2),
    ),
    Figure(
        name="range_km",
        unit="km",
        long_name="{range}",
        role=Role.objective,
        sense="maximize",
        shown=True,
        summary=("range km", 8, 0),
        compute=lambda v, cfg, xp: v[RANGE_KEY[cfg.objective.range]] / u.KM,
    ),
    Figure(
        name="top_speed_kmh",
        unit="km/h",
        long_name="top speed",
        compute=lambda v, cfg, xp: u.mps_to_kmh(v["top_speed_mps"]),
    ),
    Figure(
        name="sustained_speed_kmh",
        unit="km/h",
        long_name="speed held on the motors' 30-minute rating",
        compute=lambda v, cfg, xp: u.mps_to_kmh(v["sustained_speed_mps"]),
    ),
    Figure(
        name="usable_energy_kwh",
        unit="kWh",
        long_name="usable pack energy",
        shown=True,
        summary=("kWh", 5, 1),
        compute=lambda v, cfg, xp: v["usable_energy_j"] / u.KWH,
    ),
    Figure(
        name="kerb_mass_kg",
        unit="kg",
        long_name="kerb mass (no driver)",
        compute=_out("kerb_mass_kg"),
        shown=True,
        summary=("mass kg", 7, 0),
    ),
    Figure(
        name="gross_energy_kwh",
        unit="kWh",
        long_name="gross pack energy",
        compute=lambda v, cfg, xp: v["gross_energy_j"] / u.KWH,
    ),
    Figure(name="pack_mass_kg", unit="kg", long_name="pack mass", compute=_out("pack_mass_kg")),
    Figure(
        name="pack_energy_density_wh_per_kg",
        unit="Wh/kg",
        long_name="usable pack energy per pack mass",
        compute=lambda v, cfg, xp: v["usable_energy_kwh"] * 1e3 / v["pack_mass_kg"],
    ),
    Figure(
        name="pack_max_voltage_v",
        unit="V",
        long_name="pack open-circuit voltage at the top of the usable window",
        compute=_out("pack_max_voltage_v"),
    ),
    Figure(
        name="pack_min_voltage_v",
        unit="V",
        long_name="pack open-circuit voltage at the bottom of the usable window",
        compute=_out("pack_min_voltage_v"),
    ),
    Figure(
        name="peak_dc_power_kw",
        unit="kW",
        long_name="DC power drawn at peak motor power",
        compute=lambda v, cfg, xp: v["peak_dc_power_w"] / u.KW,
    ),
    Figure(
        name="peak_cell_current_a",
        unit="A",
        long_name="cell current at peak motor power",
        compute=_out("peak_cell_current_a"),
    ),
    Figure(name="infeasible", unit="1", long_name="model infeasibility bits (see reason)", compute=_out("infeasible")),
    _consumption("wltc"),
    _consumption("udds"),
    _consumption("hwfet"),
    _constraint(
        "drivable",
        "model infeasible (cannot reach 100 km/h, follow the cycle, or holds no energy)",
        lambda v, cfg, xp: xp.where(v["infeasible"] != 0, 1.0, 0.0),
        applies=lambda cfg: True,
    ),
    _bound(
        "top_speed",
        "top_speed_kmh",
        "1 - top speed / minimum top speed",
        "min_kmh",
        "top speed {:.0f} km/h < {:g} km/h",
    ),
    _bound(
        "sustained_speed",
        "sustained_speed_kmh",
        "1 - 30-minute speed / minimum 30-minute speed",
        "min_kmh",
        "30-minute speed {:.0f} km/h < {:g} km/h",
    ),
    _bound(
        "pack_energy",
        "gross_energy_kwh",
        "gross pack energy / platform limit - 1",
        "max_energy_kwh",
        "pack {:.1f} kWh > {:g} kWh",
        group="pack_fits",
    ),
    _bound(
        "pack_mass",
        "pack_mass_kg",
        "pack mass / platform limit - 1",
        "max_mass_kg",
        "pack {:.0f} kg > {:g} kg",
        group="pack_fits",
    ),
    _bound(
        "pack_max_voltage",
        "pack_max_voltage_v",
        "pack top voltage / maximum - 1",
        "max_v",
        "pack {:.0f} V > {:g} V",
        group="pack_voltage",
    ),
    _bound(
        "pack_min_voltage",
        "pack_min_voltage_v",
        "1 - pack bottom voltage / minimum",
        "min_v",
        "pack {:.0f} V < {:g} V",
        group="pack_voltage",
    ),
    _constraint(
        "cell_current",
        "cell current at peak power / allowed current - 1",
        lambda v, cfg, xp: (
            v["peak_cell_current_a"] / (cfg.constraints.cell_current.max_frac * v["cell_max_current_a"]) - 1.0
        ),
        applies=lambda cfg: cfg.constraints.cell_current.enabled,
        reason=lambda f, i, cfg: f"cell current {f['peak_cell_current_a'][i]:.0f} A at peak power over its limit",
    ),
)
BY_NAME: dict[str, Figure] = {f.name: f for f in FIGURES}
OBJECTIVES: tuple[Figure, ...] = tuple(f for f in FIGURES if f.role is Role.objective)


def study_figures(cfg: Config) -> list[Figure]:
    """The figures a study of `cfg` computes, in table order."""
    return [f for f in FIGURES if f.applies(cfg)]


def constraint_names(fig: Values) -> list[str]:
    """The constraints among the figures `fig` (names), in table order."""
    return [f.name for f in FIGURES if f.role is Role.constraint and f.name in fig]
