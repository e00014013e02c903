"""Traction motors and their inverters.

A motor is described by its peak torque, peak power and maximum speed; its losses, mass
and rotor inertia scale with its size so that a design search can vary it continuously.
Size is measured by peak torque: torque is proportional to rotor volume (the air-gap
shear stress of a given cooling and magnet technology is a constant).

Losses (W, per motor), smooth in torque T and speed w, with tau = T / T_pk and
x = w / w_ref, as fractions of T_pk w_ref:

    copper      c_cu tau^2      I^2 R ~ T^2 / size
    stray       c_st |tau|      losses that follow the current (PWM harmonics, stray load)
    iron        c_fe x^2        eddy currents and field weakening, per unit of active volume
    mechanical  c_m x^2         bearings and windage
    excitation  c_ex (a + (1 - a) |tau|)^2   rotor field winding I_f^2 R_f (EESM only), the
                field current following the torque from a share `a` of its peak

The constants come from the measured map of a production drive (VW ID.3 APP310, see
`_constants.py`). A permanent-magnet machine pays its iron loss whenever it turns; an
externally excited (EESM) or induction machine carries no flux, and so no iron loss, when
it delivers no torque (`idle_iron_frac` 0 rather than 1); an EESM pays for its field in the
rotor winding whenever it is excited (`excitation_loss_frac`).

The inverter loses (conduction and switching) in proportion to the phase current, which
follows the torque: P_inv = |tau| P_pk (k_sw + V_c / V_bus). Its current rating is
P_pk / V_bus, so a higher bus voltage carries the same power on less current: the
conduction part falls as 1 / V.

Ratings: `peak_power` for up to ~30 s, `boost_power_frac` x peak for a launch
(overboost), `continuous_power_frac` x peak for 30 minutes (UN R85).
Mass: motor ~ peak torque, inverter ~ the current it is rated for (launch power over the
lowest bus voltage).
"""

import abc

import jax
import jax.numpy as jnp

from ._constants import (
    CONTINUOUS_POWER_FRAC,
    EXCITATION_OFFSET,
    INVERTER_CONDUCTION_DROP,
    INVERTER_MASS_PER_CURRENT,
    INVERTER_SWITCHING_FRAC,
    MOTOR_TYPES,
    REFERENCE_SPEED,
    ROTOR_INERTIA_PER_TORQUE,
)
from ._pytree import Leaf, pytree_dataclass

_TAPER_FRAC = 0.02  # numerical: torque falls to zero over the last 2 % below max speed
_PMSM = MOTOR_TYPES["pmsm"]


class AbstractMotor(abc.ABC):
    """Contract every motor model satisfies (all arrays broadcast; SI units)."""

    @abc.abstractmethod
    def max_torque(self, speed: Leaf, inv_speed: Leaf | None = None, power_frac: Leaf = 1.0) -> Leaf:
        """Largest torque magnitude (N m) at shaft speed `speed` (rad/s, >= 0), with the
        power limit scaled by `power_frac` (boost > 1, continuous < 1).

        `inv_speed` (s/rad), when the caller has it, saves a division per element."""

    @abc.abstractmethod
    def loss(self, torque: Leaf, speed: Leaf) -> Leaf:
        """Motor loss (W, >= 0) at shaft torque `torque` (N m, either sign) and `speed` (rad/s),
        excited."""

    @abc.abstractmethod
    def idle_loss(self, speed: Leaf) -> Leaf:
        """Loss (W, >= 0) at `speed` when delivering no torque: what it costs to carry this motor
        along (de-excited where the machine allows)."""

    @abc.abstractmethod
    def inverter_loss(self, torque: Leaf, bus_voltage: Leaf) -> Leaf:
        """Inverter loss (W, >= 0) at motor torque `torque` (N m) on a bus of `bus_voltage` (V)."""

    @abc.abstractmethod
    def loss_terms(self, speed: Leaf, bus_voltage: Leaf) -> tuple[Leaf, Leaf, Leaf]:
        """Motor plus inverter loss, excited, as c0 + c1 |T| + c2 T^2 (W) at shaft speed `speed`
        (rad/s) on a bus of `bus_voltage` (V): (c0 W, c1 W/(N m), c2 W/(N m)^2). The same
        figures as `loss` + `inverter_loss`, in the form a drive-cycle step evaluates fastest."""

    @abc.abstractmethod
    def mass(self, bus_voltage: Leaf) -> Leaf:
        """Motor plus inverter mass (kg), the inverter rated for the launch power at `bus_voltage`
        (V, the lowest)."""

    @abc.abstractmethod
    def rotor_inertia(self) -> Leaf:
        """Rotor moment of inertia (kg m^2)."""

    def dc_power(self, torque: Leaf, speed: Leaf, bus_voltage: Leaf) -> Leaf:
        """DC-side electrical power (W): positive when motoring, negative in regen."""
        return torque * speed + self.loss(torque, speed) + self.inverter_loss(torque, bus_voltage)


@pytree_dataclass
class SynchronousMotor(AbstractMotor):
    """A traction machine with a size-scaled loss model (permanent magnet by default;
    `MOTOR_TYPES` holds the constants of permanent-magnet, externally excited and
    induction machines).

    Attributes:
        peak_torque: N m, available from standstill up to base speed.
        peak_power: W, the limit above base speed.
        max_speed: rad/s, torque tapers to zero just below it.
        boost_power_frac: launch (overboost) power / peak power (>= 1).
        continuous_power_frac: 30-minute power / peak power.
        copper_loss_frac, stray_loss_frac, iron_loss_frac, mechanical_loss_frac:
            loss coefficients, fractions of T_pk * w_ref (see the module docstring).
        idle_iron_frac: share of the iron loss paid when delivering no torque
            (1 permanent magnets, 0 de-excited).
        excitation_loss_frac: rotor field-winding loss at peak torque, fraction of T_pk * w_ref
            (0 but for an EESM); excitation_offset: field current at zero torque / at peak.
        mass_per_torque: kg per N m of peak torque (motor, without inverter).
        inertia_per_torque: rotor inertia per N m of peak torque, kg m^2 / (N m).
        inverter_switching_frac, inverter_conduction_drop (V): the inverter's loss at peak
            torque is P_pk (switching_frac + conduction_drop / V_bus).
    """

    peak_torque: Leaf
    peak_power: Leaf
    max_speed: Leaf
    boost_power_frac: Leaf = 1.0
    continuous_power_frac: Leaf = float(CONTINUOUS_POWER_FRAC)
    copper_loss_frac: Leaf = float(_PMSM["copper_loss_frac"])
    stray_loss_frac: Leaf = float(_PMSM["stray_loss_frac"])
    iron_loss_frac: Leaf = float(_PMSM["iron_loss_frac"])
    mechanical_loss_frac: Leaf = float(_PMSM["mechanical_loss_frac"])
    idle_iron_frac: Leaf = float(_PMSM["idle_iron_frac"])
    excitation_loss_frac: Leaf = float(_PMSM["excitation_loss_frac"])
    excitation_offset: Leaf = float(EXCITATION_OFFSET)
    mass_per_torque: Leaf = float(_PMSM["mass_per_torque"])
    inertia_per_torque: Leaf = float(ROTOR_INERTIA_PER_TORQUE)
    inverter_switching_frac: Leaf = float(INVERTER_SWITCHING_FRAC)
    inverter_conduction_drop: Leaf = float(INVERTER_CONDUCTION_DROP)

    @property
    def base_speed(self) -> Leaf:
        return self.peak_power / self.peak_torque

    def max_torque(self, speed: Leaf, inv_speed: Leaf | None = None, power_frac: Leaf = 1.0) -> jax.Array:
        speed = jnp.abs(speed)
        if inv_speed is None:
            inv_speed = 1.0 / jnp.maximum(speed, 1e-6)
        envelope = jnp.minimum(self.peak_torque, power_frac * self.peak_power * jnp.abs(inv_speed))
        taper = jnp.clip((self.max_speed - speed) * (1.0 / (_TAPER_FRAC * self.max_speed)), 0.0, 1.0)
        return envelope * taper

    def _speed_terms(self, speed: Leaf) -> tuple[Leaf, Leaf]:
        """(iron, mechanical) loss (W) at `speed` (rad/s)."""
        x = speed * (1.0 / REFERENCE_SPEED.value)
        scale = self.peak_torque * REFERENCE_SPEED.value * x * x
        return scale * self.iron_loss_frac, scale * self.mechanical_loss_frac

    def _load_terms(self) -> tuple[Leaf, Leaf, Leaf]:
        """Motor loss under load besides the speed terms, as k0 + k1 |T| + k2 T^2: (k0 W,
        k1 W/(N m), k2 W/(N m)^2) of the stray, copper and (EESM) field-winding terms; the field
        loss c_ex (a + (1 - a) tau)^2 spelt out."""
        w_ref = REFERENCE_SPEED.value
        a, c_ex = self.excitation_offset, self.excitation_loss_frac
        return (
            self.peak_torque * w_ref * c_ex * a * a,
            w_ref * (self.stray_loss_frac + 2.0 * c_ex * a * (1.0 - a)),
            w_ref * (self.copper_loss_frac + c_ex * (1.0 - a) * (1.0 - a)) / self.peak_torque,
        )

    def _inverter_per_torque(self, bus_voltage: Leaf) -> Leaf:
        """Inverter loss per N m of motor torque (W/(N m)) on a bus of `bus_voltage` (V)."""
        return (
            self.peak_power
            * (self.inverter_switching_frac + self.inverter_conduction_drop / bus_voltage)
            / self.peak_torque
        )

    def loss(self, torque: Leaf, speed: Leaf) -> jax.Array:
        t = jnp.abs(torque)
        k0, k1, k2 = self._load_terms()
        iron, mechanical = self._speed_terms(speed)
        return k0 + t * (k1 + k2 * t) + iron + mechanical

    def idle_loss(self, speed: Leaf) -> Leaf:
        iron, mechanical = self._speed_terms(speed)
        return self.idle_iron_frac * iron + mechanical

    def inverter_loss(self, torque: Leaf, bus_voltage: Leaf) -> jax.Array:
        return jnp.abs(torque) * self._inverter_per_torque(bus_voltage)

    def loss_terms(self, speed: Leaf, bus_voltage: Leaf) -> tuple[Leaf, Leaf, Leaf]:
        iron, mechanical = self._speed_terms(speed)
        k0, k1, k2 = self._load_terms()
        return k0 + iron + mechanical, k1 + self._inverter_per_torque(bus_voltage), k2

    def mass(self, bus_voltage: Leaf) -> Leaf:
        inverter = INVERTER_MASS_PER_CURRENT.value * self.boost_power_frac * self.peak_power / bus_voltage
        return self.mass_per_torque * self.peak_torque + inverter

    def rotor_inertia(self) -> Leaf:
        return self.inertia_per_torque * self.peak_torque


def motor_of_type(kind: str, **fields: Leaf) -> SynchronousMotor:
    """A `SynchronousMotor` with the loss, mass and idle constants of `kind` (a key of
    `MOTOR_TYPES`: 'pmsm', 'eesm' or 'induction'); `fields` are the ratings."""
    if kind not in MOTOR_TYPES:
        raise ValueError(f"motor type {kind!r} must be one of {', '.join(MOTOR_TYPES)}")
    constants = {k: float(v) for k, v in MOTOR_TYPES[kind].items()}
    return SynchronousMotor(**constants, **fields)
