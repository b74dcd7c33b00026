#!/usr/bin/env bash
# Several "hosts" on one Linux machine: network namespaces joined by veth pairs to a bridge, with a private test
# infrastructure (RabbitMQ, PostgreSQL 15, s3rver) of their own on the first host. Used by the multi-host test
# (tests/Pipeline.MultiHost.Tests) and the scaling benchmark; handy by hand too. Needs root.
#
#   infra/netns.sh up HOST...        remove leftovers of an earlier run, create one namespace per HOST (the first
#                                    runs the infrastructure), start it; writes $STATE/env (settings, mode 600)
#   infra/netns.sh down              stop every process in our namespaces, delete namespaces, links, bridge, state
#   infra/netns.sh link HOST up|down cut or restore a host's link (its veth on the bridge side), like a cable
#   infra/netns.sh exec HOST CMD...  run a command on a host
#   infra/netns.sh status
#
# Layout (defaults; PIPELINE_NETNS_PREFIX / _SUBNET / _STATE override):
#   bridge pln-br 10.231.0.1/24 in the root namespace (so the test process reaches every host);
#   namespace pln-HOST with eth0 = 10.231.0.(2 + position of HOST), its peer pln-HOST on the bridge.
# Only these links carry 10.231.0.0/24; nothing is routed or forwarded anywhere else. The infrastructure listens on
# the infra host's address only, on the usual ports (5672, 5432, 9000): another namespace, another network stack, so
# the shared stack on 127.0.0.1 is not disturbed. Its own RabbitMQ node (own node name, epmd, data and log dirs),
# its own PostgreSQL cluster (initdb into $STATE) and its own s3rver data folder; fresh credentials every `up`.
# s3rver comes from the local stack's install (infra/stack.sh up installs and patches it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${PIPELINE_NETNS_PREFIX:-pln}"
SUBNET="${PIPELINE_NETNS_SUBNET:-10.231.0}" # a /24: .1 is the bridge, hosts from .2
STATE="${PIPELINE_NETNS_STATE:-/tmp/$PREFIX-netns}"
S3RVER_PKG="${PIPELINE_S3RVER_PKG:-${PIPELINE_STACK_STATE:-$ROOT/infra/.state}/s3rver/node_modules/s3rver}"
PG_BIN="/usr/lib/postgresql/15/bin"
BRIDGE="$PREFIX-br"
AMQP_PORT=5672
PG_PORT=5432
S3_PORT=9000

die() { echo "netns.sh: error: $*" >&2; exit 1; }
log() { echo "netns.sh: $*"; }
[[ $(id -u) -eq 0 ]] || die "run as root (ip netns, runuser)"
[[ "$PREFIX" =~ ^[a-z][a-z0-9]{1,4}$ ]] || die "PIPELINE_NETNS_PREFIX must be 2-5 lower-case letters/digits"
[[ "$STATE" == /?*/?* ]] || die "PIPELINE_NETNS_STATE must be a folder at least two levels deep (it is deleted by 'down')"

ns_of() { echo "$PREFIX-$1"; }
ip_of() { # host -> address, from the host list written by `up`
  local i=0 h
  for h in $(cat "$STATE/hosts" 2>/dev/null); do
    [[ "$h" == "$1" ]] && { echo "$SUBNET.$((i + 2))"; return 0; }
    i=$((i + 1))
  done
  die "unknown host '$1' (hosts: $(cat "$STATE/hosts" 2>/dev/null || echo none))"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() { # ip port seconds name logfile
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.1
  done
  echo "---- $5" >&2
  tail -n 30 "$5" >&2 || true
  die "$4 did not answer on $1:$2 within $3 s"
}
gen_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-"$1"; }

# ---------------------------------------------------------------------------------------------- network
our_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-" || true; }
our_links() { ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^$PREFIX-" || true; }

kill_namespace_processes() { # ns
  local pids i
  pids="$(ip netns pids "$1" 2>/dev/null || true)"
  [[ -z "$pids" ]] && return 0
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pids="$(ip netns pids "$1" 2>/dev/null || true)"
    [[ -z "$pids" ]] && return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  sleep 0.2
}

cmd_down() {
  local ns l
  for ns in $(our_namespaces); do
    kill_namespace_processes "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  # deleting a namespace deletes its veth ends and their peers; the bridge (and strays) go here
  for l in $(our_links); do ip link del "$l" 2>/dev/null || true; done
  rm -rf "$STATE"
  [[ -z "$(our_namespaces)$(our_links)" ]] || die "could not remove: $(our_namespaces) $(our_links)"
}

net_up() { # hosts...
  ip link add "$BRIDGE" type bridge
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local i=0 h ns
  for h in "$@"; do
    ns="$(ns_of "$h")"
    ip netns add "$ns"
    ip link add "$ns" type veth peer name eth0 netns "$ns"
    ip link set "$ns" master "$BRIDGE"
    ip link set "$ns" up
    ip netns exec "$ns" ip addr add "$SUBNET.$((i + 2))/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip link set lo up
    i=$((i + 1))
  done
}

# ---------------------------------------------------------------------------------------------- infrastructure
rabbit_up() { # ns ip
  local dir="$STATE/rabbitmq"
  mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
  cat >"$dir/rabbitmq.conf" <<EOF
# written by infra/netns.sh: a test node on $2 only
listeners.tcp.default = $2:$AMQP_PORT
loopback_users = none
default_vhost = pipeline
default_user = pipeline
default_pass = $RMQ_PASS
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
consumer_timeout = 14400000
EOF
  echo '[].' >"$dir/enabled_plugins"
  : >"$dir/rabbitmq-env.conf" # not /etc/rabbitmq/rabbitmq-env.conf, which is the shared node's
  gen_secret 20 >"$dir/home/.erlang.cookie"
  chmod 400 "$dir/home/.erlang.cookie"
  chmod 600 "$dir/rabbitmq.conf"
  chown -R rabbitmq:rabbitmq "$dir"
  # epmd is per network namespace; the node, its epmd and its distribution port stay on the namespace's loopback
  ip netns exec "$1" runuser -u rabbitmq -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$dir/home" \
    RABBITMQ_NODENAME="$PREFIX@localhost" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    nohup /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/log/startup.log" 2>&1 </dev/null &
  wait_port "$2" "$AMQP_PORT" 120 "RabbitMQ" "$dir/log/startup.log"
}

pg_up() { # ns ip
  local dir="$STATE/postgres"
  mkdir -p "$dir/sock"
  (umask 077 && printf '%s\n' "$PG_PASS" >"$dir/pwfile")
  chown -R postgres:postgres "$dir"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U pipeline --pwfile="$dir/pwfile" -E UTF8 --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/pwfile"
  echo "host all all $SUBNET.0/24 scram-sha-256" >>"$dir/data/pg_hba.conf"
  # Throw-away data: no fsync. Keepalives and the idle-in-transaction limit free what a cut-off client held
  # (a scheduler claim, a saga row lock) within seconds instead of the kernel's two hours.
  ip netns exec "$1" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=$2 -c port=$PG_PORT -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3 -c idle_in_transaction_session_timeout=15s" \
    start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
  ip netns exec "$1" runuser -u postgres -- "$PG_BIN/psql" -h "$dir/sock" -p "$PG_PORT" -U pipeline -d postgres -qAt \
    -c "CREATE DATABASE pipeline" >/dev/null 2>"$dir/createdb.log" || { cat "$dir/createdb.log" >&2; die "CREATE DATABASE failed"; }
}

s3_up() { # ns ip
  local dir="$STATE/s3rver"
  [[ -f "$S3RVER_PKG/lib/s3rver.js" ]] || die "no s3rver at $S3RVER_PKG: run infra/stack.sh up first (it installs and patches it), or set PIPELINE_S3RVER_PKG"
  mkdir -p "$dir/data"
  ip netns exec "$1" env S3RVER_ACCESS_KEY="$S3_ACCESS" S3RVER_SECRET_KEY="$S3_SECRET" \
    nohup node "$ROOT/infra/s3rver-start.js" "$S3RVER_PKG" "$dir/data" "$2" "$S3_PORT" >"$dir/log" 2>&1 </dev/null &
  wait_port "$2" "$S3_PORT" 60 "s3rver" "$dir/log"
}

write_env() { # infra-ip hosts...
  local ip="$1" h
  shift
  (
    umask 077
    cat >"$STATE/env" <<EOF
# written by infra/netns.sh up (sourceable; KEY="value" lines): the settings of services on the namespace hosts,
# then NETNS_HOST_<host>="<namespace> <address>" for each host
Pipeline__Transport="rabbitmq"
Pipeline__RabbitMq__Host="$ip"
Pipeline__RabbitMq__Port="$AMQP_PORT"
Pipeline__RabbitMq__VirtualHost="pipeline"
Pipeline__RabbitMq__Username="pipeline"
Pipeline__RabbitMq__Password="$RMQ_PASS"
Pipeline__Database__Provider="postgres"
Pipeline__Database__ConnectionString="Host=$ip;Port=$PG_PORT;Database=pipeline;Username=pipeline;Password=$PG_PASS"
Pipeline__Storage__Provider="s3"
Pipeline__Storage__Endpoint="$ip:$S3_PORT"
Pipeline__Storage__AccessKey="$S3_ACCESS"
Pipeline__Storage__SecretKey="$S3_SECRET"
Pipeline__Storage__UseSsl="false"
EOF
    for h in "$@"; do echo "NETNS_HOST_${h}=\"$(ns_of "$h") $(ip_of "$h")\""; done >>"$STATE/env"
  )
}

cmd_up() {
  [[ $# -ge 1 ]] || die "usage: netns.sh up INFRA-HOST [HOST...]"
  local h
  for h in "$@"; do
    [[ "$h" =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "host name '$h': 1-10 lower-case letters/digits"
  done
  [[ $# -le 200 ]] || die "too many hosts"
  local start_ns
  start_ns=$(date +%s%N)
  if [[ -n "$(our_namespaces)$(our_links)" || -d "$STATE" ]]; then
    log "removing leftovers of an earlier run: $(our_namespaces | tr '\n' ' ')$(our_links | tr '\n' ' ')"
    cmd_down
  fi
  mkdir -p "$STATE"
  chmod 755 "$STATE" # postgres and rabbitmq must reach their folders inside
  printf '%s\n' "$@" >"$STATE/hosts"
  net_up "$@"
  RMQ_PASS="$(gen_secret 24)"
  PG_PASS="$(gen_secret 24)"
  S3_ACCESS="PL$(gen_secret 18 | tr '[:lower:]' '[:upper:]')"
  S3_SECRET="$(gen_secret 40)"
  local ns ip
  ns="$(ns_of "$1")"
  ip="$(ip_of "$1")"
  # the three start in parallel; RabbitMQ is the slow one (~5-10 s)
  local pids=() rc=0 p
  (rabbit_up "$ns" "$ip") &
  pids+=($!)
  (pg_up "$ns" "$ip") &
  pids+=($!)
  (s3_up "$ns" "$ip") &
  pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [[ $rc -eq 0 ]] || die "infrastructure did not start (run 'netns.sh down' to clean up)"
  write_env "$ip" "$@"
  local elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
  log "hosts: $(for h in "$@"; do printf '%s=%s ' "$h" "$(ip_of "$h")"; done)"
  log "infrastructure on $1 ($ip): amqp :$AMQP_PORT, postgres :$PG_PORT, s3 :$S3_PORT; settings in $STATE/env"
  log "up took $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s"
}

cmd_link() { # host up|down
  [[ $# -eq 2 && ( "$2" == up || "$2" == down ) ]] || die "usage: netns.sh link HOST up|down"
  ip_of "$1" >/dev/null
  ip link set "$(ns_of "$1")" "$2"
}

cmd_exec() {
  [[ $# -ge 2 ]] || die "usage: netns.sh exec HOST CMD..."
  local ns
  ns="$(ns_of "$1")"
  shift
  exec ip netns exec "$ns" "$@"
}

cmd_status() {
  local ns
  for ns in $(our_namespaces); do
    echo "$ns: $(ip netns exec "$ns" ip -br -4 addr show eth0 2>/dev/null | awk '{print $2, $3}'), $(ip netns pids "$ns" 2>/dev/null | wc -l) processes"
  done
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  link) shift; cmd_link "$@" ;;
  exec) shift; cmd_exec "$@" ;;
  status) cmd_status ;;
  *) echo "usage: $0 up HOST...|down|link HOST up|down|exec HOST CMD...|status" >&2; exit 2 ;;
esac
