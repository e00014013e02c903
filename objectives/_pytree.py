"""Frozen dataclasses registered as JAX pytrees.

Fields are array leaves (batched by `vmap`) unless declared with `static_field`,
which makes them part of the tree structure (a structural choice, never traced).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np


def static_field(**kwargs):
    return dataclasses.field(metadata={"static": True}, **kwargs)


def pytree_dataclass(cls):
    cls = dataclasses.dataclass(frozen=True)(cls)
    data, meta = [], []
    for f in dataclasses.fields(cls):
        (meta if f.metadata.get("static") else data).append(f.name)
    return jax.tree_util.register_dataclass(cls, data_fields=data, meta_fields=meta)


def field_default(cls, name):
    """The default value of field `name` of the dataclass `cls`."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def stack(trees):
    """Stack a sequence of identically structured pytrees along a new leading axis.

    Leaves that are all host values (floats, numpy arrays) are stacked by numpy and moved to
    the device once; traced or device leaves are stacked by JAX."""

    def one(*leaves):
        if all(isinstance(x, (int, float, np.ndarray, np.generic)) for x in leaves):
            return jnp.asarray(np.stack([np.asarray(x) for x in leaves]))
        return jnp.stack([jnp.asarray(x) for x in leaves])

    return jax.tree.map(one, *trees)


def unstack(tree):
    """Inverse of `stack`: a list of pytrees, one per leading index."""
    leaves, treedef = jax.tree.flatten(tree)
    n = leaves[0].shape[0]
    return [treedef.unflatten([leaf[i] for leaf in leaves]) for i in range(n)]
