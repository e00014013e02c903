"""Command line: `python -m objectives predict FILE.yaml [--json]`."""

import argparse
import json
import sys

from ._predict import SpecFileError, load_specs, not_built, predict, table


def main(argv=None):
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
    args = parser.parse_args(argv)

    try:
        specs = load_specs(args.file)
    except SpecFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    results = predict(specs)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(specs, results))
    failed = {k: r["error"] for k, r in results.items() if not_built(r)}
    for key, message in failed.items():
        print(f"error: {key}: {message}", file=sys.stderr)
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
