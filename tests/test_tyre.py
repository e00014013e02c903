"""Tyres: size geometry (ETRTO), label classes, the rolling-resistance speed shape, mass and
inertia against a published tyre, the drag of wider tyres, and the spec rules that pick a
tyre when its line is not published."""

import dataclasses
import math

import jax.numpy as jnp
import numpy as np
import pytest
from model_helpers import KMH, make_vehicle

import objectives as ob
from objectives._spec import spec_tyres

# TNO MF-Tyre 6.2 example tyre 205/60 R15 (the `TNO_car205_60R15` property file shipped with
# MF-Tyre and with open tyre models, e.g. github.com/Tencent/TAD_Sim TNOTire defaults):
# MASS 9.3 kg, IYY 0.736 kg m^2 (tyre alone, without the wheel); QSY1/QSY3/QSY4 and LONGVL.
TNO_MASS = 9.3
TNO_IYY = 0.736
TNO_QSY = (7.02e-3, 1.515e-3, 8.514e-5)
TNO_LONGVL = 16.7


def test_parse_size_reads_iso_sizes():
    assert ob.parse_size("205/55 R16") == pytest.approx((0.205, 0.55, 16 * 0.0254))
    assert ob.parse_size("255/35 ZR21 98Y") == pytest.approx((0.255, 0.35, 21 * 0.0254))
    assert ob.parse_size("F 245/40R20, R 275/35R20") == pytest.approx((0.245, 0.40, 20 * 0.0254))
    assert ob.parse_size("19-inch (size not found)") is None


@pytest.mark.parametrize(
    "args, field", [(("19 inch",), "size"), (("235/55 R19", "F"), "label"), (("235/55 R19", "B", "slick"), "category")]
)
def test_bad_tyre_arguments_name_the_field(args, field):
    with pytest.raises(ValueError, match=field):
        ob.tyre(*args)


def test_rolling_radius_is_the_etrto_circumference():
    # ETRTO: dynamic rolling circumference = 3.05 x overall diameter.
    t = ob.tyre("205/55 R16")
    overall_diameter = 16 * 0.0254 + 2 * 0.205 * 0.55
    assert float(t.outer_radius()) == pytest.approx(overall_diameter / 2, rel=1e-12)
    assert 2 * math.pi * float(t.rolling_radius()) == pytest.approx(3.05 * overall_diameter, rel=1e-12)


def test_label_classes_are_ordered_within_their_regulation_bands():
    # Regulation (EU) 2020/740 Annex I, C1 tyres (kg/t): A <= 6.5, B 6.6-7.7, C 7.8-9.0, D 9.1-10.5, E >= 10.6.
    bands = {"A": (0.0, 6.5), "B": (6.6, 7.7), "C": (7.8, 9.0), "D": (9.1, 10.5), "E": (10.6, 13.0)}
    values = [float(ob.tyre(label=c).label_rrc) * 1e3 for c in ob.LABEL_CLASSES]
    assert values == sorted(values) and len(set(values)) == len(values)
    for c, v in zip(ob.LABEL_CLASSES, values):
        lo, hi = bands[c]
        assert lo <= v <= hi, (c, v)


def test_speed_shape_is_the_mf_tyre_form():
    q1, q3, q4 = TNO_QSY

    def mf(v_kmh):
        x = v_kmh * KMH / TNO_LONGVL
        return q1 + q3 * x + q4 * x**4

    for v in (0.0, 30.0, 50.0, 80.0, 130.0, 180.0):
        assert float(ob._tyre.rrc_speed_factor(v * KMH)) == pytest.approx(mf(v) / mf(80.0), rel=1e-12)
    assert float(ob._tyre.rrc_speed_factor(80.0 * KMH)) == pytest.approx(1.0, rel=1e-12)
    # rises with speed: the label's 80 km/h value understates a motorway run
    speeds = jnp.linspace(0.0, 60.0, 61)
    assert np.all(np.diff(np.asarray(ob._tyre.rrc_speed_factor(speeds))) > 0)


def test_mass_and_inertia_of_the_mf_tyre_example():
    t = ob.tyre("205/60 R15")
    (tread_m, tread_j), (side_m, side_j), *_ = t._parts()
    mass, inertia = tread_m + side_m, tread_j + side_j
    # The mass per area is a median of tyres spread 10.3-14.3 kg/m^2 (-23 %/+8 %): the mass
    # is held to that spread; the radius of gyration (inertia / mass) is geometry alone.
    assert mass == pytest.approx(TNO_MASS, rel=0.15)
    assert math.sqrt(inertia / mass) == pytest.approx(math.sqrt(TNO_IYY / TNO_MASS), rel=0.05)


@pytest.mark.parametrize(
    "field, bigger", [("section_width", 0.275), ("rim_diameter", 21 * 0.0254), ("aspect_ratio", 0.65)]
)
def test_bigger_tyres_weigh_more_and_spin_harder(field, bigger):
    small = ob.Tyre()
    large = dataclasses.replace(small, **{field: bigger})
    assert float(large.mass()) > float(small.mass())
    assert float(large.inertia()) > float(small.inertia())


def _car(tyre, drag_tyre_width):
    body = ob.Body(glider_mass=1500.0, drag_coefficient=0.28, frontal_area=2.3, drag_tyre_width=drag_tyre_width)
    return make_vehicle("RWD", body=body, tyre=tyre)


def test_wider_tyres_add_drag_by_the_published_slope():
    # Hucho (after Kerschbaum): Cd 0.293 on 155 mm and 0.311 on 205 mm tyres, 0.36 per m of width.
    narrow, wide = ob.tyre("205/55 R17"), ob.tyre("255/55 R17")
    car_narrow = _car(narrow, drag_tyre_width=0.205)
    car_wide = dataclasses.replace(
        car_narrow,
        front=dataclasses.replace(car_narrow.front, tyre=wide),
        rear=dataclasses.replace(car_narrow.rear, tyre=wide),
    )
    assert float(car_wide.drag_coefficient()) - 0.28 == pytest.approx(0.36 * 0.050, rel=1e-9)
    # its own tyres: the published Cd holds unchanged
    assert float(_car(wide, drag_tyre_width=0.255).drag_coefficient()) == pytest.approx(0.28, rel=1e-12)
    # the road load differs by the aero term alone when the labels and masses match
    m, v = 1800.0, 30.0
    aero = 0.5 * float(car_narrow.body.air_density) * 0.36 * 0.050 * 2.3 * v * v
    rolling = lambda car: float(car.road_load(v, m)) - float(car.aero_drag(v))  # noqa: E731
    assert rolling(car_wide) == pytest.approx(rolling(car_narrow), rel=1e-12)
    assert float(car_wide.road_load(v, m)) - float(car_narrow.road_load(v, m)) == pytest.approx(aero, rel=1e-9)


def _spec_tyres(size, **fields):
    return spec_tyres({"tyre_size": size, **fields})


def test_low_profile_tyres_of_unknown_line_are_performance_tyres():
    front, rear = _spec_tyres("F 245/35 R20, R 275/30 R20")
    for t in (front, rear):
        assert float(t.label_rrc) == pytest.approx(float(ob.tyre(label="C").label_rrc))
        assert float(t.friction) == pytest.approx(float(ob.tyre(category="uhp").friction))
    front, rear = _spec_tyres("215/55 R18")
    assert float(front.label_rrc) == pytest.approx(float(ob.tyre(label="B").label_rrc))
    assert float(front.friction) == pytest.approx(float(ob.tyre(category="touring").friction))


def test_published_label_and_line_override_the_size_rule():
    front, _ = _spec_tyres("245/35 R20", tyre_label_rolling_resistance="A")
    assert float(front.label_rrc) == pytest.approx(float(ob.tyre(label="A").label_rrc))
    front, _ = _spec_tyres("215/55 R18", tyre_model="Michelin Pilot Sport 4S")
    assert float(front.friction) == pytest.approx(float(ob.tyre(category="uhp").friction))
