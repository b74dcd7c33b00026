#!/usr/bin/env python3
"""Reference figures for bench/compare-numerics.sh: OpenBLAS sgemm (through NumPy), PyTorch and scikit-learn
on the same workloads as `Pipeline.Bench gemm|mlp`. Prints one JSON object per run.

Thread limits must be set in the environment before NumPy/PyTorch load OpenBLAS (OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS); the compare script does that. torch.set_num_threads alone does not limit OpenBLAS.
"""
import argparse
import json
import time
import warnings

import numpy as np

SEED_WEIGHTS = [0.5, -1.2, 0.8, 2.0, -0.3]


def weights(features):
    # Same function as RegressionData.Weights in Pipeline.Bench.
    if features == 5:
        return np.array(SEED_WEIGHTS, dtype=np.float32)
    return np.array([((j % 7) - 3) / 4 for j in range(features)], dtype=np.float32)


def generate(rows, features, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, features), dtype=np.float32)
    y = x @ weights(features) + 0.3 + rng.normal(0, 0.5, rows).astype(np.float32)
    return x, y.astype(np.float32)


PRESETS = {
    # preset: (inputs, hidden, batch, epochs, rows)
    "seed": (5, (64,), 256, 3, 1_000_000),
    "wide": (64, (1024, 1024), 512, 1, 200_000),
}


def gemm(args):
    n = args.size
    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    for _ in range(3):
        np.matmul(a, b, out=c)
    best, runs, start = float("inf"), 0, time.perf_counter()
    while runs < 3 or time.perf_counter() - start < args.seconds:
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t)
        runs += 1
    return {"benchmark": "gemm", "impl": "openblas", "size": n, "threads": args.threads, "runs": runs,
            "gflops": round(2.0 * n ** 3 / best / 1e9, 2)}


def mlp_torch(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    inputs, hidden, batch, epochs, rows = PRESETS[args.preset]
    rows = args.rows or rows
    x, y = generate(rows, inputs, 1)
    vx, vy = generate(100_000, inputs, 2)
    x, y, vx, vy = map(torch.from_numpy, (x, y, vx, vy))
    layers, width = [], inputs
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, 1))
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.MSELoss()
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(rows)
        for i in range(0, rows, batch):
            index = order[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[index]).squeeze(1), y[index])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        mse = float(loss_fn(model(vx).squeeze(1), vy))
    return {"benchmark": "mlp", "impl": "pytorch-" + torch.__version__, "preset": args.preset, "threads": args.threads,
            "rows": rows, "epochs": epochs, "seconds": round(seconds, 3),
            "samplesPerSecond": round(rows * epochs / seconds), "mse": round(mse, 5)}


def mlp_sklearn(args):
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    inputs, hidden, batch, epochs, rows = PRESETS[args.preset]
    rows = args.rows or rows
    x, y = generate(rows, inputs, 1)
    vx, vy = generate(100_000, inputs, 2)
    model = MLPRegressor(hidden_layer_sizes=hidden, activation="relu", solver="adam", learning_rate_init=0.001,
                         batch_size=batch, max_iter=epochs, shuffle=True, alpha=0.0, tol=0.0,
                         n_iter_no_change=epochs + 1, random_state=7)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    seconds = time.perf_counter() - start
    mse = float(np.mean((model.predict(vx) - vy) ** 2))
    return {"benchmark": "mlp", "impl": "sklearn-" + sklearn.__version__, "preset": args.preset,
            "threads": args.threads, "rows": rows, "epochs": epochs, "seconds": round(seconds, 3),
            "samplesPerSecond": round(rows * epochs / seconds), "mse": round(mse, 5)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["gemm", "torch", "sklearn"])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--preset", default="seed", choices=sorted(PRESETS))
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    result = {"gemm": gemm, "torch": mlp_torch, "sklearn": mlp_sklearn}[args.what](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
