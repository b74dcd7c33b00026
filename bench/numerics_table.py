#!/usr/bin/env python3
"""Turns the JSON lines of bench/compare-numerics.sh into the "Numerics" section of docs/BENCHMARKS.md
(replacing the previous one between the numerics markers, leaving other sections alone)."""
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

BEGIN, END = "<!-- numerics:begin -->", "<!-- numerics:end -->"


def records(path):
    """The JSON lines of a results file, in order."""
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            yield json.loads(line)


def measurements(path):
    """(cell, implementation, value, record) for every between-process run: cell is ("gemm", N, threads) or
    ("mlp-<preset>", rows, threads); implementation is "pipeline", "openblas", "pytorch" or "sklearn"."""
    for r in records(path):
        if r["benchmark"] == "gemm-paired":
            continue
        impl = r.get("impl", "pipeline").split("-")[0]
        if r["benchmark"] == "gemm":
            yield ("gemm", r["size"], r["threads"]), impl, r["gflops"], r
        else:
            yield ("mlp-" + r["preset"], r["rows"], r["threads"]), impl, r["samplesPerSecond"], r


def load(path):
    best = {}
    for cell, impl, value, r in measurements(path):
        key = cell + (impl,)
        if key not in best or value > best[key][0]:
            best[key] = (value, r)
    return best


def paired_ratios(path):
    """Ours over the reference in each round separately (the runs next to each other in time, so a noisy spell
    hits both alike): key -> list of per-round ratios. MLP rounds compare with the faster reference of that round."""
    runs = {}
    for cell, impl, value, _ in measurements(path):
        runs.setdefault(cell, {}).setdefault(impl, []).append(value)
    ratios = {}
    for key, by_impl in runs.items():
        ours = by_impl.get("pipeline", [])
        refs = [v for impl, v in by_impl.items() if impl != "pipeline"]
        rounds = min([len(ours)] + [len(v) for v in refs]) if refs else 0
        ratios[key] = [ours[i] / max(v[i] for v in refs) for i in range(rounds)]
    return ratios


def in_process_pairs(path):
    """(size, threads) -> the gemm-paired record: OpenBLAS called from our process, paired rounds."""
    return {(r["size"], r["threads"]): r for r in records(path) if r["benchmark"] == "gemm-paired"}


def spread(values):
    """'median (min-max)' of per-round ratios."""
    if not values:
        return "-"
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return f"{median:.2f}x ({ordered[0]:.2f}-{ordered[-1]:.2f})"


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    results, command, target = sys.argv[1], sys.argv[2], sys.argv[3]
    best = load(results)
    rounds = paired_ratios(results)
    in_process = in_process_pairs(results)
    lines = [BEGIN, "## Numerics", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()}, {os.cpu_count()} vCPUs "
             "(shared with other builds: noisy, so ours and the references ran in alternation and the best run of "
             "each is shown). No GPU was available: there are no CUDA figures.", "",
             f"Command: `{command}`", "",
             "OpenBLAS is Debian 12's `libopenblas0` 0.3.21 with `OPENBLAS_CORETYPE=SkylakeX` (it does not detect this "
             "CPU and would otherwise use its SSE3 kernels); PyTorch 1.13 and scikit-learn 1.2 use the same OpenBLAS.",
             "", "### GEMM (N×N×N single precision, GFLOP/s)", "",
             "Ratio: best against best; per round: the median (and range) of ours over OpenBLAS run next to each other; "
             "in one process: OpenBLAS's `cblas_sgemm` loaded into the bench process (`Pipeline.Bench gemm-paired`), "
             "both on the same operands in alternating rounds of 0.5 s, median (and range) of the per-round ratios.",
             "", "| N | threads | Pipeline.Numerics | OpenBLAS | ratio | per round | in one process |",
             "|---|---|---|---|---|---|---|"]
    for (kind, size, threads, impl), (value, _) in sorted(best.items()):
        if kind == "gemm" and impl == "pipeline":
            ref = best.get((kind, size, threads, "openblas"), (float("nan"),))[0]
            pair = in_process.get((size, threads))
            paired = (f"{pair['medianRatio']:.3f}x ({pair['minRatio']:.2f}-{pair['maxRatio']:.2f}), "
                      f"{pair['gflops']:.1f} vs {pair['openblasGflops']:.1f}") if pair else "-"
            lines.append(f"| {size} | {threads} | {value:.1f} | {ref:.1f} | {value / ref:.2f}x | "
                         f"{spread(rounds.get((kind, size, threads)))} | {paired} |")
    lines += ["", "### MLP training (samples/s over all epochs; validation MSE on 100,000 held-out rows, optimum 0.25)", "",
              "seed: 5 -> 64 relu -> 1, Adam 0.001, batch 256, 3 epochs · wide: 64 -> 1024 relu -> 1024 relu -> 1, "
              "Adam 0.001, batch 512, 1 epoch. Both start from PyTorch's default initialisation (weights and biases uniform "
              "in ±1/√fan_in: ours with `--init fan-in`, the bench's default); scikit-learn uses its own (Glorot).", "",
              "| preset | rows | threads | Pipeline.Numerics | PyTorch | scikit-learn | ratio vs best reference |"
              " per round | MSE ours / PyTorch / sklearn |", "|---|---|---|---|---|---|---|---|---|"]
    for (kind, rows, threads, impl), (value, r) in sorted(best.items()):
        if kind.startswith("mlp") and impl == "pipeline":
            torch = best.get((kind, rows, threads, "pytorch"))
            sk = best.get((kind, rows, threads, "sklearn"))
            refs = [x[0] for x in (torch, sk) if x]
            ratio = f"{value / max(refs):.2f}x" if refs else "-"
            mses = " / ".join(f"{x[1]['mse']:.4f}" if x else "-" for x in ((value, r), torch, sk))
            lines.append(f"| {kind[4:]} | {rows:,} | {threads} | {value:,.0f} | "
                         f"{torch[0]:,.0f} | " if torch else f"| {kind[4:]} | {rows:,} | {threads} | {value:,.0f} | - | ")
            lines[-1] += f"{sk[0]:,.0f} | " if sk else "- | "
            lines[-1] += f"{ratio} | {spread(rounds.get((kind, rows, threads)))} | {mses} |"
    lines += ["", "Raw results (best run of each):", "", "```"]
    lines += [json.dumps(r) for _, (_, r) in sorted(best.items())]
    lines += [json.dumps(r) for _, r in sorted(in_process.items())]
    lines += ["```", END]
    section = "\n".join(lines) + "\n"

    text = open(target).read() if os.path.exists(target) else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(target, "w").write(text)
    print(section)


if __name__ == "__main__":
    main()
