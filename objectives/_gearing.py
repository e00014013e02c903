"""Reduction gearing and the axle (motors + gearbox + tyres).

An axle carries `n_motors` identical motors (0: undriven, 1: usual, 2: twin motors, one
per wheel) through one- or two-speed reduction gearing, and two tyres. `n_motors` is a
float so that layouts can be mixed within one batch and relaxed for gradients.

A single-speed box has `ratio_high=None` (the default): whether a box can have a second
gear is part of the tree structure, so a batch of single-speed designs evaluates one gear,
not two. In a batch that has second gears, a single-speed design has `ratio_high ==
ratio_low` (`with_second_gear`). A two-speed box (`ratio_high < ratio_low`) weighs more and
drags more than a single-speed one (`TWO_SPEED_EXTRA_MASS`, `TWO_SPEED_SPIN_FRAC`). Which gear it uses is
decided where the force is known: the 0-100 run takes the gear with more force at each
speed, and a drive cycle the gear that draws less from the battery at each step
(`_consumption.py`). A `disconnect` clutch (1.0) lets an axle that delivers no torque stop
its motors and gearbox, at the mass of the clutch.

Forces here are at the tyre contact patches of the whole axle (N); speeds are vehicle
speeds (m/s).
"""

import dataclasses

import jax
import jax.numpy as jnp

from ._constants import (
    DISCONNECT_MASS,
    GEAR_EFFICIENCY,
    GEAR_SPIN_TORQUE_FRAC,
    GEARBOX_MASS_PER_TORQUE,
    TWO_SPEED_EXTRA_MASS,
    TWO_SPEED_SPIN_FRAC,
)
from ._motor import SynchronousMotor
from ._pytree import Leaf, pytree_dataclass
from ._tyre import Tyre


@pytree_dataclass
class Gearbox:
    """Attributes: ratio_low (first gear, motor:wheel), ratio_high (second gear, or None for
    a single-speed box), efficiency (mesh, fraction of the torque carried), disconnect (1.0:
    a clutch stops motor and box when the axle idles), spin_torque_frac (no-load drag torque
    / rated wheel torque)."""

    ratio_low: Leaf
    ratio_high: Leaf | None = None
    efficiency: Leaf = float(GEAR_EFFICIENCY)
    disconnect: Leaf = 0.0
    spin_torque_frac: Leaf = float(GEAR_SPIN_TORQUE_FRAC)

    def ratios(self) -> tuple[Leaf, ...]:
        """The gears' ratios: (first,) or (first, second)."""
        return (self.ratio_low,) if self.ratio_high is None else (self.ratio_low, self.ratio_high)

    def two_speed(self) -> Leaf:
        """1.0 for a two-speed box, 0.0 for a single-speed one."""
        if self.ratio_high is None:
            return 0.0
        return jnp.where(self.ratio_high < self.ratio_low, 1.0, 0.0)

    def mass(self, motor_torque: Leaf) -> Leaf:
        """Gearbox mass (kg) for a motor of peak torque `motor_torque` (N m)."""
        wheel_torque = motor_torque * self.ratio_low
        return (
            GEARBOX_MASS_PER_TORQUE.value * wheel_torque
            + TWO_SPEED_EXTRA_MASS.value * self.two_speed()
            + DISCONNECT_MASS.value * self.disconnect
        )

    def spin_loss(self, motor_torque: Leaf, wheel_speed: Leaf) -> jax.Array:
        """Drag of the turning box at no load (W) at wheel speed `wheel_speed` (rad/s)."""
        drag = self.spin_torque_frac * (1.0 + TWO_SPEED_SPIN_FRAC.value * self.two_speed())
        return drag * motor_torque * self.ratio_low * jnp.abs(wheel_speed)


@pytree_dataclass
class Axle:
    """Motors, gearbox and tyres of one axle."""

    motor: SynchronousMotor
    gearbox: Gearbox
    tyre: Tyre = Tyre()
    n_motors: Leaf = 1.0

    def wheel_radius(self) -> Leaf:
        return self.tyre.rolling_radius()

    def mass(self, bus_voltage: Leaf) -> Leaf:
        """Motors, inverters, gearboxes and the two wheels with their tyres (kg)."""
        per_motor = self.motor.mass(bus_voltage) + self.gearbox.mass(self.motor.peak_torque)
        return self.n_motors * per_motor + 2.0 * self.tyre.mass()

    def inertia(self, ratio: Leaf) -> Leaf:
        """Rotating inertia seen at the wheels (kg m^2): two wheels and the rotors through `ratio`."""
        return 2.0 * self.tyre.inertia() + self.n_motors * self.motor.rotor_inertia() * ratio * ratio

    def ratios(self) -> tuple[Leaf, ...]:
        return self.gearbox.ratios()

    def peak_dc_power(self, bus_voltage: Leaf) -> Leaf:
        """DC power (W) the axle's motors draw at their launch-power point (peak torque at the
        speed where it meets the boost power)."""
        m = self.motor
        return self.n_motors * m.dc_power(m.peak_torque, m.boost_power_frac * m.base_speed, bus_voltage)

    def peak_force(self) -> Leaf:
        """Largest tractive force in first gear (N), ignoring every other limit."""
        g = self.gearbox
        return self.n_motors * self.motor.peak_torque * g.ratio_low * g.efficiency / self.wheel_radius()

    def max_force(self, speed: Leaf, ratio: Leaf, inv_speed: Leaf | None = None, power_frac: Leaf = 1.0) -> jax.Array:
        """Largest tractive force magnitude (N) in the gear of `ratio` at `speed` (m/s), before
        gear losses are charged (multiply by `efficiency` in drive, divide in regen)."""
        r = self.wheel_radius()
        w = speed * ratio * (1.0 / r)
        inv_w = None if inv_speed is None else inv_speed * r * (1.0 / ratio)
        return self.n_motors * self.motor.max_torque(w, inv_w, power_frac) * ratio * (1.0 / r)

    def _per_motor(self) -> jax.Array:
        """1 / n_motors, and 0 for an undriven axle (its motors carry no torque)."""
        n = self.n_motors
        return jnp.where(n > 0.0, 1.0 / jnp.where(n > 0.0, n, 1.0), 0.0)

    def _spin_loss(self, speed: Leaf) -> jax.Array:
        """No-load drag of the axle's gearbox (W) at vehicle speed `speed` (m/s); none without motors."""
        wheel_speed = speed * (1.0 / self.wheel_radius())
        return self.gearbox.spin_loss(self.motor.peak_torque, wheel_speed) * jnp.minimum(self.n_motors, 1.0)

    def flows(self, force: Leaf, speed: Leaf, ratio: Leaf, bus_voltage: Leaf) -> dict[str, jax.Array]:
        """Power flows (W) of the axle, motors excited, delivering a signed force `force` (N) at
        `speed` (m/s) in the gear of `ratio`: dc (drawn from the bus, negative when
        regenerating), motor_loss, gear_loss (mesh and spin) and inverter_loss."""
        r = self.wheel_radius()
        eta = self.gearbox.efficiency
        n = self.n_motors
        w = speed * ratio * (1.0 / r)
        m = self.motor
        # Motor torque: the mesh loss adds to the torque in drive and takes from it in regen.
        torque = force * (r * self._per_motor() / ratio) * jnp.where(force >= 0.0, 1.0 / eta, eta)
        shaft = n * torque * w
        motor_loss = n * m.loss(torque, w)
        spin = self._spin_loss(speed)
        inverter_loss = n * m.inverter_loss(torque, bus_voltage)
        return {
            "dc": shaft + motor_loss + spin + inverter_loss,
            "motor_loss": motor_loss,
            "gear_loss": shaft - force * speed + spin,
            "inverter_loss": inverter_loss,
        }

    def dc_terms(
        self, speed: Leaf, ratio: Leaf, bus_voltage: Leaf
    ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
        """The DC power of `flows` as a function of the force, for the drive cycles' search over
        splits and gears: dc = base + f (v_term + q f) + l |f|, with f the force before gear
        losses (F / efficiency in drive, F x efficiency in regen). Returns (base W, v_term m/s,
        q W/N^2, l m/s); only base and v_term vary along the trace."""
        r = self.wheel_radius()
        n = self.n_motors
        per_motor = self._per_motor()
        torque_per_force = r * per_motor / ratio  # N m per motor per N at the wheels
        c0, c1, c2 = self.motor.loss_terms(speed * ratio * (1.0 / r), bus_voltage)
        return (
            n * c0 + self._spin_loss(speed),
            n * per_motor * speed,
            n * c2 * torque_per_force * torque_per_force,
            n * c1 * torque_per_force,
        )

    def idle_flows(self, speed: Leaf, ratio: Leaf, bus_voltage: Leaf) -> dict[str, Leaf]:
        """Power flows (W) of the axle delivering no torque in the gear of `ratio`: motors
        de-excited where they can be, motors and box stopped where the axle disconnects."""
        r = self.wheel_radius()
        m = self.motor
        run = 1.0 - self.gearbox.disconnect
        motor_loss = run * self.n_motors * m.idle_loss(speed * ratio * (1.0 / r))
        gear_loss = run * self._spin_loss(speed)
        return {
            "dc": motor_loss + gear_loss,
            "motor_loss": motor_loss,
            "gear_loss": gear_loss,
            "inverter_loss": jnp.zeros_like(motor_loss),
        }

    def dc_power(self, force: Leaf, speed: Leaf, ratio: Leaf, bus_voltage: Leaf) -> jax.Array:
        """DC power (W) the axle draws for a signed force `force` (N); see `flows`."""
        return self.flows(force, speed, ratio, bus_voltage)["dc"]


def with_second_gear(axle: Axle) -> Axle:
    """`axle` with a second-gear slot: a single-speed box gets `ratio_high = ratio_low`, so that
    it can share a batch (one tree structure) with two-speed designs."""
    g = axle.gearbox
    if g.ratio_high is not None:
        return axle
    return dataclasses.replace(axle, gearbox=dataclasses.replace(g, ratio_high=g.ratio_low))
