"""Body, road load, traction and the whole vehicle.

Road load (N) at speed v on a level road:  F = (C_rr + C_rr,v v) m g + 0.5 rho C_d A v^2,
the coast-down form f0 + f1 v + f2 v^2: the f1 term is the rise of tyre rolling
resistance and bearing/brake drag with speed.
Effective (translational + rotating) mass:  m_eff = m + (4 J_wheel + sum_axles n J_rotor G^2) / r^2,
computed from inertias rather than a fixed factor.
Axle normal loads with longitudinal load transfer at acceleration a:
    N_front = m (g w_f - a h / L),   N_rear = m (g (1 - w_f) + a h / L)
where w_f is the static front weight fraction, h the CG height, L the wheelbase.
"""

import jax.numpy as jnp

from ._battery import Pack
from ._gearing import Axle
from ._pytree import pytree_dataclass
from ._units import G0


@pytree_dataclass
class Body:
    """Everything that is neither powertrain nor pack. Attributes (SI):

    glider_mass: kg, kerb mass without pack, motors and gearboxes (no driver).
    drag_coefficient, frontal_area (m^2), rolling_resistance (C_rr at standstill),
    rolling_resistance_speed (s/m, growth of C_rr per m/s of speed),
    wheel_radius (m, dynamic rolling radius), wheel_inertia (kg m^2, per wheel incl. tyre),
    cg_height (m), wheelbase (m), front_weight_frac (static), tyre_friction (peak mu),
    air_density (kg/m^3), driver_mass (kg, carried in the 0-100 run),
    test_mass_extra (kg above kerb for the drive-cycle test mass: WLTP TM is mass in
    running order + 25 kg + 15 % of max payload; EPA ETW is curb + 300 lb; both ~ +150 kg).
    """

    glider_mass: float
    drag_coefficient: float
    frontal_area: float
    rolling_resistance: float = 0.0080
    rolling_resistance_speed: float = 6e-5
    wheel_radius: float = 0.33
    wheel_inertia: float = 0.9
    cg_height: float = 0.55
    wheelbase: float = 2.75
    front_weight_frac: float = 0.55
    tyre_friction: float = 1.0
    air_density: float = 1.2
    driver_mass: float = 75.0
    test_mass_extra: float = 150.0

    def road_load(self, speed, mass):
        """Rolling + aerodynamic resistance (N) at speed (m/s) for mass (kg)."""
        aero = 0.5 * self.air_density * self.drag_coefficient * self.frontal_area * speed * speed
        rolling = self.rolling_resistance + self.rolling_resistance_speed * speed
        return rolling * mass * G0 + aero

    def axle_loads(self, mass, accel):
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
    take the rest)."""

    body: Body
    front: Axle
    rear: Axle
    pack: Pack
    aux_power: float = 300.0
    regen_fade_low: float = 5.0 / 3.6
    regen_fade_high: float = 15.0 / 3.6

    def kerb_mass(self):
        return self.body.glider_mass + self.pack.mass() + self.front.mass() + self.rear.mass()

    def accel_mass(self):
        return self.kerb_mass() + self.body.driver_mass

    def test_mass(self):
        return self.kerb_mass() + self.body.test_mass_extra

    def effective_mass(self, speed, mass):
        r = self.body.wheel_radius
        inertia = 4.0 * self.body.wheel_inertia + self.front.reflected_inertia(speed) + self.rear.reflected_inertia(speed)
        return mass + inertia / (r * r)

    def drive_share(self):
        """Fraction of tractive force sent to the front axle in normal driving.

        Proportional to each axle's peak force: for copper losses ~ T^2 / size this is the
        split with least loss, and it sends everything to the only driven axle otherwise.
        """
        r = self.body.wheel_radius
        f = self.front.peak_force(r)
        return f / (f + self.rear.peak_force(r))
