#!/usr/bin/env bash
# Reruns the Numerics kernel tests under each instruction-set restriction CI must cover, so the Vector256,
# Vector128/scalar dispatch paths are exercised as the *default* path too (the tests also force every kernel the
# machine supports explicitly). Note: on .NET 10, DOTNET_EnableAVX512F=0 no longer turns Vector512 off;
# DOTNET_EnableAVX512=0 does. Both are run.
set -euo pipefail
cd "$(dirname "$0")/.."
project=tests/Pipeline.Numerics.Tests
dotnet build "$project" -c Release -v quiet -nologo
for setting in "" DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0 DOTNET_EnableHWIntrinsic=0; do
  echo "== kernels with ${setting:-default settings}"
  env $setting dotnet test "$project" -c Release --no-build --filter Category=Kernels -v quiet -nologo
done
