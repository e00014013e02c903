"""`python -m explore [overrides]`: one Hydra job runs one Optuna study of the platform.

The composed config is converted to typed dataclasses here, once, and validated; nothing
below this module sees a DictConfig. Bad values end the job with a one-line message and
exit code 2 before anything is written to results.nc.
"""

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, cast

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ._config import ConfigError, check, redact, register, to_typed

log = logging.getLogger("explore")
RESULTS = "results.nc"
SUMMARY = "summary.txt"
FIGURE = "pareto.png"

register()


def config_yaml(cfg: DictConfig) -> str:
    """The resolved config as YAML, passwords redacted; what results.nc records."""
    plain = cast(dict[str, Any], OmegaConf.to_container(cfg, resolve=True, enum_to_str=True))  # of a DictConfig: a dict
    plain["study"]["storage"] = redact(plain["study"]["storage"])
    return OmegaConf.to_yaml(plain)


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


@hydra.main(version_base=None, config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    # Imports that pull in JAX and Optuna stay here so `--help` and `--cfg` are quick.
    logging.getLogger("jax").setLevel(logging.WARNING)  # backend probing is not news
    import optuna

    from objectives import enable_compilation_cache

    from ._export import export
    from ._plots import pareto_figure
    from ._study import run_study
    from ._summary import summary

    try:
        typed = check(to_typed(cfg))
    except ConfigError as e:
        fail(str(e))
    except OmegaConfBaseException as e:
        fail(f"{str(e).splitlines()[0]}")

    enable_compilation_cache()
    run_dir = HydraConfig.get().runtime.output_dir
    if not os.access(run_dir, os.W_OK):
        fail(f"`hydra.run.dir` {run_dir} is not writable; choose another with hydra.run.dir=PATH")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = run_study(typed, run_dir, progress=typed.study.progress)
    except ConfigError as e:
        fail(str(e))
    ds = export(study, typed, config_yaml(cfg), os.path.join(run_dir, RESULTS))
    pareto_figure(ds, os.path.join(run_dir, FIGURE))
    report = summary(ds)
    with open(os.path.join(run_dir, SUMMARY), "w") as f:
        f.write(report + "\n")
    print(report)
    print(f"Results: {os.path.join(run_dir, RESULTS)}")
    log.info("wrote %s", os.path.join(run_dir, RESULTS))


def check_output_dirs(argv: Sequence[str]) -> None:
    """Create the run or sweep directory given on the command line now, so that one that
    cannot be created ends with one line and exit code 2 rather than Hydra's traceback."""
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and key.lstrip("+") in ("hydra.run.dir", "hydra.sweep.dir") and "${" not in value:
            try:
                os.makedirs(value, exist_ok=True)
                probe = os.path.join(value, ".explore-write-test")
                with open(probe, "w"):
                    pass
                os.remove(probe)
            except OSError as e:
                fail(
                    f"`{key.lstrip('+')}` {value!r} is not a writable directory ({e.strerror}); "
                    f"choose another with {key.lstrip('+')}=PATH"
                )


if __name__ == "__main__":
    check_output_dirs(sys.argv[1:])
    main()
