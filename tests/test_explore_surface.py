"""The public surface of `explore`: what type checkers see is what `import explore` gives,
and importing it loads neither JAX nor Optuna."""

import ast
import subprocess
import sys
from pathlib import Path

import explore

INIT = Path(explore.__file__)


def test_type_checkers_see_the_names_import_gives():
    tree = ast.parse(INIT.read_text())
    guarded = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    seen = {(node.module, alias.asname) for node in guarded.body for alias in node.names}
    assert seen == {(module, name) for name, module in explore._WHERE.items()}
    assert all(alias.name == alias.asname for node in guarded.body for alias in node.names)


def test_every_public_name_resolves():
    for name in explore.__all__:
        assert getattr(explore, name) is not None, name


def test_import_explore_loads_neither_jax_nor_optuna():
    code = "import sys, explore; print('jax' in sys.modules, 'optuna' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
