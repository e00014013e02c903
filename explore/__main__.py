"""`python -m explore [overrides]`: one Hydra job runs one Optuna study of the platform.

The composed config is converted to typed dataclasses here, once, and validated; nothing
below this module sees a DictConfig. Bad values end the job with a one-line message and
exit code 2 before anything is written to results.nc.
"""

import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, cast

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ._callbacks import FAILED
from ._config import ConfigError, check, raised_by_us, redact, register, to_typed

log = logging.getLogger("explore")
RESULTS = "results.nc"
SUMMARY = "summary.txt"
FIGURE = "pareto.png"

register()
_STORAGE: list[str] = []  # the run's storage URL, once known: its secrets are redacted from every message


def config_yaml(cfg: DictConfig) -> str:
    """The resolved config as YAML, passwords redacted; what results.nc records."""
    plain = cast(dict[str, Any], OmegaConf.to_container(cfg, resolve=True, enum_to_str=True))  # of a DictConfig: a dict
    return redact(OmegaConf.to_yaml(plain), plain["study"]["storage"])


_SWEEP_JOB: list[str] = []  # the job directory, when this run is one job of a sweep


class _JobFailed(Exception):
    """A sweep job ended with an error line; the other jobs go on."""


def fail(message: str) -> NoReturn:
    """Print one error line and end the run with exit code 2; in a sweep, end only this job
    (its line is kept in `<job dir>/error.txt` and the sweep reports it when it ends)."""
    line = f"error: {redact(message, next(iter(_STORAGE), None))}"
    print(line, file=sys.stderr)
    if _SWEEP_JOB:
        try:
            with open(os.path.join(_SWEEP_JOB[0], FAILED), "w") as f:
                f.write(line + "\n")
        except OSError:
            pass  # an unwritable job directory: its line above is all there is
        raise _JobFailed(line)
    sys.exit(2)


class _Redact(logging.Filter):
    """Redacts the storage URL's secrets (and any URL's password) from every log record."""

    def __init__(self, url: str | None) -> None:
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage(), self.url), None
        return True


def keep_secrets(cfg: DictConfig, run_dir: str) -> None:
    """Keep the storage URL's secrets out of everything the run writes or says: its log
    records, and the configs Hydra has written to the run directory (`.hydra/`, and a
    sweep's `multirun.yaml`) where a password was given literally on the command line."""
    try:
        url = OmegaConf.select(cfg, "study.storage")
    except OmegaConfBaseException:  # an interpolation that cannot resolve: the checks say which
        return
    if not url:
        return
    _STORAGE[:] = [url]
    for handler in logging.getLogger().handlers:
        handler.addFilter(_Redact(url))
    logging.getLogger().addFilter(_Redact(url))
    hydra_dir = os.path.join(run_dir, ".hydra")
    paths = [os.path.join(hydra_dir, f) for f in ("config.yaml", "hydra.yaml", "overrides.yaml")]
    paths.append(os.path.join(os.path.dirname(run_dir), "multirun.yaml"))
    for path in paths:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        clean = redact(text, url)
        if clean != text:
            with open(path, "w") as f:
                f.write(clean)


@hydra.main(version_base=None, config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode == RunMode.MULTIRUN:
        _SWEEP_JOB[:] = [hydra_cfg.runtime.output_dir]
        try:
            os.remove(os.path.join(hydra_cfg.runtime.output_dir, FAILED))  # an earlier attempt's
        except OSError:
            pass
    try:
        run(cfg)
    except _JobFailed:
        return  # the sweep goes on, and reports this job when it ends


def run(cfg: DictConfig) -> None:
    """One job: check the config, run the study, write results.nc, plots and summary."""
    # Imports that pull in JAX and Optuna stay here so `--help` and `--cfg` are quick.
    logging.getLogger("jax").setLevel(logging.WARNING)  # backend probing is not news
    import optuna

    from objectives import enable_compilation_cache

    from ._export import export
    from ._plots import pareto_figure
    from ._study import STUDY_FILE, run_lock, run_study
    from ._summary import summary

    run_dir = HydraConfig.get().runtime.output_dir
    keep_secrets(cfg, run_dir)
    try:
        typed = check(to_typed(cfg))
    except ConfigError as e:
        fail(str(e))
    except OmegaConfBaseException as e:
        fail(_config_message(e))

    enable_compilation_cache()
    if not os.access(run_dir, os.W_OK):
        fail(f"`hydra.run.dir` {run_dir} is not writable; choose another with hydra.run.dir=PATH")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    resume = (
        "the trials told so far are in the shared storage; rerun the same command to go on"
        if typed.study.storage
        else f"the batches done so far are saved in {os.path.join(run_dir, STUDY_FILE)}; rerun the same command "
        "(same hydra.run.dir) to resume"
    )
    try:
        with run_lock(run_dir):  # the whole job: study, results.nc, plots and summary
            study = run_study(typed, run_dir, progress=typed.study.progress)
            results = os.path.join(run_dir, RESULTS)
            ds = export(study, typed, config_yaml(cfg), results)
            pareto_figure(ds, os.path.join(run_dir, FIGURE))
            report = summary(ds)
            with open(os.path.join(run_dir, SUMMARY), "w") as f:
                f.write(report + "\n")
    except ConfigError as e:
        fail(str(e))
    except OSError as e:  # a full disk or a folder gone while writing the outputs
        fail(f"cannot write the results in {run_dir} ({e.strerror or e}); free space or fix the folder, then {resume}")
    except KeyboardInterrupt:
        print(f"\ninterrupted: {resume}", file=sys.stderr)
        sys.exit(130)
    print(report)
    print(f"Results: {results}")
    log.info("wrote %s", results)


def _config_message(e: OmegaConfBaseException) -> str:
    """One line for an error OmegaConf raised while reading the config: the key, what is
    wrong and, for an environment variable that is not set, the fix."""
    ours = raised_by_us(e)
    if ours is not None:
        return str(ours)
    text = str(e).splitlines()[0]
    key = getattr(e, "full_key", None)
    missing = re.search(r"Environment variable '([^']+)' not found", text)
    if missing:
        name = missing.group(1)
        return (
            f"`{key or 'config'}` reads the environment variable {name}, which is not set; "
            f"export {name}=... before the run (or give a default: ${{oc.env:{name},default}})"
        )
    return f"`{key}`: {text}" if key else text


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
