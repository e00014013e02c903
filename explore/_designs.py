"""A batch of designs of one search space (`Designs`): one numpy array per variable, from
and to Optuna's trials and distributions, drawn at random, cut into chunks of one shape,
and the domain rules on a batch (which axles are driven, which variables mean something).
"""

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import optuna

from ._config import SpaceConfig
from ._variables import AXLES, OPTIONAL, VARIABLES, bounds


@dataclasses.dataclass(frozen=True, eq=False)
class Designs:
    """`n` designs of the search space `space`, as columns: `columns[name]` holds the
    values of variable `name` for every design (an array of length n). Every variable of
    the space has a column, and so has every optional variable the space leaves out (at its
    default, `explore._variables.OPTIONAL`); counts may be relaxed to real numbers (the
    gradient refinement moves them so). `designs[name]` reads a column, `len(designs)` is n.
    """

    space: SpaceConfig
    columns: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        names = self.names(self.space)
        if sorted(self.columns) != sorted(names):
            missing, extra = set(names) - set(self.columns), set(self.columns) - set(names)
            raise ValueError(f"designs of this space have the columns {names}; missing {missing}, extra {extra}")
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"every column of a batch of designs has one length, got lengths {sorted(lengths)}")

    @staticmethod
    def names(space: SpaceConfig) -> list[str]:
        """The columns of designs of `space`: its variables (declaration order), then the
        optional variables it leaves out."""
        return list(space.variables) + [k for k in OPTIONAL if k not in space.variables]

    @classmethod
    def from_params(cls, params: Sequence[Mapping[str, Any]], space: SpaceConfig) -> "Designs":
        """Designs from one dict of values per design (Optuna's `trial.params`), the
        optional variables a dict leaves out at their defaults."""
        return cls(
            space,
            {name: np.asarray([p.get(name, OPTIONAL.get(name)) for p in params]) for name in cls.names(space)},
        )

    @classmethod
    def random(cls, space: SpaceConfig, n: int, rng: np.random.Generator) -> "Designs":
        """`n` designs drawn uniformly over `space`: choices and counts uniform, ranges
        uniform (log-uniform where declared `log`)."""
        cols: dict[str, np.ndarray] = {}
        for name, var in space.variables.items():
            kind = VARIABLES[name].kind
            if kind == "choice":
                cols[name] = np.asarray(var.choices)[rng.integers(0, len(var.choices or ()), n)]
                continue
            low, high = bounds(var)
            if kind == "int":
                cols[name] = rng.integers(int(low), int(high) + 1, n)
            elif var.log:
                cols[name] = np.exp(rng.uniform(np.log(low), np.log(high), n))
            else:
                cols[name] = rng.uniform(low, high, n)
        for name, default in OPTIONAL.items():
            cols.setdefault(name, np.full(n, default))
        return cls(space, cols)

    @classmethod
    def concatenate(cls, parts: Sequence["Designs"]) -> "Designs":
        """The designs of `parts` (at least one, all of one space), one after another."""
        space = parts[0].space
        return cls(space, {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0].columns})

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def take(self, index: np.ndarray) -> "Designs":
        """The designs at `index` (integer or boolean array), in its order."""
        return Designs(self.space, {k: np.asarray(v)[index] for k, v in self.columns.items()})

    def replace(self, **columns: np.ndarray) -> "Designs":
        """These designs with the columns given replaced."""
        return Designs(self.space, {**self.columns, **columns})

    def params(self, i: int) -> dict[str, Any]:
        """Design `i` as Optuna params: the variables of the space, as Python values."""
        return {k: np.asarray(self.columns[k][i]).item() for k in self.space.variables}

    def as_declared(self) -> "Designs":
        """These designs with the counts as integers (rounded): as a sampler proposes them."""
        counts = {
            k: np.round(np.asarray(v, float)).astype(np.int64)
            for k, v in self.columns.items()
            if k in VARIABLES and VARIABLES[k].kind == "int"
        }
        return self.replace(**counts)

    def chunks(self, size: int) -> Iterator[tuple[int, int, "Designs"]]:
        """(start, stop, these designs' start:stop padded to `size` designs) over the
        designs, in chunks of `size` (see `padded_chunks`)."""
        for start, stop, index in padded_chunks(len(self), size):
            yield start, stop, self.take(index)

    def active(self) -> dict[str, np.ndarray]:
        """Which axle variables mean something for each design: {axle: bool array}."""
        layout = np.asarray(self["layout"])
        return {axle: (layout == axle) | (layout == "dual") for axle in AXLES}

    def meaningful(self, names: Sequence[str]) -> np.ndarray:
        """(n, len(names)) bool: where each variable of `names` means something for a
        design: axle variables only on a driven axle, the second-gear ratio only with two
        gears, the secondary axle's idling only on a dual design."""
        on = self.active()
        out = np.ones((len(self), len(names)), bool)
        for j, name in enumerate(names):
            if name == "secondary_idle":
                out[:, j] &= np.asarray(self["layout"]) == "dual"
            axle = name.split("_", 1)[0]
            if axle in on:
                out[:, j] &= on[axle]
            if name.endswith("ratio_2_frac"):
                out[:, j] &= np.asarray(self[f"{axle}_gears"]) == 2
        return out


def distributions(space: SpaceConfig) -> dict[str, optuna.distributions.BaseDistribution]:
    """The Optuna distribution of every variable of `space`, in declaration order: a trial
    asked with them (`Study.ask(distributions(space))`) draws every variable in one call."""
    out: dict[str, optuna.distributions.BaseDistribution] = {}
    for name, var in space.variables.items():
        kind = VARIABLES[name].kind
        if kind == "choice":
            out[name] = optuna.distributions.CategoricalDistribution(list(var.choices or ()))
            continue
        low, high = bounds(var)
        if kind == "int":
            out[name] = optuna.distributions.IntDistribution(int(low), int(high), log=var.log)
        else:
            out[name] = optuna.distributions.FloatDistribution(low, high, log=var.log)
    return out


def padded_chunks(n: int, size: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """(start, stop, index) over `n` designs in chunks of `size`. `index` picks a chunk's
    designs and pads it to `size` by repeating its first, so that every model call has
    one shape and the model compiles once."""
    for start in range(0, n, size):
        stop = min(start + size, n)
        yield start, stop, np.concatenate([np.arange(start, stop), np.full(size - (stop - start), start)])
