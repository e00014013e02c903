"""Tyres and wheels: size, rolling resistance from the EU label, grip, mass and inertia.

A `Tyre` is one size and compound; each axle carries two. From the ISO size
(section width / aspect ratio R rim) follow the unloaded radius, the dynamic rolling
radius (ETRTO), and the mass and moment of inertia of tyre and wheel: each part's mass is
its area times a mass per area from published tyre and wheel masses, its inertia follows
from where that mass sits (tread at the outer radius, barrel at the rim).

Rolling resistance. The EU label grades the coefficient measured on a 2 m drum at
80 km/h (ISO 28580 / UN R117 Annex 6). The model takes the value WLTP road-load
interpolation assigns to each label class (`LABEL_RRC`) as the road value at 80 km/h: a
flat road flexes the tyre less than the drum's curvature (about -13 % for a 2 m drum,
Clark's sqrt(1 + r/R)), and real road texture, absent on the smooth steel drum, raises it
by a like amount (Sandberg et al., MIRIAM SP1 report 04, 2011); no published figure
separates the two, so neither is applied. The coefficient follows speed with the
MF-Tyre 6.2 rolling-resistance shape (`RRC_SPEED_SHAPE`): 0.89 of the 80 km/h value at
50 km/h, 1.31 at 130 km/h.

Grip. Peak dry friction by tyre category (eco, touring, ultra-high-performance, track),
from published braking tests (`FRICTION`).
"""

import math
import re

import jax
import jax.numpy as jnp

from ._constants import (
    DYNAMIC_RADIUS_FACTOR,
    FRICTION,
    LABEL_RRC,
    RRC_REFERENCE_SPEED,
    RRC_SHAPE_SPEED,
    RRC_SPEED_SHAPE,
    TYRE_MASS_PER_AREA,
    WHEEL_MASS_PER_AREA,
)
from ._pytree import Leaf, pytree_dataclass
from ._units import INCH, MM

LABEL_CLASSES = tuple(LABEL_RRC)
CATEGORIES = tuple(FRICTION)
_SIZE = re.compile(r"(\d{3})\s*/\s*(\d{2})\s*Z?R\s*F?\s*(\d{2}(?:\.\d)?)", re.IGNORECASE)


@pytree_dataclass
class Tyre:
    """One tyre on its wheel. Attributes (SI):

    section_width: m; aspect_ratio: sidewall height / section width; rim_diameter: m;
    label_rrc: rolling-resistance coefficient (N/N) as the EU label measures it (drum, 80 km/h);
    friction: peak longitudinal friction coefficient on dry asphalt.
    """

    section_width: Leaf = 235.0 * MM
    aspect_ratio: Leaf = 0.55
    rim_diameter: Leaf = 19.0 * INCH
    label_rrc: Leaf = float(LABEL_RRC["B"])
    friction: Leaf = float(FRICTION["touring"])

    def outer_radius(self) -> Leaf:
        """Unloaded outer radius (m)."""
        return 0.5 * self.rim_diameter + self.section_width * self.aspect_ratio

    def rolling_radius(self) -> Leaf:
        """Dynamic rolling radius (m): rolling circumference / 2 pi."""
        return DYNAMIC_RADIUS_FACTOR.value * self.outer_radius()

    def _parts(self) -> tuple[tuple[Leaf, Leaf], ...]:
        """(mass kg, moment of inertia kg m^2) of each part, from its area and radius: the tread
        a ring at the outer radius, the sidewalls and the wheel's disc uniform annuli, the
        wheel's barrel a ring at the rim radius."""
        r_out = self.outer_radius()
        r_rim = 0.5 * self.rim_diameter
        tread = TYRE_MASS_PER_AREA.value * 2.0 * math.pi * r_out * self.section_width
        sides = TYRE_MASS_PER_AREA.value * 2.0 * math.pi * (r_out * r_out - r_rim * r_rim)
        barrel = WHEEL_MASS_PER_AREA.value * 2.0 * math.pi * r_rim * self.section_width
        disc = WHEEL_MASS_PER_AREA.value * math.pi * r_rim * r_rim
        return (
            (tread, tread * r_out * r_out),
            (sides, 0.5 * sides * (r_out * r_out + r_rim * r_rim)),
            (barrel, barrel * r_rim * r_rim),
            (disc, 0.5 * disc * r_rim * r_rim),
        )

    def tyre_mass(self) -> Leaf:
        """The tyre alone (kg)."""
        (tread, _), (sides, _), *_ = self._parts()
        return tread + sides

    def mass(self) -> Leaf:
        """Tyre and wheel (kg)."""
        return sum(m for m, _ in self._parts())

    def inertia(self) -> Leaf:
        """Moment of inertia of tyre and wheel about the axle (kg m^2)."""
        return sum(j for _, j in self._parts())


def mean_section_width(front: Tyre, rear: Tyre) -> Leaf:
    """Mean section width (m) of a car's front and rear `Tyre`s: the width its drag
    coefficient is quoted for (`Body.drag_tyre_width`)."""
    return 0.5 * (front.section_width + rear.section_width)


def rrc_speed_factor(speed: Leaf) -> jax.Array:
    """Rolling-resistance coefficient at `speed` (m/s) relative to its value at the label's
    test speed: the MF-Tyre 6.2 form q1 + q3 |v / v_ref| + q4 (v / v_ref)^4."""
    q1, q3, q4 = (c.value for c in RRC_SPEED_SHAPE)
    v_ref = RRC_SHAPE_SPEED.value

    def shape(v: Leaf) -> jax.Array:
        x = v * (1.0 / v_ref)
        x2 = x * x
        return q1 + q3 * jnp.abs(x) + q4 * x2 * x2

    return shape(speed) * (1.0 / shape(RRC_REFERENCE_SPEED.value))


def parse_size(size: str | None) -> tuple[float, float, float] | None:
    """(section width m, aspect ratio, rim diameter m) of an ISO size such as '255/45 R19', or None."""
    m = _SIZE.search(str(size or ""))
    if not m:
        return None
    width_mm, aspect, rim_in = (float(g) for g in m.groups())
    return width_mm * MM, aspect / 100.0, rim_in * INCH


def tyre(size: str = "235/55 R19", label: str = "B", category: str = "touring") -> Tyre:
    """A `Tyre` from an ISO size, an EU label rolling-resistance class (A-E) and a category."""
    parsed = parse_size(size)
    if parsed is None:
        raise ValueError(f"tyre size {size!r} is not an ISO size like '255/45 R19'")
    if label not in LABEL_RRC:
        raise ValueError(f"tyre label class {label!r} must be one of {', '.join(LABEL_CLASSES)}")
    if category not in FRICTION:
        raise ValueError(f"tyre category {category!r} must be one of {', '.join(CATEGORIES)}")
    width, aspect, rim = parsed
    return Tyre(
        section_width=width,
        aspect_ratio=aspect,
        rim_diameter=rim,
        label_rrc=float(LABEL_RRC[label]),
        friction=float(FRICTION[category]),
    )
