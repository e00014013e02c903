"""Command line: `python -m objectives predict|pairs FILE.yaml [--json]`, `python -m objectives constants`."""

import argparse
import json
import sys
from collections.abc import Sequence

from ._cache import enable_compilation_cache
from ._constants import table as constants_table
from ._pairs import pair_changes
from ._pairs import table as pairs_table
from ._predict import SpecFileError, load_specs, predict, table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m objectives", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "predict",
        help="predict 0-100, top speed, WLTP and EPA figures for every vehicle of a spec file",
        description="Predict 0-100 km/h, top speed, WLTP and EPA consumption and range for every "
        "vehicle of a spec file (schema: objectives/data/reference_vehicles.yaml).",
    )
    p.add_argument("file", help="YAML spec file with a `vehicles:` list")
    p.add_argument("--json", action="store_true", help="print one JSON object keyed by vehicle id")
    q = sub.add_parser(
        "pairs",
        help="published and modelled change in 0-100 and WLTP range from each base to its performance variants",
        description="For every base -> performance pair of a spec file (fields `pair` and `role`; schema: "
        "objectives/data/variant_pairs.yaml), the published and the modelled change in 0-100 km/h and in WLTP range.",
    )
    q.add_argument("file", help="YAML spec file with a `vehicles:` list carrying `pair` and `role`")
    q.add_argument("--json", action="store_true", help="print one JSON object: pairs and summary")
    sub.add_parser("constants", help="print the table of model constants with their sources (Markdown)")
    args = parser.parse_args(argv)

    if args.command == "constants":
        print(constants_markdown())
        return 0
    enable_compilation_cache()
    try:
        specs = load_specs(args.file)
    except SpecFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    results = predict(specs)
    if args.command == "pairs":
        pairs, stats = pair_changes(specs, results)
        if args.json:
            print(json.dumps({"pairs": pairs, "summary": stats}, indent=2))
        else:
            print(pairs_table(pairs, stats))
        bad_pairs = {name: p["error"] for name, p in pairs.items() if "error" in p}
        for name, message in bad_pairs.items():
            print(f"error: pair {name}: {message}", file=sys.stderr)
        if bad_pairs:
            return 2
    elif args.json:
        print(json.dumps(results, indent=2, allow_nan=False))  # entries hold finite figures only
    else:
        print(table(specs, results))
    failed = {k: r["error"] for k, r in results.items() if "error" in r}
    for key, message in failed.items():
        print(f"error: {key}: {message}", file=sys.stderr)
    return 2 if failed else 0


def constants_markdown() -> str:
    """The constants table as Markdown (the README holds a copy)."""
    lines = ["| constant | value | unit | what | source |", "|---|---|---|---|---|"]
    for name, c in constants_table():
        value = (
            c.value
            if isinstance(c.value, str)
            else (", ".join(f"{v:g}" for v in c.value) if isinstance(c.value, tuple) else f"{c.value:g}")
        )
        lines.append(f"| `{name}` | {value} | {c.unit} | {c.what} | {c.source} |".replace("\n", " "))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
