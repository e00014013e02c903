"""Build a `Vehicle` from a published spec sheet, estimating what is missing.

Reads the schema of the reference vehicle files (one mapping per vehicle; see `predict`
and the README). Estimation rules, applied only where a field is null (their constants
are in `_constants.py`, section "spec estimation rules", with their basis):

- mass: `kerb_mass_kg`, else the midpoint of `kerb_mass_range_kg`. The basis decides what
  the figure holds: one that says it includes a driver ("with driver", "EU_with_driver")
  has 75 kg taken off; a test mass ("test mass", "WLTP test mass") has the WLTP test-mass
  additions taken off, and an EPA test weight ("ETW", "EPA test weight", "inertia weight")
  the EPA's 300 lb. The 0-100 run carries a driver; each cycle runs at its test mass.
- frontal area: `frontal_area_m2`, else `FRONTAL_AREA_FACTOR` x width x height
  (default 1.80 m x 1.55 m). Drag coefficient: `DEFAULT_CD` when not published. A published
  figure holds for the car's own tyres, unless `drag_coefficient_tyre_width_mm` names the
  section width it was measured on (a figure taken from another trim of the same body).
- tyres: every ISO size in `tyre_size` ("F 255/35 R21, R 275/35 R21": front then rear;
  one size: all round; none: `DEFAULT_TYRE_SIZE`). Rolling-resistance class from
  `tyre_label_rolling_resistance` (its first letter A-E), else from the tyre line named in
  `tyre_model` (objectives/data/tyre_lines.yaml, EU product sheets), else
  `LOW_PROFILE_LABEL` for a low-profile size (aspect ratio <= `LOW_PROFILE_ASPECT`) and
  `DEFAULT_LABEL` for others. Grip category from the tyre line, else ultra-high-performance
  for a low-profile size and touring for others; a `concept_race` car runs track tyres.
- body: CG height `CG_HEIGHT_FACTOR` x overall height; wheelbase default 2.7 m; static
  front weight `FRONT_WEIGHT` by drive.
- motors: per-motor power and torque from the motor list; where missing, the system
  figure not accounted for by listed motors is shared equally among the unlisted ones.
  An AWD car with no motor list gets one motor per axle. A motor with power but no
  torque (and no system torque to share) gets T = P / w_base with its base speed the
  maximum speed over `CONSTANT_POWER_SPEED_RATIO`. Motor type from its `type` text:
  induction ("induction", "asynchronous", "ASM"), externally excited ("EESM", "wound",
  "externally/separately excited"), else permanent magnet. A motor with
  `disconnect: true` (or "disconnect" in its type) has an axle disconnect clutch.
  `boost_power_kw` over `system_power_kw` scales every motor's launch power;
  `continuous_power_kw` (30-minute power) over `system_power_kw` sets the continuous
  rating, else `CONTINUOUS_POWER_FRAC`.
- motor speed and gearing: with both gear ratio and top speed, the top speed is taken as
  the motor's maximum speed. Otherwise the maximum motor speed is the one stated in the
  motor's `type` text ("21,000 rpm max"), else the one stated for another motor of the car
  (one design generation), else `CONSTANT_POWER_SPEED_RATIO` x base speed within
  `MOTOR_SPEED_RANGE_RPM`. A missing ratio is `MEDIAN_REDUCER_RATIO`, or the taller
  ratio that puts the maximum motor speed at the top speed (default 160 km/h; 200 km/h
  for `concept_race`) where the top speed needs it (a governed top speed does not set the
  ratio). A list of two ratios is a two-speed gearbox; a ratio text naming two speeds
  without figures ("2-speed (ratios not published)") gets second gear from the top speed
  and first gear `TWO_SPEED_SPREAD` times it. A published top speed is the car's speed
  limit (`Vehicle.speed_limit`): the model's top speed never exceeds it.
- pack: chemistry LFP if `cell_chemistry` says so, else NMC. Cells in series from
  `pack_configuration` ("96s2p"), else nominal voltage / cell voltage, else 96. Gross
  energy from `battery_gross_kwh`, else usable / `DEFAULT_USABLE_FRAC`, else 60 kWh;
  parallel count relaxed to give that energy exactly. The usable window ends 40 % of the
  unusable share from full and is sized to hold `battery_usable_kwh`.
- glider mass = kerb mass - pack - motors, inverters, gearboxes, wheels and tyres.
"""

import functools
import math
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Literal, cast, overload

import jax
import jax.numpy as jnp
import numpy as np
import yaml
from jax import lax

from ._battery import CELLS, PACK_MASS_FACTOR, Cell, Pack
from ._constants import (
    CG_HEIGHT_FACTOR,
    CONSTANT_POWER_SPEED_RATIO,
    CONTINUOUS_POWER_FRAC,
    DEFAULT_CD,
    DEFAULT_LABEL,
    DEFAULT_MOTOR_SPEED_RPM,
    DEFAULT_TYRE_SIZE,
    DEFAULT_USABLE_FRAC,
    DRIVER_MASS,
    EPA_EXTRA_MASS,
    FRONT_WEIGHT,
    FRONTAL_AREA_FACTOR,
    LOW_PROFILE_ASPECT,
    LOW_PROFILE_LABEL,
    MAX_LOAD,
    MEDIAN_REDUCER_RATIO,
    TWO_SPEED_SPREAD,
    WLTP_EXTRA_MASS,
    WLTP_LOAD_FRAC,
)
from ._gearing import Axle, Gearbox
from ._motor import motor_of_type
from ._pytree import Leaf, field_default
from ._tyre import Tyre, mean_section_width, parse_size, tyre
from ._units import KMH, KW, MM, RPM, WH
from ._vehicle import Body, Vehicle

DEFAULT_WIDTH_M = 1.80
DEFAULT_HEIGHT_M = 1.55
MOTOR_SPEED_RANGE_RPM = (8000.0, 20000.0)
DEFAULT_TOP_SPEED_KMH: dict[object, float] = {"concept_race": 200.0}  # looked up by whatever `category` holds
DEFAULT_TOP_SPEED_KMH_OTHER = 160.0
DEFAULT_GROSS_KWH = 60.0
DEFAULT_SERIES = 96
AXLES = ("front", "rear")
DRIVES = tuple(FRONT_WEIGHT)


class SpecError(ValueError):
    """A spec field is missing or invalid; the message names the field and the fix."""


def _number(
    spec: Mapping[str, Any], key: str, *, positive: bool = True, required: bool = False, where: str = ""
) -> float | None:
    value = spec.get(key)
    label = f"{where}{key}"
    if value is None:
        if required:
            raise SpecError(f"`{label}` is required but missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"`{label}` must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (positive and value <= 0.0):
        raise SpecError(f"`{label}` must be a finite number > 0, got {value!r}")
    return value


def kerb_mass_kg(spec: Mapping[str, Any]) -> float:
    """Kerb mass without driver (kg) from the spec's mass and its basis."""
    mass = _number(spec, "kerb_mass_kg")
    if mass is None:
        rng = spec.get("kerb_mass_range_kg")
        if rng is None:
            raise SpecError("`kerb_mass_kg` is required (or `kerb_mass_range_kg: [low, high]`)")
        if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, (int, float)) for x in rng)):
            raise SpecError(f"`kerb_mass_range_kg` must be a list [low, high] in kg, got {rng!r}")
        lo, hi = float(rng[0]), float(rng[1])
        if not (0.0 < lo <= hi):
            raise SpecError(f"`kerb_mass_range_kg` must satisfy 0 < low <= high, got {rng!r}")
        mass = 0.5 * (lo + hi)
    basis = str(spec.get("kerb_mass_basis") or "").lower().replace("_", " ")
    if re.search(r"\betw\b|epa test|inertia weight|test weight", basis):
        return mass - EPA_EXTRA_MASS.value
    if "test mass" in basis:
        return mass - DRIVER_MASS.value - WLTP_EXTRA_MASS.value - WLTP_LOAD_FRAC.value * MAX_LOAD.value
    if "driver" in basis and not re.search(r"(no|without|excl\w*)\s+driver", basis):
        mass -= DRIVER_MASS.value
    return mass


@functools.cache
def tyre_lines() -> list[tuple[re.Pattern[str], str, str]]:
    """The tyre-line catalogue: list of (compiled pattern, category, label class)."""
    path = resources.files("objectives") / "data" / "tyre_lines.yaml"
    with path.open() as f:
        lines = yaml.safe_load(f)["lines"]
    return [(re.compile(x["pattern"], re.IGNORECASE), x["category"], x["label"]) for x in lines]


def tyre_line(model: str | None) -> tuple[str, str] | tuple[None, None]:
    """(category, label class) of the tyre line named in `model`, or (None, None)."""
    for pattern, category, label in tyre_lines():
        if pattern.search(str(model or "")):
            return category, label
    return None, None


def _label_classes(text: object) -> list[str]:
    """EU label classes (A-E) named in `text` ('B', 'F: C, R: D', 'A/B' -> first), in order."""
    if text is None:
        return []
    found = re.findall(r"(?<![A-Za-z])([A-G])(?![A-Za-z])", str(text).upper())
    old_to_new = {"F": "E", "G": "E"}  # the pre-2021 scale's F and G are the new E
    return [old_to_new.get(c, c) for c in found if c in "ABCDEFG"]


def spec_tyres(spec: Mapping[str, Any]) -> tuple[Tyre, Tyre]:
    """(front Tyre, rear Tyre) from the spec's tyre fields (see the module docstring)."""
    front, rear = spec_tyre_fields(spec)
    return tyre(*front), tyre(*rear)


def spec_tyre_fields(spec: Mapping[str, Any]) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """(front, rear) tyre as (ISO size, EU label class, grip category) from the spec's tyre
    fields, by the rules of the module docstring."""
    text = str(spec.get("tyre_size") or "")
    sizes = [m.group(0) for m in re.finditer(r"\d{3}\s*/\s*\d{2}\s*Z?R\s*F?\s*\d{2}", text, re.IGNORECASE)]
    if not sizes:
        sizes = [DEFAULT_TYRE_SIZE.value]
    front_size, rear_size = sizes[0], sizes[1] if len(sizes) > 1 else sizes[0]
    category, line_label = tyre_line(f"{spec.get('tyre_model') or ''} {text}")
    if spec.get("category") == "concept_race":
        category = "track"
    labels = _label_classes(spec.get("tyre_label_rolling_resistance"))
    if labels:
        front_label, rear_label = labels[0], labels[1] if len(labels) > 1 else labels[0]
    else:
        front_label, rear_label = (line_label or _unknown_line_label(size) for size in (front_size, rear_size))
    categories = [category or ("uhp" if _low_profile(size) else "touring") for size in (front_size, rear_size)]
    return (front_size, front_label, categories[0]), (rear_size, rear_label, categories[1])


def _low_profile(size: str) -> bool:
    return cast(tuple[float, float, float], parse_size(size))[1] <= LOW_PROFILE_ASPECT.value + 1e-9  # sizes here parse


def _unknown_line_label(size: str) -> str:
    """Label class of a tyre whose class and line are unknown: `LOW_PROFILE_LABEL` for a
    low-profile size, else `DEFAULT_LABEL`."""
    return LOW_PROFILE_LABEL.value if _low_profile(size) else DEFAULT_LABEL.value


def _motor_list(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    drive = spec.get("drive")
    if drive not in DRIVES:
        raise SpecError(f"`drive` must be one of FWD, RWD, AWD, got {drive!r}")
    motors = spec.get("motors") or []
    if not isinstance(motors, list):
        raise SpecError(
            f"`motors` must be a list of {{axle, peak_power_kw, peak_torque_nm, gear_ratio}}, got {motors!r}"
        )
    if not motors:
        axles = {"FWD": ["front"], "RWD": ["rear"], "AWD": ["front", "rear"]}[drive]
        motors = [{"axle": a} for a in axles]
    for i, m in enumerate(motors):
        if not isinstance(m, dict) or m.get("axle") not in AXLES:
            raise SpecError(f"`motors[{i}].axle` must be 'front' or 'rear', got {m!r}")
    return motors


@overload
def _split(
    motors: Sequence[Mapping[str, Any]],
    key: str,
    system_value: float | None,
    label: str,
    required: Literal[True] = True,
) -> list[float]: ...


@overload
def _split(
    motors: Sequence[Mapping[str, Any]], key: str, system_value: float | None, label: str, required: bool
) -> list[float | None]: ...


def _split(
    motors: Sequence[Mapping[str, Any]], key: str, system_value: float | None, label: str, required: bool = True
) -> list[float] | list[float | None]:
    """Per-motor values of `key`, filling gaps from the system figure (None where neither
    gives one and `required` is False)."""
    given = [_number(m, key, where=f"motors[{i}].") for i, m in enumerate(motors)]
    missing = [i for i, v in enumerate(given) if v is None]
    if missing:
        known = sum(v for v in given if v is not None)
        if system_value is None:
            if not required:
                return given
            raise SpecError(f"`motors[{missing[0]}].{key}` is missing and `{label}` is not given to estimate it")
        rest = system_value - known
        if rest <= 0.0:
            raise SpecError(f"`{label}` ({system_value:g}) leaves nothing for motors without `{key}`")
        for i in missing:
            given[i] = rest / len(missing)
    return given


def _stated_max_speed(motor: Mapping[str, Any]) -> float | None:
    """Maximum motor speed (rad/s) stated in the motor's `type` text ("21,000 rpm"), or None."""
    stated = re.search(r"(\d{1,2},?\d{3})\s*rpm", str(motor.get("type") or ""), re.IGNORECASE)
    return float(stated.group(1).replace(",", "")) * RPM if stated else None


def _torques(motors: Sequence[Mapping[str, Any]], powers_w: Sequence[float], spec: Mapping[str, Any]) -> list[float]:
    """Per-motor peak torque (N m): published, shared from the system figure, or from power
    and the base speed of a typical constant-power range."""
    torques = _split(motors, "peak_torque_nm", _number(spec, "system_torque_nm"), "system_torque_nm", required=False)
    for i, t in enumerate(torques):
        if t is None:
            top = _stated_max_speed(motors[i]) or DEFAULT_MOTOR_SPEED_RPM.value * RPM
            torques[i] = powers_w[i] / (top / CONSTANT_POWER_SPEED_RATIO.value)
    return cast(list[float], torques)  # every gap filled


def _ratios(motor: Mapping[str, Any], i: int) -> tuple[list[float], bool]:
    """Published ratios of a motor ([] when none, [r] single speed, [r1, r2] two speeds) and
    whether the text names a two-speed box without figures."""
    ratio = motor.get("gear_ratio")
    if isinstance(ratio, str):
        if re.search(r"(2|two)[\s-]*speed", ratio, re.IGNORECASE):
            return [], True
        raise SpecError(f"`motors[{i}].gear_ratio` must be a number > 0 or a list of two, got {ratio!r}")
    ratios = ratio if isinstance(ratio, list) else ([ratio] if ratio is not None else [])
    for r in ratios:
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not r > 0:
            raise SpecError(f"`motors[{i}].gear_ratio` must be a number > 0 or a list of two, got {ratio!r}")
    if len(ratios) > 2:
        raise SpecError(f"`motors[{i}].gear_ratio` has at most two ratios, got {ratio!r}")
    return [float(r) for r in ratios], False


def _gearboxes(
    motors: Sequence[Mapping[str, Any]],
    powers_w: Sequence[float],
    torques_nm: Sequence[float],
    radius: float,
    spec: Mapping[str, Any],
) -> list[tuple[Gearbox, float]]:
    top = _number(spec, "top_speed_kmh")
    default_top = DEFAULT_TOP_SPEED_KMH.get(spec.get("category"), DEFAULT_TOP_SPEED_KMH_OTHER)
    out: list[tuple[Gearbox, float]] = []
    stated = [w for w in (_stated_max_speed(m) for m in motors) if w is not None]
    for i, m in enumerate(motors):
        ratios, two_speed = _ratios(m, i)
        base = powers_w[i] / torques_nm[i]
        lo_rpm, hi_rpm = MOTOR_SPEED_RANGE_RPM
        typical_max = float(np.clip(CONSTANT_POWER_SPEED_RATIO.value * base, lo_rpm * RPM, hi_rpm * RPM))
        typical_max = _stated_max_speed(m) or (max(stated) if stated else typical_max)
        if ratios:
            low, high = ratios[0], ratios[-1]
            max_speed = high * top * KMH / radius if top is not None else typical_max
        else:
            max_speed = typical_max
            low = high = max_speed * radius / ((top or default_top) * KMH)
            if two_speed:
                low = TWO_SPEED_SPREAD.value * high
            else:  # a governed top speed does not set the ratio
                low = high = min(high, MEDIAN_REDUCER_RATIO.value)
        disconnect = 1.0 if (m.get("disconnect") is True or "disconnect" in str(m.get("type") or "").lower()) else 0.0
        out.append((Gearbox(ratio_low=low, ratio_high=high if high != low else None, disconnect=disconnect), max_speed))
    return out


def motor_kind(motor: Mapping[str, Any]) -> str:
    """'induction', 'eesm' or 'pmsm' from a spec motor's `type` text."""
    text = str(motor.get("type") or "").lower()
    if re.search(r"induction|asynchron|\basm\b|\bacim\b", text):
        return "induction"
    if re.search(r"eesm|wound|(externally|separately|current|electrically)[\s-]*excited|\bfsm\b|\bssm\b", text):
        return "eesm"
    return "pmsm"


def _pack(spec: Mapping[str, Any]) -> Pack:
    chem_text = str(spec.get("cell_chemistry") or "")
    chemistry = "lfp" if re.search(r"\bLFP\b|phosphate", chem_text, re.IGNORECASE) else "nmc"
    cell = CELLS[chemistry]
    config = str(spec.get("pack_configuration") or "")
    m = re.search(r"(\d+)\s*[sS]", config)
    voltage = _number(spec, "battery_nominal_voltage_v")
    if m:
        n_series = float(m.group(1))
    elif voltage is not None:
        n_series = float(round(voltage / (_cell_energy_j(chemistry) / float(cell.capacity))))
    else:
        n_series = float(DEFAULT_SERIES)
    if n_series < 1.0:
        field = "pack_configuration" if m else "battery_nominal_voltage_v"
        raise SpecError(
            f"`{field}` ({spec.get(field)!r}) gives {n_series:g} cells in series; a pack needs at least one "
            f"(a {chemistry.upper()} cell is {_cell_energy_j(chemistry) / float(cell.capacity):.2f} V nominal)"
        )
    gross = _number(spec, "battery_gross_kwh")
    usable = _number(spec, "battery_usable_kwh")
    if gross is None:
        gross = usable / DEFAULT_USABLE_FRAC.value if usable is not None else DEFAULT_GROSS_KWH
    if usable is None:
        usable = DEFAULT_USABLE_FRAC.value * gross
    if usable > gross:
        raise SpecError(f"`battery_usable_kwh` ({usable:g}) exceeds `battery_gross_kwh` ({gross:g})")
    cell_energy_j = _cell_energy_j(chemistry)
    n_parallel = gross * 1e3 * WH / (n_series * cell_energy_j)
    frac = usable / gross
    soc_max = 1.0 - 0.4 * (1.0 - frac)
    return Pack(
        cell=cell,
        n_series=n_series,
        n_parallel=n_parallel,
        mass_factor=PACK_MASS_FACTOR[chemistry],
        soc_min=float(_window_start(cell, soc_max, frac)),
        soc_max=soc_max,
    )


@jax.jit
def _powertrain_mass(pack: Pack, front: Axle, rear: Axle) -> jax.Array:
    """Pack, motors, inverters, gearboxes, wheels and tyres (kg): the kerb mass less the
    glider, the inverters rated for the pack's lowest open-circuit voltage (compiled: one
    program per tree structure, not a dispatch per operation and vehicle)."""
    v_min = pack.ocv(pack.soc_min)
    return jnp.asarray(pack.mass() + front.mass(v_min) + rear.mass(v_min))


@functools.cache
def _cell_energy_j(chemistry: str) -> float:
    """Energy (J) of a full cell of the library, computed once per chemistry (one compiled
    call, not a dozen eager operations that each compile)."""
    return float(_full_cell_energy(CELLS[chemistry]))


@jax.jit
def _full_cell_energy(cell: Cell) -> jax.Array:
    return cell.energy_between(0.0, 1.0)


@jax.jit
def _window_start(cell: Cell, soc_max: Leaf, frac: Leaf) -> jax.Array:
    """The SOC where the window up to `soc_max` holds `frac` of the cell's energy: 60 steps
    of bisection, compiled (one program for every cell and window)."""

    def step(_: int, bounds: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        above = cell.energy_between(mid, soc_max) > frac * cell.energy_between(0.0, 1.0)
        return jnp.where(above, mid, lo), jnp.where(above, hi, mid)

    lo, hi = lax.fori_loop(0, 60, step, (jnp.zeros_like(soc_max), jnp.asarray(soc_max, float)))
    return 0.5 * (lo + hi)


def _rating_frac(spec: Mapping[str, Any], key: str) -> float | None:
    """`key` (kW, system level) over `system_power_kw`, or None."""
    value, system = _number(spec, key), _number(spec, "system_power_kw")
    return value / system if value is not None and system is not None else None


def vehicle_from_spec(spec: object) -> Vehicle:
    """A `Vehicle` (floats, unbatched) from one spec mapping; raises `SpecError`."""
    if not isinstance(spec, dict):
        raise SpecError(f"each vehicle must be a mapping of fields, got {type(spec).__name__}")
    top, accel = _number(spec, "top_speed_kmh"), _number(spec, "accel_0_100_kmh_s")
    if top is not None and accel is not None and top <= 100.0:
        raise SpecError(
            f"`top_speed_kmh` ({top:g}) is not above 100 km/h, yet `accel_0_100_kmh_s` ({accel:g}) is given; "
            "one of the two is wrong"
        )
    kerb = kerb_mass_kg(spec)
    motors = _motor_list(spec)
    powers_kw = _split(motors, "peak_power_kw", _number(spec, "system_power_kw"), "system_power_kw")
    powers_w = [p * KW for p in powers_kw]
    torques = _torques(motors, powers_w, spec)
    front_tyre, rear_tyre = spec_tyres(spec)
    tyres = {"front": front_tyre, "rear": rear_tyre}
    radius = float(rear_tyre.rolling_radius())
    gearboxes = _gearboxes(motors, powers_w, torques, radius, spec)
    boost = max(1.0, _rating_frac(spec, "boost_power_kw") or 1.0)
    continuous = min(1.0, _rating_frac(spec, "continuous_power_kw") or CONTINUOUS_POWER_FRAC.value)

    per_axle: dict[str, list[tuple[dict[str, Any], float, float, Gearbox, float]]] = {}
    for m, p, t, (gb, w_max) in zip(motors, powers_w, torques, gearboxes):
        per_axle.setdefault(m["axle"], []).append((m, p, t, gb, w_max))
    axles: dict[str, Axle] = {}
    for name in AXLES:
        units = per_axle.get(name)
        if not units:  # undriven axle: a placeholder motor, counted zero times
            axles[name] = Axle(
                motor=motor_of_type("pmsm", peak_torque=1.0, peak_power=1.0, max_speed=1.0),
                gearbox=Gearbox(ratio_low=1.0),
                tyre=tyres[name],
                n_motors=0.0,
            )
            continue
        m, p, t, gb, w_max = units[0]  # twin motors on one axle are taken as identical
        motor = motor_of_type(
            motor_kind(m),
            peak_torque=t,
            peak_power=p,
            max_speed=w_max,
            boost_power_frac=boost,
            continuous_power_frac=continuous,
        )
        axles[name] = Axle(motor=motor, gearbox=gb, tyre=tyres[name], n_motors=float(len(units)))

    width = (_number(spec, "width_mm") or DEFAULT_WIDTH_M / MM) * MM
    height = (_number(spec, "height_mm") or DEFAULT_HEIGHT_M / MM) * MM
    area = _number(spec, "frontal_area_m2") or FRONTAL_AREA_FACTOR.value * width * height
    cd = _number(spec, "drag_coefficient") or DEFAULT_CD.value
    pack = _pack(spec)
    powertrain = float(_powertrain_mass(pack, axles["front"], axles["rear"]))
    glider = kerb - powertrain
    if glider <= 0.0:
        raise SpecError(
            f"`kerb_mass_kg` ({kerb:.0f} kg without driver) is below the estimated pack, motor and wheel "
            f"mass ({powertrain:.0f} kg); check the mass and battery fields"
        )
    ref_width = _number(spec, "drag_coefficient_tyre_width_mm")
    own_width = float(mean_section_width(front_tyre, rear_tyre))
    body = Body(
        drag_tyre_width=ref_width * MM if ref_width is not None else own_width,
        glider_mass=glider,
        drag_coefficient=cd,
        frontal_area=area,
        cg_height=CG_HEIGHT_FACTOR.value * height,
        wheelbase=(_number(spec, "wheelbase_mm") or 2700.0) * MM,
        front_weight_frac=float(FRONT_WEIGHT[spec["drive"]]),
    )
    top = _number(spec, "top_speed_kmh")
    limit = top * KMH if top is not None else field_default(Vehicle, "speed_limit")
    return Vehicle(body=body, front=axles["front"], rear=axles["rear"], pack=pack, speed_limit=limit)


def wheel_radius_m(tyre_size: str | None) -> float:
    """Dynamic rolling radius (m) of the first ISO size in `tyre_size`, or of the default size."""
    parsed = cast(tuple[float, float, float], parse_size(tyre_size) or parse_size(DEFAULT_TYRE_SIZE.value))
    return float(tyre(f"{round(parsed[0] / MM)}/{round(parsed[1] * 100)} R{parsed[2] / 0.0254:g}").rolling_radius())
