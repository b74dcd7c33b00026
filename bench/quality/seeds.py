#!/usr/bin/env python3
"""The learning-quality report over several splits: quality.py once per seed (split, scikit-learn and demo seed), then
per data set the mean and standard deviation of each method's held-out metric and of ours minus scikit-learn's MLP.
On the small sets one test row is worth 0.01-0.03 of accuracy, so one split cannot tell a method apart from noise.

  bench/quality/run.sh --seeds 1,2,3,4,5 --quick [--only NAME,...] [--reuse]

Writes results/seeds.md and results/seeds.json; each seed's own report goes to results/seeds/SEED/.
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = (("ours", "ours"), ("mlp", "sklearn MLP"), ("hgb", "sklearn HGB"), ("trivial", "trivial"))


def metric_of(entry, method):
    key = "r2" if entry["task"] == "regression" else "accuracy"
    m = entry.get(method) or {}
    return None if m.get("error") else (m.get("heldOut") or {}).get(key)


def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def main():
    args = sys.argv[1:]
    if "--seeds" not in args:
        sys.exit("usage: seeds.py --seeds 1,2,3 [quality.py options]")
    i = args.index("--seeds")
    seeds = [int(s) for s in args[i + 1].split(",") if s.strip()]
    rest = args[:i] + args[i + 2:]
    # --reuse: a seed whose report is already in results/seeds/SEED is read, not run again (a long run resumed).
    reuse = "--reuse" in rest
    rest = [a for a in rest if a != "--reuse"]
    # --results DIR (default results/): the per-seed reports go to DIR/seeds/SEED, the summary to DIR/seeds.md and .json.
    results = os.path.join(HERE, "results")
    if "--results" in rest:
        j = rest.index("--results")
        results = rest[j + 1]
        rest = rest[:j] + rest[j + 2:]
    reports = []
    for seed in seeds:
        out = os.path.join(results, "seeds", str(seed))
        if reuse and os.path.exists(os.path.join(out, "latest.json")):
            with open(os.path.join(out, "latest.json"), encoding="utf-8") as f:
                reports.append(json.load(f))
            continue
        done = subprocess.run([sys.executable, os.path.join(HERE, "quality.py"), "--seed", str(seed), "--results", out, *rest],
                              stdout=subprocess.DEVNULL, check=False)
        with open(os.path.join(out, "latest.json"), encoding="utf-8") as f:
            reports.append(json.load(f))
        if done.returncode != 0:
            print(f"seeds.py: seed {seed}: a method failed (see {out}/latest.md)", file=sys.stderr)

    names = [e["name"] for e in reports[0]["datasets"]]
    rows, table = [], []
    for name in names:
        entries = [next(e for e in r["datasets"] if e["name"] == name) for r in reports]
        values = {m: [metric_of(e, m) for e in entries] for m, _ in METHODS}
        gap = [o - p for o, p in zip(values["ours"], values["mlp"]) if o is not None and p is not None]
        rows.append({"name": name, "task": entries[0]["task"], "seeds": seeds, **values, "oursMinusMlp": gap})
        metric = "R²" if entries[0]["task"] == "regression" else "accuracy"
        tail = f" | {mean_sd(gap)} | {min(gap):+.3f} |" if gap else " | – | – |"
        table.append(f"| {name} | {metric} | " + " | ".join(mean_sd(values[m]) for m, _ in METHODS) + tail)

    meta = reports[0]["meta"]
    head = (f"Run {meta['utc']} on commit `{meta['commit']}`, {meta['machine']}; seeds {','.join(map(str, seeds))} "
            f"(split, scikit-learn and demo); `bench/quality/run.sh --seeds {','.join(map(str, seeds))} {' '.join(rest)}`.\n\n"
            "Held-out metric, mean ± standard deviation over the splits:\n\n"
            "| data set | metric | " + " | ".join(label for _, label in METHODS) + " | ours − MLP | worst split |\n"
            "|---|---|" + "---:|" * (len(METHODS) + 2) + "\n")
    text = head + "\n".join(table) + "\n"
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "seeds.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(results, "seeds.json"), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "seeds": seeds, "datasets": rows}, f, indent=2)
        f.write("\n")
    print(text)


if __name__ == "__main__":
    main()
