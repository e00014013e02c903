"""Frozen dataclasses registered as JAX pytrees.

Fields are array leaves (batched by `vmap`) unless declared with `static_field`,
which makes them part of the tree structure (a structural choice, never traced).
"""

import dataclasses
from collections.abc import Sequence
from typing import Any, TypeAlias, TypeVar, dataclass_transform

import jax
import jax.numpy as jnp
import numpy as np

Leaf: TypeAlias = float | jax.Array
"""The type of a pytree field that is an array leaf: a Python float for one design, a JAX
array (leading axis = designs) in a batch, or a tracer under jit, vmap and grad."""

T = TypeVar("T")


def static_field(**kwargs: Any) -> Any:
    return dataclasses.field(metadata={"static": True}, **kwargs)


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, static_field))
def pytree_dataclass(cls: type[T]) -> type[T]:
    cls = dataclasses.dataclass(frozen=True)(cls)
    data: list[str] = []
    meta: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]  # a dataclass from the line above
        (meta if f.metadata.get("static") else data).append(f.name)
    return jax.tree_util.register_dataclass(cls, data_fields=data, meta_fields=meta)


def field_default(cls: type, name: str) -> Any:
    """The default value of field `name` of the dataclass `cls`."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def stack(trees: Sequence[T]) -> T:
    """Stack a sequence of identically structured pytrees along a new leading axis.

    Leaves that are all host values (floats, numpy arrays) are stacked by numpy and moved to
    the device once; traced or device leaves are stacked by JAX."""

    def one(*leaves: Any) -> jax.Array:
        if all(isinstance(x, (int, float, np.ndarray, np.generic)) for x in leaves):
            return jnp.asarray(np.stack([np.asarray(x) for x in leaves]))
        return jnp.stack([jnp.asarray(x) for x in leaves])

    return jax.tree.map(one, *trees)


def unstack(tree: T) -> list[T]:
    """Inverse of `stack`: a list of pytrees, one per leading index."""
    leaves, treedef = jax.tree.flatten(tree)
    n = leaves[0].shape[0]
    return [jax.tree.unflatten(treedef, [leaf[i] for leaf in leaves]) for i in range(n)]
