#!/usr/bin/python3
"""How numeric preprocessing changes scikit-learn's MLP(64,) on the quality report's splits (bench/quality/work/*,
written by run.sh), averaged over seeds: the experiment behind the long-tail rule of Preprocess (docs/BENCHMARKS.md,
"Learning quality").

  bench/quality/numeric_transforms.py DATASETS TRANSFORMS [SEEDS]
  e.g. bench/quality/numeric_transforms.py diabetes,seattle-weather,movies std,log,quantile,ple8 1,2,3

Transforms of the numeric columns (after median imputation; categorical columns one-hot as in quality.py):
  std       z-score
  log       Preprocess's rule: columns with training skewness above 2 get ln(1 + max(x - min, 0) / unit), unit the 1st
            percentile of the values above the minimum, then every column the z-score
  quantile  scikit-learn's QuantileTransformer to a normal distribution (200 quantiles)
  pleN      piecewise-linear encoding over N quantile bins next to the z-score (Gorishniy et al. 2022)
"""

import csv
import sys
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, QuantileTransformer, StandardScaler

import datasets
import quality


class LongTail(BaseEstimator, TransformerMixin):
    """Preprocess's long-tail rule (src/Preprocess/Fitting/ColumnFit.cs, CompressLongTail), then the z-score."""

    def fit(self, x, y=None):
        x = np.asarray(x, float)
        self.shift_ = x.min(axis=0)
        mean, std = x.mean(axis=0), x.std(axis=0)
        safe = np.where(std > 0, std, 1)
        skew = np.where(std > 0, (((x - mean) / safe) ** 3).mean(axis=0), 0)
        distinct = np.array([len(np.unique(x[:, j])) for j in range(x.shape[1])])
        self.unit_ = np.ones(x.shape[1])
        self.mask_ = (skew > 2) & (distinct > 2) & (len(x) >= 30)
        for j in np.flatnonzero(self.mask_):
            above = np.sort(x[:, j][x[:, j] > self.shift_[j]] - self.shift_[j])
            self.unit_[j] = above[int(0.01 * (len(above) - 1))] if len(above) else 1
        self.scale_ = StandardScaler().fit(self._compress(x))
        return self

    def _compress(self, x):
        x = np.array(x, float)
        m = self.mask_
        x[:, m] = np.log(np.maximum(x[:, m] - self.shift_[m], 0) / self.unit_[m] + 1)
        return x

    def transform(self, x):
        return self.scale_.transform(self._compress(x))


class PiecewiseLinear(BaseEstimator, TransformerMixin):
    def __init__(self, bins=8):
        self.bins = bins

    def fit(self, x, y=None):
        x = np.asarray(x, float)
        self.edges_ = [np.unique(np.quantile(x[:, j], np.linspace(0, 1, self.bins + 1))) for j in range(x.shape[1])]
        self.scale_ = StandardScaler().fit(x)
        return self

    def transform(self, x):
        x = np.asarray(x, float)
        out = [self.scale_.transform(x)]
        for j, e in enumerate(self.edges_):
            if len(e) >= 3:
                out.append(np.clip((x[:, [j]] - e[:-1]) / (e[1:] - e[:-1]), 0, 1))
        return np.hstack(out)


def numeric_steps(kind):
    steps = [("float", FunctionTransformer(quality.as_float)), ("impute", SimpleImputer(strategy="median"))]
    if kind == "std":
        steps.append(("scale", StandardScaler()))
    elif kind == "log":
        steps.append(("log", LongTail()))
    elif kind == "quantile":
        steps.append(("quantile", QuantileTransformer(output_distribution="normal", n_quantiles=200)))
    elif kind.startswith("ple"):
        steps.append(("ple", PiecewiseLinear(int(kind[3:]))))
    else:
        sys.exit(f"unknown transform {kind}")
    return Pipeline(steps)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    names, kinds = sys.argv[1].split(","), sys.argv[2].split(",")
    seeds = [int(s) for s in sys.argv[3].split(",")] if len(sys.argv) > 3 else [42]
    for name in names:
        d = next(x for x in datasets.DATASETS if x.name == name)
        folder = f"{quality.HERE}/work/{name}"
        header, train = read(f"{folder}/train.csv")
        _, test = read(f"{folder}/test.csv")
        t = header.index(d.target)
        columns = [quality.Column(h, i, [r[i] for r in train]) for i, h in enumerate(header) if i != t]
        x_train, n_numeric = quality.features(columns, train)
        x_test, _ = quality.features(columns, test)
        parse = float if d.task == "regression" else str.strip
        y_train = np.array([parse(r[t]) for r in train], dtype=float if d.task == "regression" else object)
        y_test = [parse(r[t]) for r in test]
        scores = {}
        for kind in kinds:
            values = []
            for seed in seeds:
                onehot = OneHotEncoder(handle_unknown="ignore", min_frequency=quality.MIN_FREQUENCY,
                                       max_categories=quality.MAX_CATEGORIES, sparse_output=False)
                pre = ColumnTransformer([("numeric", numeric_steps(kind), list(range(n_numeric))),
                                         ("categorical", onehot, list(range(n_numeric, x_train.shape[1])))])
                if d.task == "regression":
                    model = TransformedTargetRegressor(
                        regressor=Pipeline([("pre", pre), ("mlp", MLPRegressor((64,), random_state=seed))]),
                        transformer=StandardScaler())
                else:
                    model = Pipeline([("pre", pre), ("mlp", MLPClassifier((64,), random_state=seed))])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(x_train, y_train)
                    result = quality.score(d.task, y_test, model, x_test)
                values.append(result["r2"] if d.task == "regression" else result["accuracy"])
            scores[kind] = float(np.mean(values))
        print(name, " ".join(f"{k}={v:.3f}" for k, v in scores.items()), flush=True)


if __name__ == "__main__":
    main()
