"""The design variables: their declaration (unit, bounds or choices, what each sets) and the
checks of a search space against the platform.

A design is one value per variable of the space; a batch of designs is an
`explore._designs.Designs` (one numpy array per variable).
"""

import dataclasses
import math
from typing import Any

import objectives as ob

from ._config import ConfigError, PlatformConfig, SpaceConfig, Variable

LAYOUTS = ("front", "rear", "dual")  # driven axles; dual = one motor per axle (e-4ORCE)


AXLES = ("front", "rear")


# How the front axle of a dual design idles when it carries no torque: a permanent-magnet
# motor that drags, a de-excited induction machine (heavier per N m), or a permanent-magnet
# motor behind a disconnect clutch (its mass).
SECONDARY_IDLE = ("drag", "de_excited", "disconnected")


TYRE = "tyre"  # a choice among the platform's tyre catalogue (`vehicle.tyres`)


@dataclasses.dataclass(frozen=True)
class Spec:
    """What a variable is: kind ('float', 'int', 'choice'), unit, long name, allowed choices."""

    kind: str
    unit: str
    long_name: str
    allowed: tuple[Any, ...] = ()


def _axle_specs(axle: str) -> dict[str, Spec]:
    return {
        f"{axle}_power_kw": Spec("float", "kW", f"{axle} motor peak power"),
        f"{axle}_torque_nm": Spec("float", "N m", f"{axle} motor peak torque"),
        f"{axle}_ratio": Spec("float", "1", f"{axle} reduction ratio (first gear)"),
        f"{axle}_gears": Spec("choice", "", f"{axle} gearbox speeds", (1, 2)),
        f"{axle}_ratio_2_frac": Spec("float", "1", f"{axle} second-gear ratio / first-gear ratio"),
    }


VARIABLES = {
    "layout": Spec("choice", "", "driven axles (front, rear, dual)", LAYOUTS),
    **_axle_specs("front"),
    **_axle_specs("rear"),
    "secondary_idle": Spec(
        "choice", "", "how the front axle of a dual design idles (drag, de-excited, disconnected)", SECONDARY_IDLE
    ),
    "boost_frac": Spec("float", "1", "launch (overboost) power / peak power"),
    TYRE: Spec("choice", "", "tyre on both axles (entry of the platform's tyre catalogue)"),
    "cells_series": Spec("int", "1", "cells in series"),
    "cells_parallel": Spec("int", "1", "cells in parallel"),
    "chemistry": Spec("choice", "", "cell chemistry", tuple(ob.CELLS)),
}


# Variables a space may leave out, and the value they then take ("" for the tyre: the platform's own).
OPTIONAL: dict[str, Any] = {
    **{f"{a}_{v}": d for a in AXLES for v, d in (("gears", 1), ("ratio_2_frac", 1.0))},
    "secondary_idle": "drag",
    "boost_frac": 1.0,
    TYRE: "",
}


def allowed_choices(name: str, platform: PlatformConfig) -> tuple[Any, ...]:
    """The values a choice variable may take (the tyre catalogue for the tyre)."""
    return tuple(platform.tyres) if name == TYRE else VARIABLES[name].allowed


def check_space(space: SpaceConfig, platform: PlatformConfig) -> None:
    """Raise `ConfigError` unless `space` (a SpaceConfig) declares a usable set of variables on
    `platform` (a PlatformConfig: its tyre catalogue)."""
    variables = space.variables
    for name, var in variables.items():
        key = f"space.variables.{name}"
        spec = VARIABLES.get(name)
        if spec is None:
            raise ConfigError(f"`{key}` is not a design variable; known variables: {', '.join(VARIABLES)}")
        if var.unit != spec.unit:
            raise ConfigError(f"`{key}.unit` must be {spec.unit!r} (the unit the model takes), got {var.unit!r}")
        if spec.kind == "choice":
            allowed = list(allowed_choices(name, platform))
            if not var.choices:
                raise ConfigError(f"`{key}.choices` must list at least one of {allowed}, got {var.choices!r}")
            bad = [c for c in var.choices if c not in allowed]
            if bad:
                raise ConfigError(f"`{key}.choices` must be among {allowed}, got {bad[0]!r}")
            continue
        if var.choices is not None:
            raise ConfigError(f"`{key}` takes `low` and `high`, not `choices` (got {var.choices!r})")
        for end in ("low", "high"):
            value = getattr(var, end)
            if value is None or not math.isfinite(value):
                raise ConfigError(f"`{key}.{end}` must be a finite number, got {value!r}")
        low, high = bounds(var)
        if not low <= high:
            raise ConfigError(f"`{key}.low` must not exceed `high` ({var.high:g}), got {var.low!r}; swap them")
        if low <= 0.0 and name != "cells_series":
            raise ConfigError(f"`{key}.low` must be > 0, got {var.low!r}")
        if spec.kind == "int" and (low != int(low) or high != int(high) or low < 1):
            raise ConfigError(
                f"`{key}` is a count: `low` and `high` must be whole numbers >= 1, got {var.low!r}..{var.high!r}"
            )
        if name.endswith("ratio_2_frac") and high >= 1.0:
            raise ConfigError(f"`{key}.high` must be < 1 (second gear is taller than first), got {var.high!r}")
        if name == "boost_frac" and low < 1.0:
            raise ConfigError(f"`{key}.low` must be >= 1 (launch power is at least the peak power), got {var.low!r}")
    layouts = set(variables["layout"].choices or ()) if "layout" in variables else set()
    needed = {"layout", "cells_series", "cells_parallel", "chemistry"}
    for axle in AXLES:
        if layouts & {axle, "dual"}:
            needed |= {f"{axle}_power_kw", f"{axle}_torque_nm", f"{axle}_ratio"}
            gears = variables.get(f"{axle}_gears")
            if gears is not None and 2 in (gears.choices or ()):
                needed.add(f"{axle}_ratio_2_frac")
    missing = sorted(needed - set(variables))
    if missing:
        raise ConfigError(
            f"`space.variables.{missing[0]}` is required by this space but not declared; add it with bounds"
        )


def bounds(var: Variable) -> tuple[float, float]:
    """(low, high) of a range variable of a checked space (`check_space`: both are set)."""
    if var.low is None or var.high is None:
        raise ConfigError(f"a range variable needs `low` and `high`, got {var.low!r}..{var.high!r}")
    return float(var.low), float(var.high)


def relaxed_variables(space: SpaceConfig) -> list[str]:
    """The variables of `space` that gradients are taken in: continuous ones, and counts
    relaxed to real numbers (declaration order)."""
    return [n for n in space.variables if VARIABLES[n].kind in ("float", "int")]
