#!/usr/bin/env bash
# The CUDA checks, prepared for a session that is lent the GPU machine (DEVELOPERS.md): that machine has no .NET,
# so the bench is published self-contained here and travels as one archive.
#
#   bench/device-check.sh pack   # here: publish Pipeline.Bench for linux-x64 into .device/bench.tar.xz (git-ignored)
#   bench/device-check.sh run    # there (or here, on ILGPU's CPU accelerator with BACKEND=ilgpu-cpu QUICK=1)
#
# The device call, as one prepared command (leaves minutes to rerun within the 15-minute budget):
#   run(command="bash bench/device-check.sh run", carry=[".device"], timeout_s=420)
# Results land in $OUT/device-check.jsonl; copy the figures into docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  pack)
    rm -rf .device/publish && mkdir -p .device
    grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
    dotnet publish bench/Pipeline.Bench -c Release -r linux-x64 --self-contained -v quiet -nologo -o .device/publish
    tar -C .device -cJf .device/bench.tar.xz publish
    rm -rf .device/publish
    ls -la .device/bench.tar.xz
    ;;
  run)
    BACKEND="${BACKEND:-cuda}"
    # ILGPU opens libcuda.so from the driver, which that machine mounts under /usr/local/nvidia.
    export LD_LIBRARY_PATH="/usr/local/nvidia/lib64:/usr/local/nvidia/lib:${LD_LIBRARY_PATH:-}"
    out="${OUT:-$(mktemp -d)}/device-check.jsonl"
    dir=$(mktemp -d)
    tar -C "$dir" -xJf .device/bench.tar.xz
    bench="$dir/publish/Pipeline.Bench"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$out"
    status=0
    sizes="1024 2048 4096 8192"; seconds=2; preset=wide; rows=200000; validation=100000; train_rows=20000
    # QUICK: a smoke test of this script on ILGPU's CPU accelerator, which is far too slow for the real sizes.
    if [[ "${QUICK:-0}" == 1 ]]; then sizes="64"; seconds=0.2; preset=seed; rows=512; validation=512; train_rows=1000; fi
    "$bench" backend-check --backend "$BACKEND" --train-rows "$train_rows" | tee -a "$out" || status=1
    for n in $sizes; do
      "$bench" gemm --size "$n" --backend "$BACKEND" --seconds "$seconds" --json | tee -a "$out" || status=1
    done
    "$bench" mlp --preset "$preset" --backend "$BACKEND" --rows "$rows" --validation-rows "$validation" --epochs 1 --json | tee -a "$out" || status=1
    # The same runs on the machine's CPUs, for the ratio (16 cores there).
    for n in $sizes; do
      "$bench" gemm --size "$n" --threads "$(nproc)" --seconds "$seconds" --json | tee -a "$out" || status=1
    done
    exit $status
    ;;
  *)
    sed -n '2,10p' "$0"; exit 64 ;;
esac
