"""The constants table: every model constant has a value, a unit and a source, and the
README shows exactly the table `python -m objectives constants` prints."""

import math
import re
import subprocess
import sys
from pathlib import Path

import objectives as ob
from objectives.__main__ import constants_markdown

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- constants:begin -->", "<!-- constants:end -->"


def test_every_constant_has_a_unit_a_meaning_and_a_source():
    rows = ob.constants_table()
    assert len(rows) > 50
    for name, c in rows:
        assert isinstance(c, ob.Constant), name
        assert c.unit.strip() and c.what.strip(), name
        assert c.source.strip() and "PENDING" not in c.source and "TODO" not in c.source, (name, c.source)
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        for v in values:
            assert isinstance(v, str) or math.isfinite(v), (name, v)


def test_names_are_unique():
    names = [name for name, _ in ob.constants_table()]
    assert len(names) == len(set(names))


def test_the_readme_shows_the_generated_table():
    text = (ROOT / "README.md").read_text()
    assert BEGIN in text and END in text, f"README.md lacks the {BEGIN} ... {END} block"
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert shown == constants_markdown().strip(), (
        "README's constants table is stale: regenerate it with `python -m objectives constants`"
    )


def test_the_cli_prints_the_table():
    proc = subprocess.run(
        [sys.executable, "-m", "objectives", "constants"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == constants_markdown().strip()
    assert re.search(r"^\| `LABEL_RRC\[A\]` \| 0\.0059 \| N/N \|", proc.stdout, re.M), proc.stdout[:400]
