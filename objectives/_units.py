"""Unit conversions: the one place where non-SI units meet the SI model.

Everything inside `objectives` is SI (m, s, kg, N, W, J, rad/s, C, V, ohm).
Values at the boundaries carry their unit in the name (`speed_kmh`, `energy_kwh`).
"""

import math

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


def kmh_to_mps(speed_kmh):
    return speed_kmh * KMH


def mps_to_kmh(speed_mps):
    return speed_mps / KMH


def j_per_m_to_wh_per_km(consumption_j_per_m):
    return consumption_j_per_m * 1000.0 / WH
