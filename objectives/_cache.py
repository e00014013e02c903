"""JAX's persistent compilation cache for the command-line tools, and traced programs kept
with it.

The model compiles in seconds and the result depends only on the code, the shapes and the
JAX version, so the tools (`python -m explore`, `python -m objectives`) keep compiled
programs on disk between runs. On by default in a per-user directory; the environment
variable `EV_COMPILATION_CACHE` names another directory, or turns it off with `off`.
`JAX_COMPILATION_CACHE_DIR`, when set, is JAX's own setting and is left as it is.
Importing `objectives` as a library changes nothing: only `enable_compilation_cache()` does.

Tracing the model (Python running every operation once to build the program) costs as
much as compiling it, and JAX's cache only saves the compiling. A `Program` also keeps the
traced program (`jax.export`, serialized) in the cache directory, keyed by the source of
`objectives` and `explore`, the JAX version, the arguments' tree structure, shapes and
dtypes: a later process deserializes it in milliseconds instead of tracing again.
"""

import functools
import hashlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

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


PROGRAMS = "programs"  # subdirectory of the compilation cache holding serialized traced programs


class Program:
    """`jax.jit(fn)` whose traced program is kept on disk while the compilation cache is on
    (see the module docstring); otherwise exactly `jax.jit(fn)`. `fn` takes arrays and
    pytrees of them, returns dicts and tuples of arrays, and has no static arguments (bind
    them first, e.g. with `functools.partial`); `name` tells programs apart on disk."""

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self.fn, self.name = fn, name
        self._calls: dict[tuple[Any, ...], Callable[..., Any]] = {}

    def __call__(self, *args: Any) -> Any:
        leaves, tree = jax.tree.flatten(args)
        avals = tuple(
            jax.ShapeDtypeStruct(np.shape(x), jax.dtypes.canonicalize_dtype(np.result_type(x))) for x in leaves
        )
        key = (tree, tuple((a.shape, a.dtype) for a in avals))
        call = self._calls.get(key)
        if call is None:
            call = self._calls[key] = self._program(tree, avals)
        return call(*leaves)

    def _program(self, tree: Any, avals: tuple[jax.ShapeDtypeStruct, ...]) -> Callable[..., Any]:
        def flat(*leaves: Any) -> Any:
            return self.fn(*jax.tree.unflatten(tree, leaves))

        folder = _programs_dir()
        if folder is None:
            return jax.jit(flat)
        digest = hashlib.sha256(
            repr(
                (self.name, _source_digest(), jax.__version__, str(tree), [(a.shape, str(a.dtype)) for a in avals])
            ).encode()
        ).hexdigest()[:32]
        path = os.path.join(folder, f"{self.name}-{digest}.jaxexport")
        try:
            with open(path, "rb") as f:
                return jax.jit(jax.export.deserialize(bytearray(f.read())).call)
        except FileNotFoundError:
            pass
        except Exception as e:  # noqa: BLE001 - a torn or foreign file: trace again and replace it
            log.warning("traced program %s cannot be read (%s): tracing again", path, e)
        exported = jax.export.export(jax.jit(flat))(*avals)
        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".program-", dir=folder)
            with os.fdopen(fd, "wb") as out:
                out.write(exported.serialize())
            os.replace(tmp, path)
        except (OSError, ImportError) as e:  # ImportError: jax.export's serializer needs flatbuffers
            log.warning("traced program %s cannot be written (%s): it will be traced again next time", path, e)
        return jax.jit(exported.call)


def _programs_dir() -> str | None:
    cache = getattr(jax.config, "jax_compilation_cache_dir", None)  # a flag read as an attribute
    return os.path.join(cache, PROGRAMS) if cache else None


@functools.cache
def _source_digest() -> str:
    """SHA-256 of the Python source of `objectives` and `explore` (what a traced program is
    made of besides JAX)."""
    digest = hashlib.sha256()
    for package in ("objectives", "explore"):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = next(iter(spec.submodule_search_locations))
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as f:
                        digest.update(name.encode() + f.read())
    return digest.hexdigest()
