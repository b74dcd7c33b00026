#!/usr/bin/python3
"""One text column of a report data set, three ways, on the report's own splits: as it is, dropped, and with only
the tokens seen in at least --min-rows training rows. Runs `pipeline demo` on each variant of each split and prints
the held-out metric (R² or accuracy) per seed and the mean. The figures in docs/BENCHMARKS.md ("cars' free-text
Name") come from:

  /usr/bin/python3 bench/quality/column_trial.py cars Name        (run from the repository root, CLI built)
  /usr/bin/python3 bench/quality/column_trial.py movies Title
"""
import argparse
import collections
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
import quality  # noqa: E402


def tokens(text):
    return re.findall(r"[^\W_]+", text.lower())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("column")
    parser.add_argument("--seeds", default="1,2,3,42")
    parser.add_argument("--min-rows", type=int, default=5)
    parser.add_argument("--work", default="/tmp/column-trial")
    args = parser.parse_args()
    d = datasets.by_name(args.dataset)
    metric, _ = quality.headline(d.task)
    results = collections.defaultdict(list)
    for seed in [int(s) for s in args.seeds.split(",")]:
        folder = os.path.join(args.work, f"{d.name}-{seed}")
        os.makedirs(folder, exist_ok=True)
        header, rows = datasets.load(d.name, folder)
        train, test = quality.split(header, rows, d.target, seed)
        n = header.index(args.column)
        frequency = collections.Counter(t for r in train for t in set(tokens(r[n])))
        kept = {t for t, c in frequency.items() if c >= args.min_rows}
        variants = {
            "as it is": (header, lambda r: r),
            "dropped": ([c for i, c in enumerate(header) if i != n], lambda r: [v for i, v in enumerate(r) if i != n]),
            f"tokens in >= {args.min_rows} rows": (header, lambda r: [
                " ".join(t for t in tokens(v) if t in kept) if i == n and v.strip() else v for i, v in enumerate(r)]),
        }
        for name, (columns, shape) in variants.items():
            base = os.path.join(folder, re.sub(r"\W+", "-", name))
            quality.write_csv(base + "-train.csv", columns, [shape(r) for r in train])
            quality.write_csv(base + "-test.csv", columns, [shape(r) for r in test])
            os.makedirs(base + "-run", exist_ok=True)
            value = quality.run_ours(d, base + "-run", base + "-train.csv", base + "-test.csv", seed, 3600, "")["heldOut"][metric]
            results[name].append(value)
            print(f"seed {seed:>3}  {name:<22} {value:.3f}", flush=True)
    for name, values in results.items():
        print(f"mean        {name:<22} {statistics.mean(values):.3f}")


if __name__ == "__main__":
    main()
