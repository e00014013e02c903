"""Standard drive cycles, shipped as package data (1 Hz speed traces).

| name  | cycle                          | duration | distance  | max speed  |
|-------|--------------------------------|----------|-----------|------------|
| wltc  | WLTC class 3b (WLTP)           | 1800 s   | 23.266 km | 131.3 km/h |
| udds  | UDDS / FTP-72 (EPA city)       | 1369 s   | 11.99 km  | 91.3 km/h  |
| hwfet | HWFET (EPA highway)            | 765 s    | 16.51 km  | 96.4 km/h  |
| us06  | US06 (EPA aggressive)          | 600 s    | 12.89 km  | 129.2 km/h |

Each interval between two samples is one quasi-static step at its mean speed and
constant acceleration; distance is the trapezoidal integral of the trace.
"""

import dataclasses
import functools
from importlib import resources

import numpy as np

_FILES = {
    "wltc": "wltc_class3b.csv",
    "udds": "udds.csv",
    "hwfet": "hwfet.csv",
    "us06": "us06.csv",
}

CYCLE_NAMES = tuple(_FILES)


@dataclasses.dataclass(frozen=True)
class Cycle:
    """A speed trace. time (s) and speed (m/s) arrays of equal length."""

    name: str
    time: np.ndarray
    speed: np.ndarray

    @property
    def duration(self) -> float:
        return float(self.time[-1] - self.time[0])

    @property
    def distance(self) -> float:
        return float(np.trapezoid(self.speed, self.time))

    @property
    def max_speed(self) -> float:
        return float(self.speed.max())

    def steps(self, dt: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quasi-static steps: (mean speed m/s, acceleration m/s^2, duration s) per interval.

        With `dt` the trace is first linearly resampled to that step (for convergence checks).
        """
        t, v = self.time, self.speed
        if dt is not None:
            t_new = np.arange(t[0], t[-1] + 0.5 * dt, dt)
            v = np.interp(t_new, t, v)
            t = t_new
        h = np.diff(t)
        return 0.5 * (v[1:] + v[:-1]), np.diff(v) / h, h


@functools.cache
def load_cycle(name: str) -> Cycle:
    """Load a shipped drive cycle by name (one of `CYCLE_NAMES`)."""
    if name not in _FILES:
        raise ValueError(f"unknown drive cycle {name!r}; choose one of {', '.join(CYCLE_NAMES)}")
    path = resources.files("objectives") / "data" / "cycles" / _FILES[name]
    with path.open() as f:
        data = np.loadtxt(f, delimiter=",", skiprows=1)
    return Cycle(name=name, time=data[:, 0], speed=data[:, 1])
