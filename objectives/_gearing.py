"""Reduction gearing and the driven axle (motors + gearbox).

An axle carries `n_motors` identical motors (0: undriven, 1: usual, 2: twin motors,
one per wheel) through one- or two-speed reduction gearing. A single-speed axle has
`ratio_low == ratio_high`; a two-speed axle uses `ratio_low` below `shift_speed`
(vehicle speed, m/s) and `ratio_high` above it. `n_motors` is a float so that
layouts can be mixed within one batch and relaxed for gradients.

All forces here are at the tyre contact patch of the whole axle (N); speeds are
vehicle speeds (m/s).
"""

import jax.numpy as jnp

from ._motor import SynchronousMotor
from ._pytree import pytree_dataclass


@pytree_dataclass
class Gearbox:
    """Attributes: ratios (motor:wheel), shift_speed (m/s), efficiency (fraction),
    base_mass (kg) and mass_per_torque (kg per N m of wheel torque)."""

    ratio_low: float
    ratio_high: float
    shift_speed: float = 0.0
    efficiency: float = 0.97
    base_mass: float = 8.0
    mass_per_torque: float = 0.004

    def ratio(self, speed):
        return jnp.where(speed < self.shift_speed, self.ratio_low, self.ratio_high)

    def inverse_ratio(self, speed):
        return jnp.where(speed < self.shift_speed, 1.0 / self.ratio_low, 1.0 / self.ratio_high)


@pytree_dataclass
class Axle:
    motor: SynchronousMotor
    gearbox: Gearbox
    n_motors: float = 1.0

    def mass(self):
        wheel_torque = self.motor.peak_torque * self.gearbox.ratio_low
        per_motor = self.motor.mass() + self.gearbox.base_mass + self.gearbox.mass_per_torque * wheel_torque
        return self.n_motors * per_motor

    def reflected_inertia(self, speed):
        """Rotor inertia seen at the wheels (kg m^2)."""
        g = self.gearbox.ratio(speed)
        return self.n_motors * self.motor.rotor_inertia() * g * g

    def motor_speed(self, speed, wheel_radius):
        return speed * self.gearbox.ratio(speed) / wheel_radius

    def peak_dc_power(self):
        """DC power (W) the axle's motors draw at their peak-power point (peak torque at base speed)."""
        m = self.motor
        return self.n_motors * m.dc_power(m.peak_torque, m.base_speed)

    def peak_force(self, wheel_radius):
        """Largest tractive force in the low gear (N), ignoring every other limit."""
        g = self.gearbox
        return self.n_motors * self.motor.peak_torque * g.ratio_low * g.efficiency / wheel_radius

    def max_force(self, speed, wheel_radius, inv_speed=None, braking=False):
        """Largest tractive (or, `braking=True`, regenerative) force magnitude at `speed` (N).

        Gear losses reduce the force in drive and add to it in regen.
        `inv_speed` (1/speed, s/m) may be passed to save divisions in long traces."""
        g = self.gearbox.ratio(speed)
        w = speed * g * (1.0 / wheel_radius)
        inv_w = None if inv_speed is None else inv_speed * wheel_radius * self.gearbox.inverse_ratio(speed)
        eta = self.gearbox.efficiency
        scale = self.n_motors * (1.0 / eta if braking else eta) / wheel_radius
        return self.motor.max_torque(w, inv_w) * g * scale

    def power_flows(self, force, speed, wheel_radius):
        """Power flows (W) for a signed axle force `force` (N) at vehicle speed `speed`.

        Returns (dc_power, motor_loss, gear_loss, inverter_loss); dc_power is what the
        inverters draw from the battery bus (negative when regenerating).
        """
        eta = self.gearbox.efficiency
        inv_g = self.gearbox.inverse_ratio(speed)
        w = speed * self.gearbox.ratio(speed) * (1.0 / wheel_radius)
        n = self.n_motors
        inv_n = jnp.where(n > 0.0, 1.0 / jnp.where(n > 0.0, n, 1.0), 0.0)  # undriven: no torque
        # Motor torque: the gear loss adds to the torque in drive and takes from it in regen.
        per_motor = force * (wheel_radius * inv_n) * inv_g
        torque = per_motor * jnp.where(force >= 0.0, 1.0 / eta, eta)
        shaft = torque * w
        motor_loss = self.motor.loss(torque, w)
        dc = self.motor.dc_power(torque, w)
        gear_loss = jnp.abs(shaft - force * speed * inv_n)
        inverter_loss = jnp.abs(dc - (shaft + motor_loss))
        return n * dc, n * motor_loss, n * gear_loss, n * inverter_loss
