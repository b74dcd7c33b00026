#!/usr/bin/env python3
"""How much of one report row is the luck of the training seed: on one fixed split (the report's, seed 42 by
default), ours (`pipeline demo --seed S`: starting weights, batch order and internal split) and scikit-learn's MLP
(random_state=S) trained once per training seed S, held-out metric per seed and the mean of each.

  /usr/bin/python3 bench/quality/init_variance.py iris 1,2,3,4,5,6,7,8,9,10 [--split-seed 42]

Run from the repository root with the CLI built (bench/quality/run.sh builds it). Used for docs/BENCHMARKS.md,
"Learning quality".
"""
import argparse, os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets, quality  # noqa: E402

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("name")
p.add_argument("seeds")
p.add_argument("--split-seed", type=int, default=42)
a = p.parse_args()

d = datasets.by_name(a.name)
metric, _ = quality.headline(d.task)
with tempfile.TemporaryDirectory(prefix="pln-init-variance-") as folder:
    header, rows = datasets.load(d.name, folder)
    train, test = quality.split(header, rows, d.target, a.split_seed)
    train_csv, test_csv = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
    quality.write_csv(train_csv, header, train)
    quality.write_csv(test_csv, header, test)
    inputs = quality.SklearnInputs(d, header, train, test)

    ours, mlp = [], []
    for seed in [int(s) for s in a.seeds.split(",")]:
        run = os.path.join(folder, f"seed-{seed}")
        os.makedirs(run)
        ours.append(quality.run_ours(d, run, train_csv, test_csv, seed, 3600, "")["heldOut"][metric])
        mlp.append(inputs.run("mlp", d, seed)["heldOut"][metric])
        print(f"{a.name} split {a.split_seed} seed {seed}: ours {ours[-1]:.4f}  sklearn MLP {mlp[-1]:.4f}", flush=True)

wins = sum(o > m for o, m in zip(ours, mlp))
losses = sum(o < m for o, m in zip(ours, mlp))
print(f"{a.name}: {metric} over {len(ours)} training seeds: ours {sum(ours) / len(ours):.4f}, sklearn MLP "
      f"{sum(mlp) / len(mlp):.4f}, difference {(sum(ours) - sum(mlp)) / len(ours):+.4f}; ours ahead {wins}, behind {losses}, "
      f"equal {len(ours) - wins - losses}")
