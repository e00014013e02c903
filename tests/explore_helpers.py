"""What the explore tests share: the study config from conf/ (`load_config`), and a tiny study
run end to end (`run`)."""

import pathlib

from omegaconf import OmegaConf

from explore import export, load_config, run_study

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


def compose_config(overrides=()):
    """(DictConfig, checked typed Config) for `overrides` (list of 'key=value')."""
    return load_config(overrides)


def config_yaml(cfg):
    return OmegaConf.to_yaml(OmegaConf.to_container(cfg, resolve=True, enum_to_str=True))


def group_options(group):
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


# Options that need more settings to compose: `vehicle=spec` names a car of a spec file.
REFERENCE_FILE = ROOT / "objectives" / "data" / "reference_vehicles.yaml"
OPTION_SETTINGS = {("vehicle", "spec"): [f"vehicle.file={REFERENCE_FILE}", "vehicle.id=kia_ev6_gt"]}


def choose(group, option):
    """The overrides that choose `option` of config group `group`."""
    return [f"{group}={option}", *OPTION_SETTINGS.get((group, option), [])]


TINY = ["study.n_trials=60", "study.batch_size=20", "study.progress=false", "refine.enabled=false"]


def run(tmp_path, overrides=(), name="run"):
    cfg, typed = compose_config(TINY + list(overrides))
    run_dir = tmp_path / name
    run_dir.mkdir(exist_ok=True)
    text = config_yaml(cfg)
    study = run_study(typed, str(run_dir), progress=False)
    return study, export(study, typed, text, run_dir / "results.nc"), run_dir
