"""Batches of designs as columns (a dict of numpy arrays keyed by variable name): from and to
Optuna's trials and distributions, drawn at random, and cut into chunks of one shape.
"""

import numpy as np
import optuna

from ._variables import OPTIONAL, VARIABLES


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
