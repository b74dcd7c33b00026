#!/usr/bin/env python3
"""How much of the small sets' gap to scikit-learn's MLP is the data share: the report's MLP trained on all of
train.csv and on a random part of it (80 % is what our pipeline trains on after its 10 % validation and 10 % internal
test splits).

  /usr/bin/python3 bench/quality/train_share.py cars,diabetes,iris
        the report's splits for seeds 1, 2, 3; each seed also draws the part and the MLP's random_state
  /usr/bin/python3 bench/quality/train_share.py iris --split-seed 42 --seeds 1,2,3,4,5,6,7,8,9,10 --shares 1,0.9,0.8
        one fixed split (the report's seed 42); the seeds only draw the part and the MLP's random_state

Run from the repository root. Used for docs/BENCHMARKS.md, "Over three splits".
"""
import argparse, os, random, sys, tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets, quality  # noqa: E402

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("names")
p.add_argument("--seeds", default="1,2,3")
p.add_argument("--shares", default="1,0.8")
p.add_argument("--split-seed", type=int, help="one fixed split instead of one split per seed")
a = p.parse_args()

results = {}
for name in a.names.split(","):
    d = datasets.by_name(name)
    metric, _ = quality.headline(d.task)
    with tempfile.TemporaryDirectory(prefix="pln-train-share-") as folder:
        header, rows = datasets.load(d.name, folder)
    for seed in [int(s) for s in a.seeds.split(",")]:
        train, test = quality.split(header, rows, d.target, a.split_seed if a.split_seed is not None else seed)
        for share in [float(s) for s in a.shares.split(",")]:
            part = list(train)
            random.Random(seed).shuffle(part)
            part = part[:int(len(part) * share)]
            held = quality.SklearnInputs(d, header, part, test).run("mlp", d, seed)["heldOut"]
            results.setdefault((name, share), []).append(held[metric])
for (name, share), values in sorted(results.items()):
    print(name, share, np.round(values, 3), round(float(np.mean(values)), 4))
