#!/usr/bin/env python3
"""How much of the small sets' gap to scikit-learn's MLP is the data share: the report's MLP trained on all of
train.csv and on a random 80 % of it (what our pipeline trains on after its 10 % validation and 10 % internal test
splits), on the report's splits for seeds 1, 2 and 3.

  /usr/bin/python3 bench/quality/train_share.py cars,diabetes,iris      (run from the repository root)
"""
import os
import sys, random, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality, datasets
from quality import Column, features
res={}
for name in sys.argv[1].split(','):
    d=[x for x in datasets.DATASETS if x.name==name][0]
    folder=f'/tmp/pipeline-train-share/{name}'; os.makedirs(folder, exist_ok=True)
    header, rows = datasets.load(d.name, folder)
    for seed in (1,2,3):
        train, test = quality.split(header, rows, d.target, seed)
        t = header.index(d.target)
        for frac in (1.0, 0.8):
            rnd=random.Random(seed); sub=list(train); rnd.shuffle(sub); sub=sub[:int(len(sub)*frac)]
            columns=[Column(h,i,[r[i] for r in sub]) for i,h in enumerate(header) if i!=t]
            xtr,nn=features(columns, sub); xte,_=features(columns,test)
            parse = float if d.task=='regression' else str.strip
            ytr=[parse(r[t]) for r in sub]; yte=[parse(r[t]) for r in test]
            m=quality.run_sklearn('mlp', d, xtr, ytr, xte, yte, nn, columns, seed, 200000)
            k='r2' if d.task=='regression' else 'accuracy'
            res.setdefault((name,frac),[]).append(m['heldOut'][k])
for (n,f),v in sorted(res.items()):
    print(n, f, np.round(v,3), round(float(np.mean(v)),3))
