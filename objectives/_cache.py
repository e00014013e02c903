"""JAX's persistent compilation cache for the command-line tools.

The model compiles in seconds and the result depends only on the code, the shapes and the
JAX version, so the tools (`python -m explore`, `python -m objectives`) keep compiled
programs on disk between runs. On by default in a per-user directory; the environment
variable `EV_COMPILATION_CACHE` names another directory, or turns it off with `off`.
`JAX_COMPILATION_CACHE_DIR`, when set, is JAX's own setting and is left as it is.
Importing `objectives` as a library changes nothing: only `enable_compilation_cache()` does.
"""

import logging
import os

import jax

ENV = "EV_COMPILATION_CACHE"
OFF = ("off", "0", "false", "no", "none")
MIN_COMPILE_S = 0.2  # programs that compile faster than this are not worth a disk read

log = logging.getLogger(__name__)


def default_cache_dir() -> str:
    """The per-user cache directory: $XDG_CACHE_HOME/ev-explore/jax (~/.cache by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ev-explore", "jax")


def enable_compilation_cache() -> str | None:
    """Turn on JAX's persistent compilation cache (see the module docstring). Returns the
    directory used, or None when it is off or cannot be created (a warning says why)."""
    setting = os.environ.get(ENV, "").strip()
    if setting.lower() in OFF:
        return None
    if not setting and os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return os.environ["JAX_COMPILATION_CACHE_DIR"]
    path = os.path.abspath(os.path.expanduser(setting or default_cache_dir()))
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        log.warning(
            "compilation cache %s cannot be created (%s): compiling afresh; set %s=DIR or %s=off",
            path,
            e.strerror,
            ENV,
            ENV,
        )
        return None
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_S)
    return path
