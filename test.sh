#!/usr/bin/env bash
# The test command: brings the local stack up (installing RabbitMQ, PostgreSQL and s3rver when missing), runs the
# unit and integration tests against it, then runs the SIMD kernel tests twice more: without AVX-512 and without
# any hardware intrinsics, so every dispatch path (Vector512, Vector256/128, scalar) is exercised on this machine.
# Fails (non-zero) when any test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

infra/stack.sh up
set -a
# shellcheck disable=SC1091
source "${PIPELINE_STACK_STATE:-infra/.state}/stack.env"
set +a

dotnet build Pipeline.sln -c Release -warnaserror
# Everything except the test that restarts the shared broker, which would disturb the others running in parallel.
dotnet test Pipeline.sln -c Release --no-build --logger "console;verbosity=minimal" --filter "Category!=BrokerRestart"
echo "== broker restart test (alone)"
dotnet test tests/Pipeline.Training.IntegrationTests -c Release --no-build --filter "Category=BrokerRestart"

kernels=tests/Pipeline.Numerics.Tests
if [[ -d $kernels ]]; then
  echo "== kernel tests with DOTNET_EnableAVX512F=0"
  DOTNET_EnableAVX512F=0 dotnet test "$kernels" -c Release --no-build --filter Category=Kernels
  echo "== kernel tests with DOTNET_EnableHWIntrinsic=0"
  DOTNET_EnableHWIntrinsic=0 dotnet test "$kernels" -c Release --no-build --filter Category=Kernels
fi
