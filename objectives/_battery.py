"""Battery cells and packs.

A pack is `n_series` x `n_parallel` identical cells from the cell library. Both counts
are floats: the search relaxes them to continuous values for gradients and rounds
them when a design is built. The open-circuit voltage (OCV) is piecewise linear in
state of charge (SOC) on an 11-point grid; the cell is an OCV source behind an
internal resistance (a Thevenin model without the RC branch, adequate for energy
over a drive cycle and for the ~10 s power of a launch).

Terminal power limit at a given SOC: the current is bounded by the cell current limit
and by the cell's minimum terminal voltage, and the terminal power `V I - R I^2`
cannot exceed the matched-load maximum `V^2 / (4 R)`.

Pack mass: a fixed part (housing, battery management, junction box, cooling plates; it
does not shrink with the pack) plus the cells times a cell-to-pack factor for what grows
with them (modules, busbars, structure): `PACK_FIXED_MASS` and `PACK_MASS_FACTOR`.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _constants
from ._constants import PACK_FIXED_MASS, Constant
from ._pytree import Leaf, pytree_dataclass
from ._units import AH

SOC_GRID = np.linspace(0.0, 1.0, 11)


@pytree_dataclass
class Cell:
    """One cell. Attributes (SI): capacity (C), ocv (V at `SOC_GRID`, shape (11,)),
    mass (kg), resistance (ohm, DC internal), max_discharge_current (A),
    max_charge_current (A), min_voltage and max_voltage (V, terminal limits)."""

    capacity: Leaf
    ocv: jax.Array | np.ndarray  # a host array in the library (`CELLS`), a JAX array in a batch
    mass: Leaf
    resistance: Leaf
    max_discharge_current: Leaf
    max_charge_current: Leaf
    min_voltage: Leaf
    max_voltage: Leaf

    def ocv_at(self, soc: Leaf) -> jax.Array:
        return jnp.interp(soc, SOC_GRID, self.ocv)

    def energy_between(self, soc_lo: Leaf, soc_hi: Leaf) -> jax.Array:
        """Exact integral of OCV dQ between two SOCs (J), for the piecewise-linear curve."""
        return self.capacity * (_ocv_integral(self.ocv, soc_hi) - _ocv_integral(self.ocv, soc_lo))

    def nominal_voltage(self) -> jax.Array:
        return self.energy_between(0.0, 1.0) / self.capacity


def _ocv_integral(ocv: ArrayLike, soc: Leaf) -> jax.Array:
    """Integral of the piecewise-linear OCV from 0 to `soc` (V, per unit SOC)."""
    ocv = jnp.asarray(ocv)
    h = SOC_GRID[1] - SOC_GRID[0]
    cumulative = jnp.concatenate([jnp.zeros(1, ocv.dtype), jnp.cumsum(0.5 * h * (ocv[1:] + ocv[:-1]))])
    soc = jnp.clip(soc, 0.0, 1.0)
    k = jnp.clip(jnp.floor(soc / h), 0, len(SOC_GRID) - 2).astype(jnp.int32)
    s0 = k * h
    v0 = ocv[k]
    v = jnp.interp(soc, SOC_GRID, ocv)
    return cumulative[k] + 0.5 * (soc - s0) * (v0 + v)


def _cell(
    capacity_ah: float,
    ocv: Sequence[float],
    mass_kg: float,
    resistance_mohm: float,
    max_discharge_c: float,
    max_charge_c: float,
    v_min: float,
    v_max: float,
) -> Cell:
    capacity = capacity_ah * AH
    return Cell(
        capacity=float(capacity),
        ocv=np.asarray(ocv, dtype=np.float64),
        mass=float(mass_kg),
        resistance=resistance_mohm * 1e-3,
        max_discharge_current=max_discharge_c * capacity_ah,
        max_charge_current=max_charge_c * capacity_ah,
        min_voltage=float(v_min),
        max_voltage=float(v_max),
    )


def _library_cell(c: Mapping[str, Constant[Any]]) -> Cell:
    """A `Cell` from a table of `_constants` (NMC_CELL, LFP_CELL); terminal limits at the ends
    of the measured OCV curve."""
    ocv = [float(x) for x in c["ocv"].value]
    return _cell(
        capacity_ah=c["capacity_ah"].value,
        ocv=ocv,
        mass_kg=c["mass_kg"].value,
        resistance_mohm=c["resistance_mohm"].value,
        max_discharge_c=c["max_discharge_c"].value,
        max_charge_c=c["max_charge_c"].value,
        v_min=ocv[0],
        v_max=ocv[-1],
    )


# Cell library (sources in `_constants.py`): a large NMC pouch cell and an LFP prismatic cell.
CELLS = {"nmc": _library_cell(_constants.NMC_CELL), "lfp": _library_cell(_constants.LFP_CELL)}

# Mass of the cells and what grows with them, per unit of cell mass, by chemistry.
PACK_MASS_FACTOR = {chem: float(c) for chem, c in _constants.PACK_MASS_FACTOR.items()}


@pytree_dataclass
class Pack:
    """Attributes: cell, n_series, n_parallel (floats), mass_factor (mass of cells and what
    grows with them / cell mass), fixed_mass (kg, what does not), soc_min and soc_max
    (usable window, fractions of full capacity)."""

    cell: Cell
    n_series: Leaf
    n_parallel: Leaf
    mass_factor: Leaf
    fixed_mass: Leaf = float(PACK_FIXED_MASS)
    soc_min: Leaf = 0.03
    soc_max: Leaf = 0.98

    def mass(self) -> Leaf:
        return self.fixed_mass + self.n_series * self.n_parallel * self.cell.mass * self.mass_factor

    def resistance(self) -> Leaf:
        return self.n_series * self.cell.resistance / self.n_parallel

    def ocv(self, soc: Leaf) -> jax.Array:
        return self.n_series * self.cell.ocv_at(soc)

    def gross_energy(self) -> jax.Array:
        return self.n_series * self.n_parallel * self.cell.energy_between(0.0, 1.0)

    def usable_energy(self) -> jax.Array:
        return self.n_series * self.n_parallel * self.cell.energy_between(self.soc_min, self.soc_max)

    def mean_ocv(self) -> jax.Array:
        """OCV averaged over the usable window weighted by charge (V)."""
        q = self.n_parallel * self.cell.capacity * (self.soc_max - self.soc_min)
        empty = q <= 0.0  # no window: fall back to the OCV at its start (the design is flagged)
        return jnp.where(empty, self.ocv(self.soc_min), self.usable_energy() / jnp.where(empty, 1.0, q))

    def max_discharge_current(self, soc: Leaf) -> jax.Array:
        by_voltage = (self.ocv(soc) - self.n_series * self.cell.min_voltage) / self.resistance()
        return jnp.minimum(self.n_parallel * self.cell.max_discharge_current, by_voltage)

    def max_discharge_power(self, soc: Leaf) -> jax.Array:
        """Largest terminal power (W) the pack delivers at `soc`."""
        v = self.ocv(soc)
        r = self.resistance()
        i = jnp.minimum(self.max_discharge_current(soc), v / (2.0 * r))
        return v * i - r * i * i

    def max_charge_power(self, soc: Leaf) -> jax.Array:
        """Largest terminal power (W, positive number) the pack accepts at `soc`."""
        v = self.ocv(soc)
        r = self.resistance()
        by_voltage = (self.n_series * self.cell.max_voltage - v) / r
        i = jnp.maximum(jnp.minimum(self.n_parallel * self.cell.max_charge_current, by_voltage), 0.0)
        return v * i + r * i * i

    def current(self, terminal_power: Leaf, ocv: Leaf) -> jax.Array:
        """Pack current (A) for a terminal power (W, + discharge) at open-circuit voltage `ocv`.

        Solves P = V I - R I^2 on the physical root, written as 2P / (V + sqrt(V^2 - 4 R P))
        to avoid cancellation for small R in float32. Powers beyond the matched-load limit
        are clamped to it (the caller flags them as infeasible), and there the derivative
        is that of the clamped value: finite, never NaN.
        """
        r = self.resistance()
        return 2.0 * terminal_power / (ocv + safe_sqrt(ocv * ocv - 4.0 * r * terminal_power))


def safe_sqrt(x: Leaf) -> jax.Array:
    """sqrt(max(x, 0)) whose derivative is finite everywhere: 0 where x <= 0 (the clamped
    side), the usual 1 / (2 sqrt(x)) elsewhere. The double `where` keeps the unused branch
    from producing an infinite derivative that would turn into NaN."""
    positive = x > 0.0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, x, 1.0)), 0.0)
