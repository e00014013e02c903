"""Body, road load, traction and the whole vehicle.

Road load (N) at speed v on a level road:

    F = sum over axles C_rr,axle(v) N_axle + 0.5 rho C_d A v^2

with each axle's tyres rolling under its static share of the weight (the EU label
value `Tyre.label_rrc`, taken as the road value at the label's 80 km/h, times
`rrc_speed_factor`, growing with speed), and
C_d that of the body on the tyres it was quoted for, plus `DRAG_PER_TYRE_WIDTH` per m of
wider tyres (`Vehicle.drag_coefficient`).

Effective mass in the 0-100 run and on the cycles:
    m_eff = m + sum over axles (2 J_wheel + n J_rotor G^2) / r^2,
from inertias rather than a fixed factor. Axle normal loads with longitudinal load transfer
at acceleration a:  N_front = m (g w_f - a h / L),  N_rear = m (g (1 - w_f) + a h / L).

Masses: kerb (no driver) = glider + pack + axles (motors, inverters, gearboxes, wheels and
tyres). The 0-100 run carries a driver; each drive cycle runs at its standard's test mass
(WLTP: kerb + driver + 25 kg + 15 % of the maximum load; EPA: curb + 300 lb).
"""

import jax
import jax.numpy as jnp

from ._battery import Pack
from ._constants import (
    AIR_DENSITY,
    AUX_POWER,
    DRAG_PER_TYRE_WIDTH,
    DRIVER_MASS,
    EPA_EXTRA_MASS,
    MAX_LOAD,
    REGEN_FADE_HIGH,
    REGEN_FADE_LOW,
    WLTP_EXTRA_MASS,
    WLTP_LOAD_FRAC,
)
from ._gearing import Axle
from ._pytree import Leaf, field_default, pytree_dataclass
from ._tyre import Tyre, mean_section_width, rrc_speed_factor
from ._units import G0


@pytree_dataclass
class Body:
    """Everything that is neither powertrain, pack nor wheels. Attributes (SI):

    glider_mass: kg, kerb mass without pack, motors, gearboxes, wheels and tyres (no driver).
    drag_coefficient, frontal_area (m^2), cg_height (m), wheelbase (m),
    front_weight_frac (static share of the weight on the front axle), air_density (kg/m^3),
    driver_mass (kg, carried in the 0-100 run and in the WLTP test mass),
    max_load (kg, maximum vehicle load: the WLTP test mass carries 15 % of it),
    drag_tyre_width (m, the tyre section width the drag coefficient holds for, by default that
    of the default `Tyre`; wider tyres add `DRAG_PER_TYRE_WIDTH` per m).
    """

    glider_mass: Leaf
    drag_coefficient: Leaf
    frontal_area: Leaf
    cg_height: Leaf = 0.55
    wheelbase: Leaf = 2.75
    front_weight_frac: Leaf = 0.55
    air_density: Leaf = float(AIR_DENSITY)
    driver_mass: Leaf = float(DRIVER_MASS)
    max_load: Leaf = float(MAX_LOAD)
    drag_tyre_width: Leaf = float(field_default(Tyre, "section_width"))

    def axle_loads(self, mass: Leaf, accel: Leaf) -> tuple[jax.Array, jax.Array]:
        """Normal loads (N) on (front, rear) axles at longitudinal acceleration `accel` (m/s^2)."""
        weight = mass * G0
        transfer = mass * accel * self.cg_height / self.wheelbase
        front = jnp.clip(weight * self.front_weight_frac - transfer, 0.0, weight)  # a wheelie at most
        return front, weight - front


@pytree_dataclass
class Vehicle:
    """A complete design. Attributes: body, front and rear axles, pack,
    aux_power (W, constant auxiliary load), regen_fade_low / regen_fade_high (m/s:
    regenerative braking fades linearly to zero between these speeds; friction brakes
    take the rest), speed_limit (m/s, a governed top speed; none by default)."""

    body: Body
    front: Axle
    rear: Axle
    pack: Pack
    aux_power: Leaf = float(AUX_POWER)
    regen_fade_low: Leaf = float(REGEN_FADE_LOW)
    regen_fade_high: Leaf = float(REGEN_FADE_HIGH)
    speed_limit: Leaf = 1e3

    def axles(self) -> tuple[Axle, Axle]:
        return self.front, self.rear

    def bus_voltage(self) -> jax.Array:
        """Nominal DC bus voltage (V): the pack's open-circuit voltage averaged over its window."""
        return self.pack.mean_ocv()

    def min_bus_voltage(self) -> jax.Array:
        """Lowest open-circuit bus voltage (V), at the bottom of the window: inverters are rated for it."""
        return self.pack.ocv(self.pack.soc_min)

    def kerb_mass(self) -> Leaf:
        v_min = self.min_bus_voltage()
        return self.body.glider_mass + self.pack.mass() + self.front.mass(v_min) + self.rear.mass(v_min)

    def accel_mass(self) -> Leaf:
        return self.kerb_mass() + self.body.driver_mass

    def test_mass(self, standard: str = "wltp") -> Leaf:
        """Test mass (kg) of a drive-cycle standard: 'wltp' or 'epa'."""
        if standard == "epa":
            return self.kerb_mass() + EPA_EXTRA_MASS.value
        return (
            self.kerb_mass() + self.body.driver_mass + WLTP_EXTRA_MASS.value + WLTP_LOAD_FRAC.value * self.body.max_load
        )

    def static_axle_loads(self, mass: Leaf) -> tuple[jax.Array, jax.Array]:
        return self.body.axle_loads(mass, 0.0)

    def road_load(self, speed: Leaf, mass: Leaf) -> jax.Array:
        """Rolling resistance of both axles' tyres plus aerodynamic drag (N) at `speed` (m/s)."""
        n_front, n_rear = self.static_axle_loads(mass)
        # One speed factor for both axles: taking it per tyre gave NaN forward-mode derivatives
        # of the 0-100 time (check_grads in tests/test_performance.py).
        at_label_speed = self.front.tyre.label_rrc * n_front + self.rear.tyre.label_rrc * n_rear
        return at_label_speed * rrc_speed_factor(speed) + self.aero_drag(speed)

    def aero_drag(self, speed: Leaf) -> Leaf:
        """Aerodynamic drag (N) at `speed` (m/s), with the drag coefficient on this car's tyres."""
        body = self.body
        return 0.5 * body.air_density * self.drag_coefficient() * body.frontal_area * speed * speed

    def drag_coefficient(self) -> Leaf:
        """The body's drag coefficient on this car's tyres: wider tyres than those it was
        measured on add `DRAG_PER_TYRE_WIDTH` per m of mean section width."""
        width = mean_section_width(self.front.tyre, self.rear.tyre)
        return self.body.drag_coefficient + DRAG_PER_TYRE_WIDTH.value * (width - self.body.drag_tyre_width)

    def drive_share(self) -> Leaf:
        """Fraction of tractive force sent to the front axle when both axles drive.

        Proportional to each axle's peak force: for copper losses ~ T^2 / size this is the
        split with least loss, and it sends everything to the only driven axle otherwise.
        """
        f = self.front.peak_force()
        return f / (f + self.rear.peak_force())
