"""Design variables: their declaration, their Optuna distributions, and the batched model.

A design is one value per variable of the space; a batch of designs is a dict of numpy
arrays keyed by variable name. `build_vehicles` turns a batch into one batched
`objectives.Vehicle` on the platform's body. All designs have both axles (an undriven
axle has zero motors), so every batch has the same pytree structure and one compiled
model serves the whole study.
"""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import optuna

import objectives as ob

from ._config import ConfigError

LAYOUTS = ("front", "rear", "dual")  # driven axles; dual = one motor per axle (e-4ORCE)
AXLES = ("front", "rear")
# How the front axle of a dual design idles when it carries no torque: a permanent-magnet
# motor that drags, a de-excited induction machine (heavier per N m), or a permanent-magnet
# motor behind a disconnect clutch (its mass).
SECONDARY_IDLE = ("drag", "de_excited", "disconnected")
TYRE = "tyre"  # a choice among the platform's tyre catalogue (`vehicle.tyres`)


@dataclasses.dataclass(frozen=True)
class Spec:
    """What a variable is: kind ('float', 'int', 'choice'), unit, long name, allowed choices."""

    kind: str
    unit: str
    long_name: str
    allowed: tuple = ()


def _axle_specs(axle):
    return {
        f"{axle}_power_kw": Spec("float", "kW", f"{axle} motor peak power"),
        f"{axle}_torque_nm": Spec("float", "N m", f"{axle} motor peak torque"),
        f"{axle}_ratio": Spec("float", "1", f"{axle} reduction ratio (first gear)"),
        f"{axle}_gears": Spec("choice", "", f"{axle} gearbox speeds", (1, 2)),
        f"{axle}_ratio_2_frac": Spec("float", "1", f"{axle} second-gear ratio / first-gear ratio"),
    }


VARIABLES = {
    "layout": Spec("choice", "", "driven axles (front, rear, dual)", LAYOUTS),
    **_axle_specs("front"),
    **_axle_specs("rear"),
    "secondary_idle": Spec(
        "choice", "", "how the front axle of a dual design idles (drag, de-excited, disconnected)", SECONDARY_IDLE
    ),
    "boost_frac": Spec("float", "1", "launch (overboost) power / peak power"),
    TYRE: Spec("choice", "", "tyre on both axles (entry of the platform's tyre catalogue)"),
    "cells_series": Spec("int", "1", "cells in series"),
    "cells_parallel": Spec("int", "1", "cells in parallel"),
    "chemistry": Spec("choice", "", "cell chemistry", tuple(ob.CELLS)),
}
# Variables a space may leave out, and the value they then take ("" for the tyre: the platform's own).
OPTIONAL = {
    **{f"{a}_{v}": d for a in AXLES for v, d in (("gears", 1), ("ratio_2_frac", 1.0))},
    "secondary_idle": "drag",
    "boost_frac": 1.0,
    TYRE: "",
}


def allowed_choices(name, platform):
    """The values a choice variable may take (the tyre catalogue for the tyre)."""
    return tuple(platform.tyres) if name == TYRE else VARIABLES[name].allowed


def check_space(space, platform):
    """Raise `ConfigError` unless `space` (a SpaceConfig) declares a usable set of variables on
    `platform` (a PlatformConfig: its tyre catalogue)."""
    variables = space.variables
    for name, var in variables.items():
        key = f"space.variables.{name}"
        spec = VARIABLES.get(name)
        if spec is None:
            raise ConfigError(f"`{key}` is not a design variable; known variables: {', '.join(VARIABLES)}")
        if var.unit != spec.unit:
            raise ConfigError(f"`{key}.unit` must be {spec.unit!r} (the unit the model takes), got {var.unit!r}")
        if spec.kind == "choice":
            allowed = list(allowed_choices(name, platform))
            if not var.choices:
                raise ConfigError(f"`{key}.choices` must list at least one of {allowed}, got {var.choices!r}")
            bad = [c for c in var.choices if c not in allowed]
            if bad:
                raise ConfigError(f"`{key}.choices` must be among {allowed}, got {bad[0]!r}")
            continue
        if var.choices is not None:
            raise ConfigError(f"`{key}` takes `low` and `high`, not `choices` (got {var.choices!r})")
        for end in ("low", "high"):
            value = getattr(var, end)
            if value is None or not math.isfinite(value):
                raise ConfigError(f"`{key}.{end}` must be a finite number, got {value!r}")
        if not var.low <= var.high:
            raise ConfigError(f"`{key}.low` must not exceed `high` ({var.high:g}), got {var.low!r}; swap them")
        if var.low <= 0.0 and name != "cells_series":
            raise ConfigError(f"`{key}.low` must be > 0, got {var.low!r}")
        if spec.kind == "int" and (var.low != int(var.low) or var.high != int(var.high) or var.low < 1):
            raise ConfigError(
                f"`{key}` is a count: `low` and `high` must be whole numbers >= 1, got {var.low!r}..{var.high!r}"
            )
        if name.endswith("ratio_2_frac") and var.high >= 1.0:
            raise ConfigError(f"`{key}.high` must be < 1 (second gear is taller than first), got {var.high!r}")
        if name == "boost_frac" and var.low < 1.0:
            raise ConfigError(f"`{key}.low` must be >= 1 (launch power is at least the peak power), got {var.low!r}")
    layouts = set(variables["layout"].choices) if "layout" in variables else set()
    needed = {"layout", "cells_series", "cells_parallel", "chemistry"}
    for axle in AXLES:
        if layouts & {axle, "dual"}:
            needed |= {f"{axle}_power_kw", f"{axle}_torque_nm", f"{axle}_ratio"}
            gears = variables.get(f"{axle}_gears")
            if gears is not None and 2 in (gears.choices or ()):
                needed.add(f"{axle}_ratio_2_frac")
    missing = sorted(needed - set(variables))
    if missing:
        raise ConfigError(
            f"`space.variables.{missing[0]}` is required by this space but not declared; add it with bounds"
        )


def distributions(space):
    """The Optuna distribution of every variable of `space`, in declaration order: a trial
    asked with them (`Study.ask(distributions(space))`) draws every variable in one call."""
    out = {}
    for name, var in space.variables.items():
        kind = VARIABLES[name].kind
        if kind == "choice":
            out[name] = optuna.distributions.CategoricalDistribution(list(var.choices))
        elif kind == "int":
            out[name] = optuna.distributions.IntDistribution(int(var.low), int(var.high), log=var.log)
        else:
            out[name] = optuna.distributions.FloatDistribution(float(var.low), float(var.high), log=var.log)
    return out


def relaxed_variables(space):
    """The variables of `space` that gradients are taken in: continuous ones, and counts
    relaxed to real numbers (declaration order)."""
    return [n for n in space.variables if VARIABLES[n].kind in ("float", "int")]


def columns(designs, space):
    """A list of design dicts as a dict of arrays, with optional variables filled in."""
    names = list(space.variables) + [k for k in OPTIONAL if k not in space.variables]
    cols = {}
    for name in names:
        default = OPTIONAL.get(name)
        values = [d.get(name, default) for d in designs]
        cols[name] = np.asarray(values)
    return cols


def random_designs(space, n, rng):
    """`n` designs drawn uniformly over `space` as columns (optional variables filled):
    choices and counts uniform, ranges uniform (log-uniform where declared `log`)."""
    cols = {}
    for name, var in space.variables.items():
        kind = VARIABLES[name].kind
        if kind == "choice":
            cols[name] = np.asarray(var.choices)[rng.integers(0, len(var.choices), n)]
        elif kind == "int":
            cols[name] = rng.integers(int(var.low), int(var.high) + 1, n)
        elif var.log:
            cols[name] = np.exp(rng.uniform(np.log(var.low), np.log(var.high), n))
        else:
            cols[name] = rng.uniform(var.low, var.high, n)
    for name, default in OPTIONAL.items():
        cols.setdefault(name, np.full(n, default))
    return cols


def active(cols):
    """Which axle variables mean something for each design: {axle: bool array}."""
    layout = np.asarray(cols["layout"])
    return {axle: (layout == axle) | (layout == "dual") for axle in AXLES}


def meaningful(cols, names):
    """(n, len(names)) bool: where each variable of `names` means something for a design:
    axle variables only on a driven axle, the second-gear ratio only with two gears, the
    secondary axle's idling only on a dual design."""
    on = active(cols)
    out = np.ones((len(cols["layout"]), len(names)), bool)
    for j, name in enumerate(names):
        if name == "secondary_idle":
            out[:, j] &= np.asarray(cols["layout"]) == "dual"
        axle = name.split("_", 1)[0]
        if axle in on:
            out[:, j] &= on[axle]
        if name.endswith("ratio_2_frac"):
            out[:, j] &= np.asarray(cols[f"{axle}_gears"]) == 2
    return out


# Stand-ins for the variables of an axle that no layout of the space drives.
UNDRIVEN = {"power_kw": 100.0, "torque_nm": 300.0, "ratio": 9.0}


def tyre_library(platform):
    """The platform's tyre catalogue as one batched `objectives.Tyre` (catalogue order)."""
    return ob.stack([tyre_of(platform, name) for name in platform.tyres])


def tyre_of(platform, name):
    """The `objectives.Tyre` of catalogue entry `name` of `platform`."""
    t = platform.tyres[name]
    return ob.tyre(t.size, t.label, t.category)


def _axle(codes, axle, max_speed, tyres, two_speed_slot):
    # jnp rather than np so that the variables may be traced (gradients).
    driven = jnp.asarray(codes[f"{axle}_driven"], float)

    def column(var):
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


def platform_body(platform):
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


def has_second_gear(space):
    """True when some design of `space` can have a two-speed box (the batch then carries a
    second-gear slot for every design)."""
    return any(2 in (var.choices or ()) for name, var in space.variables.items() if name.endswith("_gears"))


def build_vehicles(cols, platform, space):
    """One batched `objectives.Vehicle` for the designs in `cols` (dict of arrays, length n)."""
    return assemble(encode(cols, platform), platform, space)


def encode(cols, platform):
    """The designs of `cols` as numbers only (dict of arrays), what `assemble` reads and `jit`
    can trace: the numeric variables as floats, and the choices as codes: which axles are
    driven (`<axle>_driven`), how each idles (`<axle>_de_excited`, `<axle>_disconnected`;
    only the front, the secondary axle, has a choice), and indices into the platform's tyre catalogue and `CELLS`."""
    n = len(cols["layout"])
    codes = {k: np.asarray(v, float) for k, v in cols.items() if np.asarray(v).dtype.kind in "biuf"}
    for axle, on in active(cols).items():
        codes[f"{axle}_driven"] = on.astype(float)
    idle = np.asarray(cols["secondary_idle"], dtype=object)  # the front axle is the secondary one
    codes["front_de_excited"] = (idle == "de_excited").astype(float)
    codes["front_disconnected"] = (idle == "disconnected").astype(float)
    codes["rear_de_excited"] = codes["rear_disconnected"] = np.zeros(n)
    names = list(platform.tyres)
    chosen = [platform.tyre if not t else t for t in np.asarray(cols.get(TYRE, [""] * n), dtype=object)]
    codes["tyre_index"] = np.asarray([names.index(t) for t in chosen], dtype=np.int32)
    cells = list(ob.CELLS)
    codes["chemistry_index"] = np.asarray(
        [cells.index(c) for c in np.asarray(cols["chemistry"], dtype=object)], dtype=np.int32
    )
    return codes


def assemble(codes, platform, space):
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
        n_parallel=jnp.asarray(codes["cells_parallel"], float),
        mass_factor=factor,
    )
    body = platform_body(platform)
    vehicle = ob.Vehicle(body=body, front=front, rear=rear, pack=pack, aux_power=platform.aux_power_w)
    return jax.tree.map(lambda x: jnp.broadcast_to(jnp.asarray(x, float), (n,)) if jnp.ndim(x) == 0 else x, vehicle)


def padded_chunks(n, size):
    """(start, stop, index) over `n` designs in chunks of `size`. `index` picks a chunk's
    designs and pads it to `size` by repeating its first, so that every model call has
    one shape and the model compiles once."""
    for start in range(0, n, size):
        stop = min(start + size, n)
        yield start, stop, np.concatenate([np.arange(start, stop), np.full(size - (stop - start), start)])


def column_chunks(cols, size):
    """(start, stop, columns padded to `size` designs) over the designs of `cols`."""
    for start, stop, index in padded_chunks(len(cols["layout"]), size):
        yield start, stop, {k: np.asarray(v)[index] for k, v in cols.items()}


def plain_arrays(vehicles):
    """Leaves as float numpy arrays: a weakly typed JAX leaf would compile the model again."""
    return jax.tree.map(lambda x: np.asarray(x, float), vehicles)


def whole_cells(pack):
    """`pack` (relaxed cell counts) as the nearest pack of whole cells that holds no more energy.

    The parallel count is rounded to the nearest whole number (at least 1), and the
    series count is the largest whole number that keeps the total cell count, and so the
    gross energy, at or below the original. A published pack becomes a design of the
    search space this way; its energy changes by less than one string of cells.
    """
    cells = float(pack.n_series) * float(pack.n_parallel)
    n_parallel = max(1.0, float(round(float(pack.n_parallel))))
    n_series = float(math.floor(cells / n_parallel + 1e-9))
    return dataclasses.replace(pack, n_series=n_series, n_parallel=n_parallel)


_REFERENCES: dict[str, tuple] = {}  # repr(platform) -> reference_vehicles(platform): built once per process


def reference_vehicles(platform):
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


def _build_references(platform):
    specs = {s.get("id"): s for s in ob.reference_specs()}
    out_specs, vehicles = [], []
    for ref in platform.references:
        if ref not in specs:
            raise ConfigError(
                f"`vehicle.references` names {ref!r}, which is not in objectives/data/reference_vehicles.yaml; "
                f"known ids: {', '.join(sorted(specs))}"
            )
        try:
            own = ob.vehicle_from_spec(specs[ref])
        except ob.SpecError as e:
            raise ConfigError(f"`vehicle.references` entry {ref!r} cannot be built: {e}") from None
        on_platform = dataclasses.replace(
            own,
            body=platform_body(platform),
            aux_power=platform.aux_power_w,
            pack=whole_cells(own.pack),
            speed_limit=next(f.default for f in dataclasses.fields(ob.Vehicle) if f.name == "speed_limit"),
        )
        out_specs.append(specs[ref])
        vehicles.append(on_platform)
    return out_specs, ob.common_structure(vehicles)
