"""Compose the study config from conf/ with the Hydra compose API, as tests need it."""

import pathlib

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from explore._config import register, to_typed

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


def compose_config(overrides=()):
    """(DictConfig, typed Config) for `overrides` (list of 'key=value')."""
    register()
    with initialize_config_dir(config_dir=str(CONF), version_base=None):
        cfg = compose(config_name="config", overrides=list(overrides))
    return cfg, to_typed(cfg)


def config_yaml(cfg):
    return OmegaConf.to_yaml(OmegaConf.to_container(cfg, resolve=True, enum_to_str=True))


def group_options(group):
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))
