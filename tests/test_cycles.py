"""Shipped drive cycles against their published figures.

Published duration / distance / maximum speed:
- WLTC class 3b: UN GTR No. 15 (WLTP), Annex 1: 1800 s, 23.266 km, 131.3 km/h.
- UDDS (FTP-72): US EPA, 40 CFR 86 App. I: 1369 s, 11.99 km (7.45 mi), 91.3 km/h (56.7 mph).
- HWFET: US EPA, 40 CFR 600 App. I: 765 s, 16.51 km (10.26 mi), 96.4 km/h (59.9 mph).
- US06: US EPA, 40 CFR 86 App. I: 600 s, 12.89 km (8.01 mi), 129.2 km/h (80.3 mph).
"""

import numpy as np
import pytest

import objectives as ob

PUBLISHED = {
    # name: (duration s, distance km, max speed km/h)
    "wltc": (1800.0, 23.266, 131.3),
    "udds": (1369.0, 11.99, 91.3),
    "hwfet": (765.0, 16.51, 96.4),
    "us06": (600.0, 12.89, 129.2),
}


def test_every_shipped_cycle_has_a_published_reference():
    assert set(ob.CYCLE_NAMES) == set(PUBLISHED)


@pytest.mark.parametrize("name", ob.CYCLE_NAMES)
def test_cycle_loads_and_is_a_valid_trace(name):
    c = ob.load_cycle(name)
    assert c.name == name
    assert c.time.shape == c.speed.shape and c.time.ndim == 1
    assert np.all(np.isfinite(c.time)) and np.all(np.isfinite(c.speed))
    assert np.all(np.diff(c.time) > 0.0)
    assert np.all(c.speed >= 0.0)
    assert c.speed[0] == 0.0 and c.speed[-1] == 0.0  # from rest to rest


@pytest.mark.parametrize("name", ob.CYCLE_NAMES)
def test_cycle_matches_published_figures(name):
    duration_s, distance_km, vmax_kmh = PUBLISHED[name]
    c = ob.load_cycle(name)
    # Independent trapezoid of the raw trace (not the Cycle properties).
    distance_m = float(np.sum(0.5 * (c.speed[1:] + c.speed[:-1]) * np.diff(c.time)))
    assert c.time[-1] - c.time[0] == pytest.approx(duration_s, abs=0.5)
    assert distance_m / 1e3 == pytest.approx(distance_km, rel=5e-3)
    assert c.speed.max() * 3.6 == pytest.approx(vmax_kmh, abs=0.15)
    # The Cycle properties agree with the raw computation.
    assert c.duration == pytest.approx(duration_s, abs=0.5)
    assert c.distance == pytest.approx(distance_m, rel=1e-12)
    assert c.max_speed * 3.6 == pytest.approx(vmax_kmh, abs=0.15)


@pytest.mark.parametrize("name", ob.CYCLE_NAMES)
def test_steps_preserve_distance_and_speed_changes(name):
    c = ob.load_cycle(name)
    for dt in (None, 0.5):
        speed, accel, h = c.steps(dt)
        assert float(np.sum(h)) == pytest.approx(c.duration, rel=1e-12)
        assert float(np.sum(speed * h)) == pytest.approx(c.distance, rel=1e-9)  # trace is piecewise linear
        assert float(np.sum(accel * h)) == pytest.approx(c.speed[-1] - c.speed[0], abs=1e-9)


def test_unknown_cycle_raises_naming_the_choices():
    with pytest.raises(ValueError) as err:
        ob.load_cycle("nedc_typo")
    message = str(err.value)
    assert "nedc_typo" in message
    for name in ob.CYCLE_NAMES:
        assert name in message
