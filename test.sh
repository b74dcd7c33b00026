#!/usr/bin/env bash
# The test command: brings the local stack up (installing RabbitMQ, PostgreSQL and s3rver when missing), runs the
# unit and integration tests against it, then runs the SIMD kernel tests again without AVX-512, without AVX2 and
# without any hardware intrinsics, so every dispatch path (Vector512, Vector256, Vector128, scalar) is exercised, and
# last the multi-host test on network namespaces (root).
# Fails (non-zero) when any test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The layering rule (no service references another service), before anything slow.
tools/check-layers.sh

infra/stack.sh up

# The dashboard's browser test drives Debian's chromium (Playwright brings only its driver).
if [[ ! -x /usr/lib/chromium/chromium ]]; then
  echo "== installing chromium for the browser test"
  apt_install() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null; }
  apt_install || { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt_install; }
fi
# A real public Parquet file written by another tool (vega-datasets' flights-3m, 3,000,000 rows, 13.5 MB) for the
# Parquet reader's integration test; npm is there once the stack is (s3rver).
test_data="$PWD/.local/test-data"
if [[ ! -f "$test_data/node_modules/vega-datasets/data/flights-3m.parquet" ]]; then
  echo "== npm install vega-datasets (test data)"
  npm install --prefix "$test_data" --no-audit --no-fund --loglevel=error vega-datasets@3.2.1 >/dev/null
fi
export PIPELINE_TEST_PARQUET="$test_data/node_modules/vega-datasets/data/flights-3m.parquet"
# Screenshots and other test artifacts land here.
export PIPELINE_TEST_ARTIFACTS="${PIPELINE_TEST_ARTIFACTS:-$PWD/artifacts/tests}"
set -a
# shellcheck disable=SC1091
source "${PIPELINE_STACK_STATE:-infra/.state}/stack.env"
set +a

dotnet build Pipeline.sln -c Release -warnaserror
# Beside the layering rule, on that build (no database): every model change has its migration, and infra/sql/*.sql
# (the migrations as idempotent SQL for DBAs) match them.
tools/migration-scripts.sh --check --no-build
# Everything except the tests that restart or stop shared services (the broker restart, the chaos suite), which
# would disturb the others running in parallel, and the multi-host test (its own step below).
dotnet test Pipeline.sln -c Release --no-build --logger "console;verbosity=minimal" --filter "Category!=BrokerRestart&Category!=MultiHost&Category!=Chaos&Category!=ChaosCi"
# Then, each alone (one after the other: a broker restart in the middle of a chaos job is a fault of its own): the
# broker restart, and the quick chaos scenarios (a worker SIGKILLed mid-shard, the S3 endpoint down 20 s; each must
# end with the undisturbed run's model). The whole suite with its table: bench/chaos.sh.
echo "== broker restart test (alone)"
dotnet test tests/Pipeline.Training.IntegrationTests -c Release --no-build --filter "Category=BrokerRestart" --logger "console;verbosity=detailed"
echo "== chaos subset (alone)"
dotnet test tests/Pipeline.Training.IntegrationTests -c Release --no-build --filter "Category=ChaosCi" --logger "console;verbosity=detailed"

# SIMD kernel tests again under every instruction-set restriction (AVX-512 off, AVX2 off, no intrinsics at all).
tests/numerics-kernel-matrix.sh

# The cluster files (compose, Dockerfile, Kubernetes manifests) against the code: ports, probes, images, settings.
infra/validate.sh

# The services on five network-namespace hosts with their own RabbitMQ, PostgreSQL and s3rver (infra/netns.sh, needs
# root), a job to Deployed, then a worker host's link cut mid-shard (~2-3 min).
echo "== multi-host test (alone)"
dotnet test tests/Pipeline.Training.IntegrationTests -c Release --no-build --logger "console;verbosity=detailed" --filter "Category=MultiHost"
