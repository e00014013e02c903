"""Unit conversions: the one place where non-SI units meet the SI model.

Everything inside `objectives` is SI (m, s, kg, N, W, J, rad/s, C, V, ohm).
Values at the boundaries carry their unit in the name (`speed_kmh`, `energy_kwh`).
"""

import math
from typing import TypeVar, overload

import jax
import numpy as np

G0 = 9.80665  # standard gravity, m/s^2

KMH = 1.0 / 3.6  # m/s per km/h
RPM = 2.0 * math.pi / 60.0  # rad/s per rev/min
KWH = 3.6e6  # J per kWh
WH = 3600.0  # J per Wh
AH = 3600.0  # C per Ah
MILE = 1609.344  # m per mile
KW = 1e3  # W per kW
KM = 1e3  # m per km
MM = 1e-3  # m per mm
INCH = 0.0254  # m per inch

# The conversions scale element-wise: a float gives a float, an array an array of its kind.
_Array = TypeVar("_Array", np.ndarray, jax.Array)


@overload
def kmh_to_mps(speed_kmh: float) -> float: ...
@overload
def kmh_to_mps(speed_kmh: _Array) -> _Array: ...
def kmh_to_mps(speed_kmh: float | np.ndarray | jax.Array) -> float | np.ndarray | jax.Array:
    return speed_kmh * KMH


@overload
def mps_to_kmh(speed_mps: float) -> float: ...
@overload
def mps_to_kmh(speed_mps: _Array) -> _Array: ...
def mps_to_kmh(speed_mps: float | np.ndarray | jax.Array) -> float | np.ndarray | jax.Array:
    return speed_mps / KMH


@overload
def j_per_m_to_wh_per_km(consumption_j_per_m: float) -> float: ...
@overload
def j_per_m_to_wh_per_km(consumption_j_per_m: _Array) -> _Array: ...
def j_per_m_to_wh_per_km(consumption_j_per_m: float | np.ndarray | jax.Array) -> float | np.ndarray | jax.Array:
    return consumption_j_per_m * 1000.0 / WH
