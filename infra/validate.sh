#!/usr/bin/env bash
# Validates the cluster files in infra/ without a Docker engine or a Kubernetes cluster (neither runs here):
#   1. `docker-compose config` refuses infra/compose/docker-compose.yml with .env.example as it is (empty secrets),
#      then parses and resolves it with those values filled in by placeholders;
#   2. infra/validate.py checks the resolved compose file, infra/docker/Dockerfile and every manifest in infra/k8s/
#      against the code: each image names a Dockerfile target, each port (container ports, probes, health checks,
#      ASPNETCORE_URLS) is the port the service's Program.cs gives, probe paths are the health endpoints the services
#      map, queue names and every Pipeline__ setting exist in the code, ConfigMap/Secret references resolve, every
#      secret the compose file uses is guarded by ${VAR:?...}, each Deployment mounts only its own Secret, and the
#      NetworkPolicies deny ingress by default and open only the HTTP services' ports.
# Exit 0 with one "ok" line, or non-zero with one line naming the first problem (`--all`: one line per problem). Installs docker-compose and python3-yaml (Debian)
# when missing, which needs root. Runtime here: about 1-2 s once installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE="$ROOT/infra/compose/docker-compose.yml"
ENV_EXAMPLE="$ROOT/infra/compose/.env.example"

die() { echo "infra/validate.sh: FAIL: $*" >&2; exit 1; }

PY=python3
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  PY=/usr/bin/python3
  "$PY" -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 \
      && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } \
    || die "apt-get install ${missing[*]} failed"
  PY=python3
  "$PY" -c 'import yaml' 2>/dev/null || PY=/usr/bin/python3
fi

resolved="$(mktemp)"
errors="$(mktemp)"
filled="$(mktemp)"
trap 'rm -f "$resolved" "$errors" "$filled"' EXIT
compose_config() { # env-file -> resolved compose on stdout; a clean environment: only the env file feeds the interpolation
  env -i PATH="$PATH" HOME="${HOME:-/root}" docker-compose -f "$COMPOSE" --env-file "$1" config
}
# The example ships no secret: its empty values must make compose refuse to start (${VAR:?...} on every use).
empty_keys="$(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=$/\1/p' "$ENV_EXAMPLE")"
[[ -n "$empty_keys" ]] || die "infra/compose/.env.example has no empty secret values (it must ship none that work)"
if compose_config "$ENV_EXAMPLE" >/dev/null 2>"$errors"; then
  die "docker-compose config accepts infra/compose/.env.example as it is: a secret is used without \${VAR:?...}"
fi
# Then resolve with every empty value filled in (placeholders that exist only in this temporary file).
sed 's/^\([A-Z_][A-Z0-9_]*\)=$/\1=validate0only0\1/' "$ENV_EXAMPLE" >"$filled"
if ! compose_config "$filled" >"$resolved" 2>"$errors"; then
  die "docker-compose config rejects infra/compose/docker-compose.yml: $(grep -v '^\s*$' "$errors" | head -3 | tr '\n' ' ')"
fi
"$PY" "$ROOT/infra/validate.py" "$resolved" "$@"
