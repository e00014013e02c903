"""Traction motors (with their inverters).

A motor is described by its peak torque, peak power and maximum speed; everything
else (losses, mass, rotor inertia) scales with its size so that a design search can
vary the size continuously.

Loss model (per motor, W), smooth in torque `T` and speed `w`, with the machine's
size measured by its peak torque `T_pk` (torque ~ rotor volume):

    P_loss = T_pk w_ref [ c_cu (T/T_pk)^2 + c_h (w/w_ref) + c_e (w/w_ref)^2 ]

with a fixed reference speed `w_ref`. The copper term is `I^2 R ~ T^2 / size`: for a
given size and bus voltage, rewinding for a higher base speed lowers R and raises I in
proportion, so it does not depend on peak power. Iron and friction losses grow with
size and speed (hysteresis ~ w, eddy current and windage ~ w^2).
The inverter is a constant efficiency on DC power, both directions.
"""

import abc

import jax.numpy as jnp

from ._pytree import pytree_dataclass

_TAPER_FRAC = 0.02  # torque falls to zero over the last 2 % below max speed
REFERENCE_SPEED = 500.0  # rad/s (~4,800 rpm), where the loss fractions are quoted


class AbstractMotor(abc.ABC):
    """Contract every motor model satisfies (all arrays broadcast; SI units)."""

    @abc.abstractmethod
    def max_torque(self, speed, inv_speed=None):
        """Largest torque magnitude (N m) available at shaft speed `speed` (rad/s, >= 0).

        `inv_speed` (s/rad), when the caller has it, saves a division per element."""

    @abc.abstractmethod
    def loss(self, torque, speed):
        """Motor loss (W, >= 0) at shaft torque `torque` (N m, either sign), speed (rad/s)."""

    @abc.abstractmethod
    def mass(self):
        """Motor plus inverter mass (kg)."""

    @abc.abstractmethod
    def rotor_inertia(self):
        """Rotor moment of inertia (kg m^2)."""

    @property
    @abc.abstractmethod
    def inverter_efficiency(self):
        """Inverter efficiency (fraction), applied to DC power in both directions."""

    def dc_power(self, torque, speed):
        """DC-side electrical power (W): positive when motoring, negative in regen."""
        shaft_plus_loss = torque * speed + self.loss(torque, speed)
        eta = self.inverter_efficiency
        return shaft_plus_loss * jnp.where(shaft_plus_loss > 0.0, 1.0 / eta, eta)


@pytree_dataclass
class SynchronousMotor(AbstractMotor):
    """Permanent-magnet or wound-rotor synchronous machine with a size-scaled loss model.

    Attributes:
        peak_torque: N m, available from standstill up to base speed.
        peak_power: W, the limit above base speed.
        max_speed: rad/s, torque tapers to zero just below it.
        copper_loss_frac: copper loss at peak torque, fraction of T_pk * w_ref.
        hysteresis_loss_frac: hysteresis + friction loss at w_ref, fraction of T_pk * w_ref.
        eddy_loss_frac: eddy-current + windage loss at w_ref, fraction of T_pk * w_ref.
        specific_power: W/kg of motor plus inverter.
        inertia_per_torque: rotor inertia per unit peak torque, kg m^2 / (N m).
        inverter_eff: fraction.
    """

    peak_torque: float
    peak_power: float
    max_speed: float
    copper_loss_frac: float = 0.07
    hysteresis_loss_frac: float = 0.0025
    eddy_loss_frac: float = 0.0003
    specific_power: float = 4000.0
    inertia_per_torque: float = 1.2e-4
    inverter_eff: float = 0.97

    @property
    def base_speed(self):
        return self.peak_power / self.peak_torque

    @property
    def inverter_efficiency(self):
        return self.inverter_eff

    def max_torque(self, speed, inv_speed=None):
        speed = jnp.abs(speed)
        if inv_speed is None:
            inv_speed = 1.0 / jnp.maximum(speed, 1e-6)
        envelope = jnp.minimum(self.peak_torque, self.peak_power * jnp.abs(inv_speed))
        taper = jnp.clip((self.max_speed - speed) * (1.0 / (_TAPER_FRAC * self.max_speed)), 0.0, 1.0)
        return envelope * taper

    def loss(self, torque, speed):
        # Products with per-design reciprocals: no division per time step.
        x = jnp.abs(speed) * (1.0 / REFERENCE_SPEED)
        tau = torque * (1.0 / self.peak_torque)
        return self.peak_torque * REFERENCE_SPEED * (
            self.copper_loss_frac * tau * tau
            + self.hysteresis_loss_frac * x
            + self.eddy_loss_frac * x * x
        )

    def mass(self):
        return self.peak_power / self.specific_power

    def rotor_inertia(self):
        return self.inertia_per_torque * self.peak_torque
