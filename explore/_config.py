"""Typed configuration of a study: Hydra structured-config schemas and their validation.

The schemas are registered in Hydra's ConfigStore (`register`) and `conf/` fills them in.
The composed config is converted to these dataclasses once (`to_typed`) and checked
(`check`: plain values, the space against the platform, reachable constraints) at this
boundary, so that nothing below sees a DictConfig or a value that makes no physical sense.
Scripts get a config the same way the command line does: `load_config(overrides)`.
"""

import enum
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast, overload
from urllib.parse import unquote, unquote_plus

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException


class ConfigError(ValueError):
    """A config value is invalid; the message names the key, the value and the fix."""


@dataclass
class TyreConfig:
    """One entry of the tyre catalogue: ISO size, EU label rolling-resistance class (A-E) and
    grip category (eco, touring, uhp, track)."""

    size: str = MISSING
    label: str = MISSING
    category: str = MISSING
    description: str = ""


@dataclass
class PlatformConfig:
    """A vehicle platform: everything a study does not search (SI or unit in the name)."""

    name: str = MISSING
    description: str = ""
    glider_mass_kg: float = MISSING  # kerb mass without pack, motors, gearboxes, wheels and tyres
    drag_coefficient: float = MISSING
    frontal_area_m2: float = MISSING
    wheelbase_m: float = MISSING
    cg_height_m: float = MISSING
    front_weight_frac: float = 0.55  # static weight on the front axle
    tyre: str = MISSING  # the platform's own tyre: an entry of `tyres`
    tyres: dict[str, TyreConfig] = field(default_factory=dict)  # the catalogue (conf/tyres/)
    aux_power_w: float = 250.0  # objectives' AUX_POWER (FASTSim EV files)
    max_pack_energy_kwh: float = MISSING  # gross energy of the largest pack that fits
    max_pack_mass_kg: float = MISSING  # heaviest pack the structure and axles carry
    # The bus voltage window the platform's inverters, DC-DC converter and charger work in:
    # open-circuit pack voltage at the bottom and the top of the usable window.
    min_pack_voltage_v: float = 250.0
    max_pack_voltage_v: float = 470.0  # a 400 V-class bus
    # Cells in series its bus takes: the bounds of `cells_series` in the shipped spaces.
    cells_series_low: int = 72
    cells_series_high: int = 140
    # The platform's cell, in library cells (`objectives.CELLS`, the chosen chemistry's): its
    # capacity, mass and current limits are this many times the library cell's and its
    # resistance this many times smaller (the same cell design in another size). A design's
    # `cells_parallel` counts these cells. A spec platform takes its car's own cell.
    cell_size: float = 1.0
    # Published variants of this platform: ids in `file` (objectives/data/reference_vehicles.yaml
    # when null). Their motors, gearing and pack are evaluated on this platform's body.
    references: list[str] = field(default_factory=list)
    # A spec file (the predictor's schema) whose car `id` the platform is built from
    # (conf/vehicle/spec.yaml: `${spec:...}` fills the fields above), and where `references`
    # are looked up. A relative path is taken from the working directory, or else from
    # objectives/data/ (e.g. variant_pairs.yaml).
    file: str | None = None
    id: str | None = None


@dataclass
class Variable:
    """One design variable: a range (`low`, `high`, optional `log` scale) or `choices`."""

    unit: str = ""
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: list[Any] | None = None


@dataclass
class SpaceConfig:
    """The searched design variables (see `explore._variables.VARIABLES` for the names)."""

    name: str = MISSING
    description: str = ""
    motor_max_speed_rpm: float = 16000.0  # motor technology, not searched
    variables: dict[str, Variable] = MISSING


class SamplerName(enum.Enum):
    nsga2 = "nsga2"
    nsga3 = "nsga3"
    tpe = "tpe"
    random = "random"
    qmc = "qmc"


@dataclass
class SamplerConfig:
    """An Optuna sampler: its name. Each sampler has its own schema below (one per option of
    the `sampler` group), so a key a sampler does not take is an error at composition."""

    name: SamplerName = MISSING


@dataclass
class GeneticSamplerConfig(SamplerConfig):
    """NSGA-II or NSGA-III."""

    population_size: int | None = None  # None: one batch (`study.batch_size`)
    mutation_prob: float | None = None  # None: 1 / number of variables
    crossover_prob: float = 0.9
    swapping_prob: float = 0.5


@dataclass
class TPESamplerConfig(SamplerConfig):
    n_startup_trials: int = 10
    multivariate: bool = True
    constant_liar: bool = True  # spread the designs of one batch apart


@dataclass
class QMCSamplerConfig(SamplerConfig):
    qmc_type: str = "sobol"
    scramble: bool = True


@dataclass
class RandomSamplerConfig(SamplerConfig):
    pass


SAMPLER_SCHEMAS: dict[SamplerName, type[SamplerConfig]] = {
    SamplerName.nsga2: GeneticSamplerConfig,
    SamplerName.nsga3: GeneticSamplerConfig,
    SamplerName.tpe: TPESamplerConfig,
    SamplerName.random: RandomSamplerConfig,
    SamplerName.qmc: QMCSamplerConfig,
}


class RangeCycle(enum.Enum):
    wltp = "wltp"  # WLTC class 3b
    epa = "epa"  # UDDS + HWFET, 55/45, x 0.7 label factor


@dataclass
class ObjectiveConfig:
    range: RangeCycle = RangeCycle.wltp
    rollout: bool = False  # 0-100 less the first foot (US magazine convention)


@dataclass
class TopSpeedConstraint:
    enabled: bool = True
    min_kmh: float = 150.0


@dataclass
class PackFitsConstraint:
    enabled: bool = True
    max_energy_kwh: float = "${vehicle.max_pack_energy_kwh}"  # type: ignore[assignment]
    max_mass_kg: float = "${vehicle.max_pack_mass_kg}"  # type: ignore[assignment]


@dataclass
class PackVoltageConstraint:
    enabled: bool = True
    # open-circuit voltage at the bottom and the top of the usable window: the platform's bus
    min_v: float = "${vehicle.min_pack_voltage_v}"  # type: ignore[assignment]
    max_v: float = "${vehicle.max_pack_voltage_v}"  # type: ignore[assignment]


@dataclass
class CellCurrentConstraint:
    enabled: bool = True
    max_frac: float = 1.0  # of the cell's rated peak discharge current, at peak power


@dataclass
class SustainedSpeedConstraint:
    enabled: bool = True
    min_kmh: float = 130.0  # held on the motors' 30-minute rating


@dataclass
class ConstraintsConfig:
    top_speed: TopSpeedConstraint = field(default_factory=TopSpeedConstraint)
    sustained_speed: SustainedSpeedConstraint = field(default_factory=SustainedSpeedConstraint)
    pack_fits: PackFitsConstraint = field(default_factory=PackFitsConstraint)
    pack_voltage: PackVoltageConstraint = field(default_factory=PackVoltageConstraint)
    cell_current: CellCurrentConstraint = field(default_factory=CellCurrentConstraint)


@dataclass
class StudyConfig:
    n_trials: int = 8_000  # designs the sampler proposes to this worker
    batch_size: int = 200  # designs asked, scored and told together
    name: str = "${vehicle.name}-${space.name}"
    storage: str | None = None  # None: in memory, saved batch by batch to <run dir>/study.journal
    progress: bool = True


@dataclass
class RefineConfig:
    """Gradient refinement of the front once the sampler is done (see `explore._refine`)."""

    enabled: bool = True
    evaluations: int = 2000  # budget in model evaluations; one design's gradient counts as 3
    steps: int = 6  # gradient steps per refined design
    rounds: int = 1  # refinement rounds spread over the study (the last at its end), sharing the budget


@dataclass
class ClusterConfig:
    """Settings of the launcher presets (conf/hydra/launcher/): SLURM through submitit, and
    joblib on this machine's cores. The study itself does not read them."""

    partition: str | None = None
    time_min: int = 120
    cpus: int = 2
    gpus: int = 0
    mem_gb: int = 8
    array_parallelism: int = 32
    local_jobs: int = -1


@dataclass
class Config:
    vehicle: PlatformConfig = MISSING
    space: SpaceConfig = MISSING
    sampler: Any = MISSING  # a SamplerConfig subclass: the schema of the sampler option chosen
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    constraints: ConstraintsConfig = field(default_factory=ConstraintsConfig)
    study: StudyConfig = field(default_factory=StudyConfig)
    refine: RefineConfig = field(default_factory=RefineConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    seed: int = 0
    worker: int = 0


def register() -> None:
    """Register the root schema, and one schema per sampler (`sampler_<name>_schema`, which
    conf/sampler/<name>.yaml's defaults put in its place); each group's files merge into
    their typed field."""
    store = ConfigStore.instance()
    store.store(name="config_schema", node=Config)
    OmegaConf.register_new_resolver("spec", _from_spec, replace=True)
    for name, schema in SAMPLER_SCHEMAS.items():  # outside any group: not an option of `sampler`
        store.store(name=f"sampler_{name.value}_schema", node=schema(name=name))


def _from_spec(name: str, _root_: DictConfig) -> Any:
    """`${spec:NAME}`: field NAME of the platform built from car `vehicle.id` of `vehicle.file`."""
    from ._vehicles import spec_platform

    return spec_platform(_root_.vehicle.file, _root_.vehicle.id)[name]


CONF_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "conf")


def load_config(overrides: Iterable[str] = ()) -> tuple[DictConfig, Config]:
    """The study config of `python -m explore <overrides>`, composed from conf/ and checked
    (`check`), for scripts, notebooks, benchmarks and tests: (DictConfig, typed Config).
    `overrides`: list of 'key=value'. Raises `ConfigError` for a value that cannot work;
    Hydra's own errors (an unknown key or group option) pass through."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    register()
    with initialize_config_dir(config_dir=CONF_DIR, version_base=None):
        cfg = hydra_compose(config_name="config", overrides=list(overrides))
    try:
        typed = to_typed(cfg)
    except OmegaConfBaseException as e:
        raise ConfigError(str(raised_by_us(e) or str(e).splitlines()[0])) from None
    return cfg, check(typed)


def raised_by_us(e: BaseException) -> ConfigError | None:
    """The `ConfigError` behind an OmegaConf error (raised by a resolver of ours, such as
    `${spec:...}`, and wrapped by OmegaConf, once per interpolation level), if any."""
    seen: BaseException | None = e
    while seen is not None and not isinstance(seen, ConfigError):
        seen = seen.__cause__ or seen.__context__
    return seen


def check(cfg: Config) -> Config:
    """`cfg` (a `Config`) if a study can run on it, else `ConfigError` naming the first key that
    cannot work, its value and the fix: its values (`validate`), the search space against
    the platform, the constraints against what the space can reach, the platform's published
    variants. `run_study` checks its config with this too, so no invalid config runs."""
    from ._scoring import check_reachable
    from ._variables import check_space
    from ._vehicles import reference_vehicles

    validate(cfg)
    check_space(cfg.space, cfg.vehicle)
    check_reachable(cfg)
    reference_vehicles(cfg.vehicle)
    return cfg


def to_typed(cfg: DictConfig) -> Config:
    """The composed DictConfig as a `Config` of dataclasses (interpolations resolved)."""
    return cast(Config, OmegaConf.to_object(cfg))


# Query parameters of a URL whose values are secrets (libpq's password and sslpassword,
# and the like of other drivers).
_SECRET_PARAM = re.compile(r"pass|pwd|secret|token|credential", re.IGNORECASE)
# In any text: the password of scheme://user:password@ (user may be empty; the password runs
# to the last @ before whitespace or a quote, so an @ in it hides more, never less), and
# the value of a secret-named query parameter.
_USERINFO_PASSWORD = re.compile(r"(\w[\w+.-]*://[^\s:/@'\"]*:)[^\s'\"]*@")
_QUERY_SECRET = re.compile(
    r"([?&;][^=&;\s'\"]*(?:pass|pwd|secret|token|credential)[^=&;\s'\"]*=)[^&;\s'\"]*", re.IGNORECASE
)


PIECE = 3  # shortest piece of a split password that is redacted on its own (shorter: any "t" would go)


def url_secrets(url: str | None) -> list[str]:
    """The secrets a storage URL carries, as written and percent-decoded, longest first: the
    password of its user info and the values of secret-named query parameters. A password
    with a raw @ or ? (which should have been percent-encoded) is taken every way a parser
    may split it, and its pieces too, as a driver's message may show one."""
    if not url or "://" not in url:
        return []
    rest = url.split("://", 1)[1]
    found = []
    first, last, before_query = rest.find("@"), rest.rfind("@"), rest.split("?", 1)[0].rfind("@")
    for at, pieces in ((first, True), (before_query, True), (last, False)):
        if at >= 0 and ":" in rest[:at]:
            password = rest[:at].split(":", 1)[1]
            found += [password, *(p for p in password.split("@") if pieces and len(p) >= PIECE)]
    for part in re.split(r"[?&;]", rest)[1:]:
        name, _, value = part.partition("=")
        if _SECRET_PARAM.search(unquote(name)):
            found += [value, *(p for p in value.split("@") if len(p) >= PIECE)]
    out = {x for s in found if s for x in (s, unquote(s), unquote_plus(s)) if x}
    return sorted(out, key=len, reverse=True)


@overload
def redact(text: str, url: str | None = None) -> str: ...
@overload
def redact(text: None, url: str | None = None) -> None: ...
def redact(text: str | None, url: str | None = None) -> str | None:
    """`text` with the secrets of any URL in it, and every secret of the storage URL `url`
    (as written or decoded, e.g. echoed by a database driver), replaced by ***."""
    if not text:
        return text
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    text = _USERINFO_PASSWORD.sub(r"\1***@", text)
    return _QUERY_SECRET.sub(r"\1***", text)


def check_tyres(platform: PlatformConfig) -> None:
    """Raise `ConfigError` for a tyre catalogue entry the model cannot build, or a platform tyre
    that is not in the catalogue."""
    from objectives import CATEGORIES, LABEL_CLASSES, parse_size

    _check(bool(platform.tyres), "vehicle.tyres", platform.tyres, "must list at least one tyre (conf/tyres/)")
    for name, t in platform.tyres.items():
        key = f"vehicle.tyres.{name}"
        _check(parse_size(t.size) is not None, f"{key}.size", t.size, "must be an ISO size like '255/45 R19'")
        _check(
            t.label in LABEL_CLASSES,
            f"{key}.label",
            t.label,
            f"must be an EU label class, one of {', '.join(LABEL_CLASSES)}",
        )
        _check(t.category in CATEGORIES, f"{key}.category", t.category, f"must be one of {', '.join(CATEGORIES)}")
    _check(
        platform.tyre in platform.tyres,
        "vehicle.tyre",
        platform.tyre,
        f"must name an entry of vehicle.tyres ({', '.join(platform.tyres)})",
    )


def _check(ok: bool, key: str, value: object, fix: str) -> None:
    if not ok:
        raise ConfigError(f"`{key}` {fix}, got {value!r}")


def _positive(key: str, value: object) -> None:
    _check(
        isinstance(value, (int, float)) and math.isfinite(value) and value > 0,
        key,
        value,
        "must be a finite number > 0",
    )


def _fraction(key: str, value: object, *, open_low: bool = False) -> None:
    ok = (
        isinstance(value, (int, float))
        and math.isfinite(value)
        and (0.0 < value if open_low else 0.0 <= value)
        and value <= 1.0
    )
    _check(ok, key, value, "must be a fraction in (0, 1]" if open_low else "must be a fraction in [0, 1]")


def validate(cfg: Config) -> None:
    """Raise `ConfigError` for the first value of `cfg` (a `Config`) that cannot work."""
    v = cfg.vehicle
    for name in (
        "glider_mass_kg",
        "drag_coefficient",
        "frontal_area_m2",
        "wheelbase_m",
        "cg_height_m",
        "max_pack_energy_kwh",
        "max_pack_mass_kg",
        "min_pack_voltage_v",
        "max_pack_voltage_v",
        "cell_size",
    ):
        _positive(f"vehicle.{name}", getattr(v, name))
    _fraction("vehicle.front_weight_frac", v.front_weight_frac)
    check_tyres(v)
    _check(
        math.isfinite(v.aux_power_w) and v.aux_power_w >= 0.0, "vehicle.aux_power_w", v.aux_power_w, "must be >= 0 W"
    )
    _positive("space.motor_max_speed_rpm", cfg.space.motor_max_speed_rpm)

    s = cfg.study
    _check(s.n_trials >= 1, "study.n_trials", s.n_trials, "must be >= 1 (designs to evaluate)")
    _check(s.batch_size >= 1, "study.batch_size", s.batch_size, "must be >= 1 (designs per batch)")
    _check(bool(s.name.strip()), "study.name", s.name, "must not be empty")
    _check(
        cfg.refine.evaluations >= 0,
        "refine.evaluations",
        cfg.refine.evaluations,
        "must be >= 0 (model evaluations spent refining the front; 0 or refine.enabled=false for none)",
    )
    _check(cfg.refine.steps >= 1, "refine.steps", cfg.refine.steps, "must be >= 1 (gradient steps per refined design)")
    _check(
        cfg.refine.rounds >= 1, "refine.rounds", cfg.refine.rounds, "must be >= 1 (refinement rounds over the study)"
    )
    # results.nc keeps the seed and worker as 64-bit integers
    _check(0 <= cfg.seed < 2**63, "seed", cfg.seed, "must be >= 0 and < 2**63")
    _check(0 <= cfg.worker < 2**31, "worker", cfg.worker, "must be >= 0 and < 2**31")
    _check(
        cfg.cluster.local_jobs == -1 or cfg.cluster.local_jobs >= 1,
        "cluster.local_jobs",
        cfg.cluster.local_jobs,
        "must be >= 1 (jobs at once), or -1 for one per core",
    )
    for key in ("time_min", "cpus", "mem_gb", "array_parallelism"):
        _check(getattr(cfg.cluster, key) >= 1, f"cluster.{key}", getattr(cfg.cluster, key), "must be >= 1")
    _check(cfg.cluster.gpus >= 0, "cluster.gpus", cfg.cluster.gpus, "must be >= 0")

    sp = cfg.sampler
    _check(
        # no `name` (None) finds no schema
        isinstance(sp, SAMPLER_SCHEMAS.get(cast(SamplerName, getattr(sp, "name", None)), ())),
        "sampler",
        sp,
        "must come from a sampler option of conf/sampler/ (its defaults name /sampler_<name>_schema)",
    )
    if isinstance(sp, GeneticSamplerConfig):
        _check(
            sp.population_size is None or sp.population_size >= 2,
            "sampler.population_size",
            sp.population_size,
            "must be >= 2, or null for one batch",
        )
        _check(
            sp.population_size is not None or s.batch_size >= 2,
            "study.batch_size",
            s.batch_size,
            f"must be >= 2 with sampler={sp.name.value} (its population is one batch), or set sampler.population_size",
        )
        if sp.mutation_prob is not None:
            _fraction("sampler.mutation_prob", sp.mutation_prob)
        _fraction("sampler.crossover_prob", sp.crossover_prob)
        _fraction("sampler.swapping_prob", sp.swapping_prob)
    if isinstance(sp, TPESamplerConfig):
        _check(sp.n_startup_trials >= 0, "sampler.n_startup_trials", sp.n_startup_trials, "must be >= 0")
    if isinstance(sp, QMCSamplerConfig):
        _check(sp.qmc_type in ("sobol", "halton"), "sampler.qmc_type", sp.qmc_type, "must be sobol or halton")

    c = cfg.constraints
    _positive("constraints.top_speed.min_kmh", c.top_speed.min_kmh)
    _positive("constraints.sustained_speed.min_kmh", c.sustained_speed.min_kmh)
    _positive("constraints.pack_fits.max_energy_kwh", c.pack_fits.max_energy_kwh)
    _positive("constraints.pack_fits.max_mass_kg", c.pack_fits.max_mass_kg)
    _positive("constraints.pack_voltage.min_v", c.pack_voltage.min_v)
    _positive("constraints.pack_voltage.max_v", c.pack_voltage.max_v)
    _check(
        c.pack_voltage.min_v < c.pack_voltage.max_v,
        "constraints.pack_voltage.min_v",
        c.pack_voltage.min_v,
        f"must be below constraints.pack_voltage.max_v ({c.pack_voltage.max_v:g} V)",
    )
    _positive("constraints.cell_current.max_frac", c.cell_current.max_frac)
