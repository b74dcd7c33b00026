#!/usr/bin/env python3
"""K-parity: the real pipeline (embedded demo) on one file with K = 1, 2, 4, 8 shards, everything else from the
automatic plan. Prints, per K: held-out test MSE and its ratio to K = 1, rounds, wall time of the whole demo and of
training, and the training time until the validation loss first came within 2 % of K = 1's best (time to K = 1's
quality). Usage:
    bench/quality/shards.py --file TRAIN.csv --test TEST.csv --target COL [--shards 1,2,4,8] [--set "k=v ..."]
                            [--set-sharded "k=v ..."] [--json OUT.json] [--reference RUNS.json]
--reference takes the K = 1 run from an earlier --json file instead of training it again (compare schemes for K > 1).
--set applies to every run, --set-sharded only to K > 1 (e.g. a merge scheme compared against plain K = 1 training).
The CLI must be built (dotnet build src/Cli -c Release). Used for docs/TRAINING.md, "Convergence with K shards".
"""
import argparse, json, os, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
cli = os.path.join(root, "src/Cli/bin/Release/net10.0/Pipeline.Cli.dll")

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--file", required=True)
p.add_argument("--test", required=True)
p.add_argument("--target", required=True)
p.add_argument("--shards", default="1,2,4,8")
p.add_argument("--set", default="")
p.add_argument("--set-sharded", default="")
p.add_argument("--reference", help="an earlier --json file whose K = 1 run is the reference (K = 1 is not rerun)")
p.add_argument("--json", help="also write the runs (with their validation histories) to this file")
a = p.parse_args()
if not os.path.exists(cli):
    sys.exit(f"{cli} not built: dotnet build src/Cli -c Release")

runs = []
if a.reference:
    with open(a.reference) as f:
        runs.append(next(r for r in json.load(f) if r["k"] == 1))
for k in [int(x) for x in a.shards.split(",") if not (a.reference and x.strip() == "1")]:
    with tempfile.TemporaryDirectory(prefix="pln-shards-") as folder:
        args = ["dotnet", cli, "demo", "--file", a.file, "--target", a.target, "--workers", str(k), "--json",
                "--dir", folder, "--test-file", a.test]
        settings = " ".join(x for x in [a.set, a.set_sharded if k > 1 else ""] if x)
        if settings:
            args += ["--set", settings]
        started = time.monotonic()
        done = subprocess.run(args, capture_output=True, text=True)
        wall = time.monotonic() - started
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"K={k}: the demo printed no JSON (exit {done.returncode}): {done.stderr[-2000:]}")
    train = next((s["seconds"] for s in result["stages"] if s["name"] == "train"), float("nan"))
    runs.append({"k": k, "state": result["state"], "mse": result["heldOut"]["mse"], "r2": result["heldOut"]["r2"],
                 "rounds": result["rounds"], "wall": wall, "train": train, "history": result.get("history") or []})
    print(f"K={k}: {result['state']}, held-out MSE {runs[-1]['mse']:.5g}, {result['rounds']} rounds, {wall:.1f} s", file=sys.stderr)

if a.json:
    with open(a.json, "w") as out:
        json.dump(runs, out)
base = runs[0]
best1 = min(h["validationLoss"] for h in base["history"])
print(f"file {os.path.basename(a.file)}, target {a.target}, settings: plan{(' + ' + a.set) if a.set else ''}{(', K > 1: + ' + a.set_sharded) if a.set_sharded else ''}\n")
print("| K | state | held-out MSE | vs K=1 | R² | rounds | training s | to within 2 % of K=1's best validation loss (s, round) | demo wall s |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in runs:
    reach = next((h for h in r["history"] if h["validationLoss"] <= best1 * 1.02), None)
    print(f"| {r['k']} | {r['state']} | {r['mse']:.5g} | {r['mse'] / base['mse']:.3f} | {r['r2']:.4f} | {r['rounds']} | "
          f"{r['train']:.1f} | {'%.1f s, round %d' % (reach['seconds'], reach['round']) if reach is not None else 'not reached'} | {r['wall']:.1f} |")
