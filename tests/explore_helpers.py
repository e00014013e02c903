"""Compose the study config from conf/ with the Hydra compose API, as tests need it."""

import pathlib

from omegaconf import OmegaConf

from explore import load_config

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


def compose_config(overrides=()):
    """(DictConfig, checked typed Config) for `overrides` (list of 'key=value')."""
    return load_config(overrides)


def config_yaml(cfg):
    return OmegaConf.to_yaml(OmegaConf.to_container(cfg, resolve=True, enum_to_str=True))


def group_options(group):
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))
