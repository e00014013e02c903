"""Build a `Vehicle` from a published spec sheet, estimating what is missing.

Reads the schema of the reference vehicle files (one mapping per vehicle; see
`predict` and the README). Estimation rules, applied only where a field is null:

- mass: `kerb_mass_kg`, else the midpoint of `kerb_mass_range_kg`. A basis that says the
  figure includes a driver ("with driver", "EU_with_driver") has 75 kg taken off.
  The 0-100 run carries a 75 kg driver; the drive cycles use kerb + 150 kg (test mass).
- frontal area: `frontal_area_m2`, else 0.84 x width x height (default 1.80 m x 1.55 m).
- drag coefficient: 0.29 when not published.
- tyres: dynamic radius 0.97 x the unloaded radius from an ISO size ("215/50 R17"),
  else 0.335 m. Peak friction 1.0 for road tyres, 1.3 for a `concept_race` car (semi-slicks).
- body: CG height 0.33 x overall height (default 1.55 m); wheelbase default 2.7 m;
  static front weight 0.58 (FWD), 0.47 (RWD), 0.52 (AWD).
- motors: per-motor power and torque from the motor list; where missing, the system
  figure not accounted for by listed motors is shared equally among the unlisted ones.
  An AWD car with no motor list gets one motor per axle.
- motor speed and gearing: with both gear ratio and top speed, the top speed is taken as
  the motor's maximum speed. Otherwise the maximum motor speed is the one stated in the
  motor's `type` text ("21,000 rpm max"), else 3x base speed (peak power / peak torque,
  a typical constant-power range) within 8,000-20,000 rpm,
  and a missing ratio puts that speed at the top speed (default 160 km/h; 200 km/h for
  `concept_race`). A list of two ratios is a two-speed gearbox that shifts at 95 % of
  the low gear's maximum speed.
- pack: chemistry LFP if `cell_chemistry` says so, else NMC. Cells in series from
  `pack_configuration` ("96s2p"), else nominal voltage / cell voltage, else 96. Gross
  energy from `battery_gross_kwh`, else usable / 0.95, else 60 kWh; parallel count
  relaxed to give that energy exactly. The usable window ends 40 % of the unusable
  share from full and is sized to hold `battery_usable_kwh` (default 95 % of gross).
- glider mass = kerb mass - pack - motors - gearboxes.
"""

import math
import re

import numpy as np

from ._battery import CELLS, PACK_MASS_FACTOR, Pack
from ._gearing import Axle, Gearbox
from ._motor import SynchronousMotor
from ._units import KMH, KW, MM, RPM, WH
from ._vehicle import Body, Vehicle

DRIVER_KG = 75.0
AREA_FACTOR = 0.84
DEFAULT_CD = 0.29
DEFAULT_WIDTH_M = 1.80
DEFAULT_HEIGHT_M = 1.55
DEFAULT_WHEEL_RADIUS_M = 0.335
DYNAMIC_RADIUS_FACTOR = 0.97
CG_HEIGHT_FACTOR = 0.33
FRONT_WEIGHT = {"FWD": 0.58, "RWD": 0.47, "AWD": 0.52}
CONSTANT_POWER_SPEED_RATIO = 3.0
MOTOR_SPEED_RANGE_RPM = (8000.0, 20000.0)
DEFAULT_TOP_SPEED_KMH = {"concept_race": 200.0}
DEFAULT_TOP_SPEED_KMH_OTHER = 160.0
DEFAULT_USABLE_FRAC = 0.95
DEFAULT_GROSS_KWH = 60.0
DEFAULT_SERIES = 96
RACE_FRICTION = 1.3
ROAD_FRICTION = 1.0
AXLES = ("front", "rear")


class SpecError(ValueError):
    """A spec field is missing or invalid; the message names the field and the fix."""


def _number(spec, key, *, positive=True, required=False, where=""):
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


def kerb_mass_kg(spec):
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
    basis = str(spec.get("kerb_mass_basis") or "").lower()
    if "driver" in basis and not re.search(r"(no|without|excl\w*)[\s_]+driver", basis):
        mass -= DRIVER_KG
    return mass


def wheel_radius_m(tyre_size):
    """Dynamic rolling radius (m) from an ISO tyre size such as '215/50 R17'."""
    m = re.search(r"(\d{3})\s*/\s*(\d{2})\s*Z?R\s*(\d{2})", str(tyre_size or ""))
    if not m:
        return DEFAULT_WHEEL_RADIUS_M
    width_mm, aspect, rim_in = (float(g) for g in m.groups())
    unloaded = 0.5 * rim_in * 25.4 * MM + width_mm * MM * aspect / 100.0
    return DYNAMIC_RADIUS_FACTOR * unloaded


def _motor_list(spec):
    drive = spec.get("drive")
    if drive not in FRONT_WEIGHT:
        raise SpecError(f"`drive` must be one of FWD, RWD, AWD, got {drive!r}")
    motors = spec.get("motors") or []
    if not isinstance(motors, list):
        raise SpecError(f"`motors` must be a list of {{axle, peak_power_kw, peak_torque_nm, gear_ratio}}, got {motors!r}")
    if not motors:
        axles = {"FWD": ["front"], "RWD": ["rear"], "AWD": ["front", "rear"]}[drive]
        motors = [{"axle": a} for a in axles]
    for i, m in enumerate(motors):
        if not isinstance(m, dict) or m.get("axle") not in AXLES:
            raise SpecError(f"`motors[{i}].axle` must be 'front' or 'rear', got {m!r}")
    return motors


def _split(motors, key, system_value, label):
    """Per-motor values of `key`, filling gaps from the system figure."""
    given = [_number(m, key, where=f"motors[{i}].") for i, m in enumerate(motors)]
    missing = [i for i, v in enumerate(given) if v is None]
    if missing:
        known = sum(v for v in given if v is not None)
        if system_value is None:
            raise SpecError(f"`motors[{missing[0]}].{key}` is missing and `{label}` is not given to estimate it")
        rest = system_value - known
        if rest <= 0.0:
            raise SpecError(f"`{label}` ({system_value:g}) leaves nothing for motors without `{key}`")
        for i in missing:
            given[i] = rest / len(missing)
    return given


def _gearboxes(motors, powers_w, torques_nm, radius, spec):
    top = _number(spec, "top_speed_kmh")
    default_top = DEFAULT_TOP_SPEED_KMH.get(spec.get("category"), DEFAULT_TOP_SPEED_KMH_OTHER)
    out = []
    for i, m in enumerate(motors):
        ratio = m.get("gear_ratio")
        ratios = ratio if isinstance(ratio, list) else ([ratio] if ratio is not None else [])
        for r in ratios:
            if isinstance(r, bool) or not isinstance(r, (int, float)) or not r > 0:
                raise SpecError(f"`motors[{i}].gear_ratio` must be a number > 0 or a list of two, got {ratio!r}")
        if len(ratios) > 2:
            raise SpecError(f"`motors[{i}].gear_ratio` has at most two ratios, got {ratio!r}")
        base = powers_w[i] / torques_nm[i]
        lo_rpm, hi_rpm = MOTOR_SPEED_RANGE_RPM
        typical_max = float(np.clip(CONSTANT_POWER_SPEED_RATIO * base, lo_rpm * RPM, hi_rpm * RPM))
        stated = re.search(r"(\d{1,2},?\d{3})\s*rpm", str(m.get("type") or ""), re.IGNORECASE)
        if stated:
            typical_max = float(stated.group(1).replace(",", "")) * RPM
        if ratios:
            low, high = float(ratios[0]), float(ratios[-1])
            max_speed = high * top * KMH / radius if top is not None else typical_max
        else:
            max_speed = typical_max
            low = high = max_speed * radius / ((top or default_top) * KMH)
        shift = 0.95 * max_speed * radius / low if low != high else 0.0
        out.append((Gearbox(ratio_low=low, ratio_high=high, shift_speed=shift), max_speed))
    return out


def _pack(spec):
    chem_text = str(spec.get("cell_chemistry") or "")
    chemistry = "lfp" if re.search(r"\bLFP\b|phosphate", chem_text, re.IGNORECASE) else "nmc"
    cell = CELLS[chemistry]
    config = str(spec.get("pack_configuration") or "")
    m = re.search(r"(\d+)\s*[sS]", config)
    voltage = _number(spec, "battery_nominal_voltage_v")
    if m:
        n_series = float(m.group(1))
    elif voltage is not None:
        n_series = float(round(voltage / float(cell.nominal_voltage())))
    else:
        n_series = float(DEFAULT_SERIES)
    gross = _number(spec, "battery_gross_kwh")
    usable = _number(spec, "battery_usable_kwh")
    if gross is None:
        gross = usable / DEFAULT_USABLE_FRAC if usable is not None else DEFAULT_GROSS_KWH
    if usable is None:
        usable = DEFAULT_USABLE_FRAC * gross
    if usable > gross:
        raise SpecError(f"`battery_usable_kwh` ({usable:g}) exceeds `battery_gross_kwh` ({gross:g})")
    cell_energy_j = float(cell.energy_between(0.0, 1.0))
    n_parallel = gross * 1e3 * WH / (n_series * cell_energy_j)
    frac = usable / gross
    soc_max = 1.0 - 0.4 * (1.0 - frac)
    lo, hi = 0.0, soc_max
    for _ in range(60):  # bisection for the window start holding `frac` of the energy
        mid = 0.5 * (lo + hi)
        if float(cell.energy_between(mid, soc_max)) > frac * cell_energy_j:
            lo = mid
        else:
            hi = mid
    return Pack(
        cell=cell,
        n_series=n_series,
        n_parallel=n_parallel,
        mass_factor=PACK_MASS_FACTOR[chemistry],
        soc_min=0.5 * (lo + hi),
        soc_max=soc_max,
    )


def vehicle_from_spec(spec):
    """A `Vehicle` (floats, unbatched) from one spec mapping; raises `SpecError`."""
    if not isinstance(spec, dict):
        raise SpecError(f"each vehicle must be a mapping of fields, got {type(spec).__name__}")
    kerb = kerb_mass_kg(spec)
    motors = _motor_list(spec)
    powers_kw = _split(motors, "peak_power_kw", _number(spec, "system_power_kw"), "system_power_kw")
    torques = _split(motors, "peak_torque_nm", _number(spec, "system_torque_nm"), "system_torque_nm")
    powers_w = [p * KW for p in powers_kw]
    radius = wheel_radius_m(spec.get("tyre_size"))
    gearboxes = _gearboxes(motors, powers_w, torques, radius, spec)

    per_axle = {}
    for m, p, t, (gb, w_max) in zip(motors, powers_w, torques, gearboxes):
        per_axle.setdefault(m["axle"], []).append((p, t, gb, w_max))
    axles = {}
    for name in AXLES:
        units = per_axle.get(name)
        if not units:  # undriven axle: a placeholder motor, counted zero times
            axles[name] = Axle(
                motor=SynchronousMotor(peak_torque=1.0, peak_power=1.0, max_speed=1.0),
                gearbox=Gearbox(ratio_low=1.0, ratio_high=1.0),
                n_motors=0.0,
            )
            continue
        p, t, gb, w_max = units[0]  # twin motors on one axle are taken as identical
        motor = SynchronousMotor(peak_torque=t, peak_power=p, max_speed=w_max)
        axles[name] = Axle(motor=motor, gearbox=gb, n_motors=float(len(units)))

    width = (_number(spec, "width_mm") or DEFAULT_WIDTH_M / MM) * MM
    height = (_number(spec, "height_mm") or DEFAULT_HEIGHT_M / MM) * MM
    area = _number(spec, "frontal_area_m2") or AREA_FACTOR * width * height
    cd = _number(spec, "drag_coefficient") or DEFAULT_CD
    race = spec.get("category") == "concept_race"
    pack = _pack(spec)
    powertrain = float(pack.mass()) + float(axles["front"].mass()) + float(axles["rear"].mass())
    glider = kerb - powertrain
    if glider <= 0.0:
        raise SpecError(
            f"`kerb_mass_kg` ({kerb:.0f} kg without driver) is below the estimated pack and "
            f"motor mass ({powertrain:.0f} kg); check the mass and battery fields"
        )
    body = Body(
        glider_mass=glider,
        drag_coefficient=cd,
        frontal_area=area,
        wheel_radius=radius,
        cg_height=CG_HEIGHT_FACTOR * height,
        wheelbase=(_number(spec, "wheelbase_mm") or 2700.0) * MM,
        front_weight_frac=FRONT_WEIGHT[spec["drive"]],
        tyre_friction=RACE_FRICTION if race else ROAD_FRICTION,
    )
    return Vehicle(body=body, front=axles["front"], rear=axles["rear"], pack=pack)
