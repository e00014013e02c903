"""Run a benchmark in two source trees, fresh processes interleaved, and compare medians.

    git worktree add ../previous-main <commit>
    python benchmarks/side_by_side.py ../previous-main [--rounds 3] [--script model_throughput.py] [--key designs_per_s]
        [--script-args "--repeats 1 --cache warm"]

Each round runs `benchmarks/<script> --json` once in the other tree, then once in this one,
each with its own tree first on PYTHONPATH, so both see the same load on a shared machine.
Prints one JSON object: per tree the figure of every round and the median, and the ratio
of this tree's median to the other's.
"""

import argparse
import json
import os
import pathlib
import shlex
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parents[1]


def run(tree, script, script_args):
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(
        [sys.executable, str(tree / "benchmarks" / script), "--json", *script_args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=pathlib.Path, help="the other source tree (e.g. a worktree of the previous main)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--script", default="model_throughput.py")
    parser.add_argument("--key", default="designs_per_s", help="the figure to compare")
    parser.add_argument("--script-args", default="", help="more arguments of the script, in one string")
    args = parser.parse_args()
    other = args.other.resolve()
    if not (other / "benchmarks" / args.script).is_file():
        parser.error(f"{other}/benchmarks/{args.script} does not exist: give the root of the other source tree")
    trees = {"other": other, "this": HERE}
    figures = {name: [] for name in trees}
    for r in range(args.rounds):
        for name, tree in trees.items():
            figures[name].append(run(tree, args.script, shlex.split(args.script_args))[args.key])
            print(f"round {r}: {name} {args.key} = {figures[name][-1]:.6g}", file=sys.stderr, flush=True)
    result = {
        name: {"tree": str(trees[name]), args.key: v, "median": statistics.median(v)} for name, v in figures.items()
    }
    result["ratio_this_over_other"] = result["this"]["median"] / result["other"]["median"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
