"""From columns of designs to the batched model: one `objectives.Vehicle` per batch on the
platform's body, and the platform's published variants.

All designs have both axles (an undriven axle has zero motors), so every batch has the
same pytree structure and one compiled model serves the whole study.
"""

import dataclasses
import math
import os
import re
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

import objectives as ob

from ._config import ConfigError, PlatformConfig, SpaceConfig
from ._designs import Designs
from ._variables import TYRE

# Stand-ins for the variables of an axle that no layout of the space drives.
UNDRIVEN: dict[str, float] = {"power_kw": 100.0, "torque_nm": 300.0, "ratio": 9.0}


def tyre_library(platform: PlatformConfig) -> ob.Tyre:
    """The platform's tyre catalogue as one batched `objectives.Tyre` (catalogue order)."""
    return ob.stack([tyre_of(platform, name) for name in platform.tyres])


def tyre_of(platform: PlatformConfig, name: str) -> ob.Tyre:
    """The `objectives.Tyre` of catalogue entry `name` of `platform`."""
    t = platform.tyres[name]
    return ob.tyre(t.size, t.label, t.category)


def _axle(codes: dict[str, Any], axle: str, max_speed: float, tyres: ob.Tyre, two_speed_slot: bool) -> ob.Axle:
    # jnp rather than np so that the variables may be traced (gradients).
    driven = jnp.asarray(codes[f"{axle}_driven"], float)

    def column(var: str) -> jax.Array:
        values = codes.get(f"{axle}_{var}", UNDRIVEN.get(var))
        return jnp.broadcast_to(jnp.asarray(values, float), driven.shape)

    power = column("power_kw") * ob.units.KW
    torque = column("torque_nm")
    ratio = column("ratio")
    two_speed = column("gears") == 2
    de_excited = column("de_excited") > 0.5
    kind = {
        k: jnp.where(de_excited, float(ob.MOTOR_TYPES["induction"][k]), float(ob.MOTOR_TYPES["pmsm"][k]))
        for k in ob.MOTOR_TYPES["pmsm"]
    }
    boost = jnp.broadcast_to(jnp.asarray(codes["boost_frac"], float), driven.shape)
    motor = ob.SynchronousMotor(
        peak_torque=torque,
        peak_power=power,
        max_speed=jnp.full(driven.shape, max_speed),
        boost_power_frac=boost,
        **kind,
    )
    ratio_2 = jnp.where(two_speed, ratio * column("ratio_2_frac"), ratio) if two_speed_slot else None
    gearbox = ob.Gearbox(ratio_low=ratio, ratio_high=ratio_2, disconnect=column("disconnected"))
    return ob.Axle(motor=motor, gearbox=gearbox, tyre=tyres, n_motors=driven)


def platform_body(platform: PlatformConfig) -> ob.Body:
    """The platform's `objectives.Body` (unbatched)."""
    return ob.Body(
        glider_mass=platform.glider_mass_kg,
        drag_coefficient=platform.drag_coefficient,
        frontal_area=platform.frontal_area_m2,
        cg_height=platform.cg_height_m,
        wheelbase=platform.wheelbase_m,
        front_weight_frac=platform.front_weight_frac,
        drag_tyre_width=float(tyre_of(platform, platform.tyre).section_width),  # its Cd is on its own tyre
    )


def has_second_gear(space: SpaceConfig) -> bool:
    """True when some design of `space` can have a two-speed box (the batch then carries a
    second-gear slot for every design)."""
    return any(2 in (var.choices or ()) for name, var in space.variables.items() if name.endswith("_gears"))


def build_vehicles(designs: Designs, platform: PlatformConfig) -> ob.Vehicle:
    """One batched `objectives.Vehicle` for `designs` on `platform`."""
    return assemble(encode(designs, platform), platform, designs.space)


def encode(designs: Designs, platform: PlatformConfig) -> dict[str, np.ndarray]:
    """`designs` as numbers only (dict of arrays), what `assemble` reads and `jit` can
    trace: the numeric variables as floats, and the choices as codes: which axles are
    driven (`<axle>_driven`), how each idles (`<axle>_de_excited`, `<axle>_disconnected`;
    only the front, the secondary axle, has a choice), and indices into the platform's tyre
    catalogue and `CELLS`."""
    codes = {k: np.asarray(v, float) for k, v in designs.columns.items() if np.asarray(v).dtype.kind in "biuf"}
    for axle, on in designs.active().items():
        codes[f"{axle}_driven"] = on.astype(float)
    idle = np.asarray(designs["secondary_idle"], dtype=object)  # the front axle is the secondary one
    codes["front_de_excited"] = (idle == "de_excited").astype(float)
    codes["front_disconnected"] = (idle == "disconnected").astype(float)
    codes["rear_de_excited"] = codes["rear_disconnected"] = np.zeros(len(designs))
    names = list(platform.tyres)
    chosen = [platform.tyre if not t else t for t in np.asarray(designs[TYRE], dtype=object)]
    codes["tyre_index"] = np.asarray([names.index(t) for t in chosen], dtype=np.int32)
    cells = list(ob.CELLS)
    codes["chemistry_index"] = np.asarray(
        [cells.index(c) for c in np.asarray(designs["chemistry"], dtype=object)], dtype=np.int32
    )
    return codes


def assemble(codes: dict[str, Any], platform: PlatformConfig, space: SpaceConfig) -> ob.Vehicle:
    """One batched `objectives.Vehicle` from the `encode`d designs (traceable: jnp only)."""
    n = codes["front_driven"].shape[0]
    max_speed = space.motor_max_speed_rpm * ob.units.RPM
    tyres = jax.tree.map(lambda x: jnp.asarray(x)[codes["tyre_index"]], tyre_library(platform))
    slot = has_second_gear(space)
    front = _axle(codes, "front", max_speed, tyres, slot)
    rear = _axle(codes, "rear", max_speed, tyres, slot)

    index = codes["chemistry_index"]
    names = list(ob.CELLS)
    library = jax.tree.map(lambda *xs: np.stack([np.asarray(x, float) for x in xs]), *[ob.CELLS[c] for c in names])
    cell = jax.tree.map(lambda x: jnp.asarray(x)[index], library)
    factor = jnp.asarray([ob.PACK_MASS_FACTOR[c] for c in names])[index]
    pack = ob.Pack(
        cell=cell,
        n_series=jnp.asarray(codes["cells_series"], float),
        n_parallel=jnp.asarray(codes["cells_parallel"], float) * platform.cell_size,
        mass_factor=factor,
    )
    body = platform_body(platform)
    vehicle = ob.Vehicle(body=body, front=front, rear=rear, pack=pack, aux_power=platform.aux_power_w)
    return jax.tree.map(lambda x: jnp.broadcast_to(jnp.asarray(x, float), (n,)) if jnp.ndim(x) == 0 else x, vehicle)


def plain_arrays(vehicles: ob.Vehicle) -> ob.Vehicle:
    """Leaves as float numpy arrays: a weakly typed JAX leaf would compile the model again."""
    return jax.tree.map(lambda x: np.asarray(x, float), vehicles)


def whole_cells(pack: ob.Pack, cell_size: float = 1.0) -> ob.Pack:
    """`pack` (relaxed cell counts) as the nearest pack of whole platform cells, each
    `cell_size` library cells (`PlatformConfig.cell_size`), that holds no more energy.

    The parallel count is rounded to the nearest whole number (at least 1), and the
    series count is the largest whole number that keeps the total cell count, and so the
    gross energy, at or below the original. A published pack becomes a design of the
    search space this way; its energy changes by less than one string of cells.
    """
    cells = float(pack.n_series) * float(pack.n_parallel) / cell_size
    n_parallel = max(1.0, float(round(float(pack.n_parallel) / cell_size)))
    n_series = float(math.floor(cells / n_parallel + 1e-9))
    return dataclasses.replace(pack, n_series=n_series, n_parallel=n_parallel * cell_size)


SPEC_PACK_MARGIN = 1.10  # a spec platform fits a pack this much larger (energy and mass) than the car's own
_SPEC_PLATFORMS: dict[tuple[str, float, str], dict[str, Any]] = {}  # (file stamp, car) -> platform fields


def spec_file_path(file: str) -> str:
    """`vehicle.file` as a path: as given if it exists (relative to the working directory),
    else the file of that name in objectives/data/ (e.g. `variant_pairs.yaml`)."""
    if os.path.exists(file) or os.path.isabs(file):
        return file
    shipped = os.path.join(os.path.dirname(os.path.abspath(ob.__file__)), "data", file)
    return shipped if os.path.exists(shipped) else file


# Where `references` are looked up without `vehicle.file`: the package's published cars.
REFERENCE_FILE = os.path.join(os.path.dirname(os.path.abspath(ob.__file__)), "data", "reference_vehicles.yaml")
_SPEC_FILES: dict[tuple[str, float], dict[Any, Any]] = {}  # file stamp -> {id: spec}: each file read once


def _file_stamp(file: str) -> tuple[str, float]:
    """`vehicle.file` as (absolute path, modification time): what the caches here key on."""
    path = os.path.abspath(spec_file_path(file))
    return path, os.path.getmtime(path) if os.path.exists(path) else 0.0


def _specs_by_id(file: str) -> dict[Any, Any]:
    """The cars of spec file `file` by id, read once per file version (`ConfigError` for a
    file that cannot be read as one)."""
    stamp = _file_stamp(file)
    if stamp not in _SPEC_FILES:
        try:
            specs = ob.load_specs(stamp[0])
        except ob.SpecFileError as e:
            raise ConfigError(
                f"`vehicle.file` {file!r}: {e}; give a spec file in the schema of `python -m objectives predict`"
            ) from None
        _SPEC_FILES[stamp] = {s.get("id"): s for s in specs if isinstance(s, dict)}
    return _SPEC_FILES[stamp]


def _spec_of(file: str | None, car: str | None, key: str) -> dict[str, Any]:
    """The spec mapping of car `car` in spec file `file` (`ConfigError` naming `key` when
    either is missing or wrong)."""
    if not file or not car:
        missing = "vehicle.file" if not file else "vehicle.id"
        raise ConfigError(
            f"`{missing}` is not set; give vehicle.file=FILE (a spec file in the schema of "
            "`python -m objectives predict`) and vehicle.id=ID (a car of it)"
        )
    by_id = _specs_by_id(file)
    if car not in by_id:
        ids = sorted(str(k) for k in by_id if k)
        known = ", ".join(ids[:12]) + (f" and {len(ids) - 12} more" if len(ids) > 12 else "") if ids else "none"
        raise ConfigError(f"`{key}` {car!r} is not a car of {file} (its ids: {known}); give one of them")
    return by_id[car]


def spec_platform(file: str | None, car: str | None) -> dict[str, Any]:
    """The platform fields of car `car` of spec file `file`, by the predictor's rules
    (`objectives.vehicle_from_spec`): its body (glider mass, drag, frontal area, wheelbase,
    centre of gravity, weight split), its rear tyre as catalogue entry `own`, room for a
    pack `SPEC_PACK_MARGIN` larger than its own in energy and mass, and its bus: the open-
    circuit window of its own pack, widened by `SPEC_PACK_MARGIN` at both ends, and cells
    in series around its own count as the shipped platforms' 72-140 are around 96. Built
    once per file version and car."""
    spec = _spec_of(file, car, "vehicle.id")  # file and car are given (ConfigError otherwise)
    stamp = (*_file_stamp(cast(str, file)), str(car))
    if stamp not in _SPEC_PLATFORMS:
        try:
            vehicle = ob.vehicle_from_spec(spec)
        except ob.SpecError as e:
            raise ConfigError(f"`vehicle.id` {car!r} of {file} cannot be built: {e}") from None
        body, figures = vehicle.body, ob.pack_figures(vehicle)
        (_, (size, label, category)) = ob.spec_tyre_fields(spec)
        _SPEC_PLATFORMS[stamp] = {
            "name": str(car),
            "description": str(spec.get("name") or car) + (f" {spec['variant']}" if spec.get("variant") else ""),
            "glider_mass_kg": round(float(body.glider_mass), 1),
            "drag_coefficient": float(body.drag_coefficient),
            "frontal_area_m2": float(body.frontal_area),
            "wheelbase_m": float(body.wheelbase),
            "cg_height_m": float(body.cg_height),
            "front_weight_frac": float(body.front_weight_frac),
            "tyre_size": size,
            "tyre_label": label,
            "tyre_category": category,
            "aux_power_w": float(vehicle.aux_power),
            "max_pack_energy_kwh": round(SPEC_PACK_MARGIN * float(figures["gross_energy_j"]) / ob.units.KWH, 1),
            "max_pack_mass_kg": round(SPEC_PACK_MARGIN * float(figures["pack_mass_kg"]), 1),
            "min_pack_voltage_v": round(float(figures["pack_min_voltage_v"]) / SPEC_PACK_MARGIN),
            "max_pack_voltage_v": round(SPEC_PACK_MARGIN * float(figures["pack_max_voltage_v"])),
            # the shipped platforms' 72-140 around a 96-cell pack, scaled to this car's
            "cells_series_low": round(float(vehicle.pack.n_series) * 72 / 96),
            "cells_series_high": round(float(vehicle.pack.n_series) * 140 / 96),
            "cell_size": _own_cell_size(spec, vehicle.pack),
        }
    return _SPEC_PLATFORMS[stamp]


def _own_cell_size(spec: dict[str, Any], pack: ob.Pack) -> float:
    """The car's own cell in library cells: its pack's library-cell parallel count over the
    cells in parallel its `pack_configuration` gives (e.g. 192s2p), or over that count
    rounded when it gives none. Its own pack is then whole cells of the platform."""
    m = re.search(r"(\d+)\s*p", str(spec.get("pack_configuration") or ""), re.IGNORECASE)
    n_parallel = float(pack.n_parallel)
    own = int(m.group(1)) if m and int(m.group(1)) > 0 else max(1, round(n_parallel))
    return n_parallel / own


_REFERENCES: dict[
    str, tuple[list[dict[str, Any]], list[ob.Vehicle]]
] = {}  # repr(platform) -> reference_vehicles(platform): built once per process


def reference_vehicles(platform: PlatformConfig) -> tuple[list[dict[str, Any]], list[ob.Vehicle]]:
    """The platform's published variants as designs on its body: (spec dicts, Vehicles).

    Motors, gearing and tyres follow the predictor's estimation rules (`objectives.vehicle_from_spec`);
    the pack is made of whole cells (`whole_cells`); body and auxiliary load are the platform's,
    and no governed top speed is kept (the platform's designs have none). Built once per
    platform and process (the CLI checks them before the study and scores them after it).
    """
    key = repr(platform)
    if key not in _REFERENCES:
        _REFERENCES[key] = _build_references(platform)
    return _REFERENCES[key]


def _build_references(platform: PlatformConfig) -> tuple[list[dict[str, Any]], list[ob.Vehicle]]:
    out_specs, vehicles = [], []
    for ref in platform.references:
        spec = _spec_of(platform.file or REFERENCE_FILE, ref, "vehicle.references")
        try:
            own = ob.vehicle_from_spec(spec)
        except ob.SpecError as e:
            raise ConfigError(f"`vehicle.references` entry {ref!r} cannot be built: {e}") from None
        on_platform = dataclasses.replace(
            own,
            body=platform_body(platform),
            aux_power=platform.aux_power_w,
            pack=whole_cells(own.pack, platform.cell_size),
            speed_limit=cast(float, next(f.default for f in dataclasses.fields(ob.Vehicle) if f.name == "speed_limit")),
        )
        out_specs.append(spec)
        vehicles.append(on_platform)
    return out_specs, ob.common_structure(vehicles)
