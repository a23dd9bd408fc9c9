#!/usr/bin/env bash
# deploy/services.sh - throwaway RabbitMQ + PostgreSQL 15 for IntelExchange's service-backed tests.
#
# Usage: deploy/services.sh COMMAND
#   start         install rabbitmq-server if missing (apt), start a RabbitMQ node and a PostgreSQL 15 cluster
#                 whose data lives in the state dir, create vhost intelx-test + user intelx/intelx, write $STATE/env
#   stop          stop what `start` started (marker files), never fails
#   status        print what is running
#   rabbit-stop   fault injection: stop the broker app (rabbitmqctl stop_app). AMQP and management ports close,
#                 the Erlang node stays up, so rabbit-start is quick.
#   rabbit-start  start the broker app again (or the whole node if it is down) and wait until it is ready
#   pg-stop       fault injection: pg_ctl stop -m fast (only the cluster this script owns)
#   pg-start      start that cluster again
#   env           print the path of the env file
#
# It can also be sourced (`. deploy/services.sh`): that only defines the functions services_start, services_stop,
# services_status, rabbit_stop_broker, rabbit_start_broker, pg_stop_server and pg_start_server.
#
# Environment:
#   INTELX_SERVICES_DIR   state dir (default <repo>/.tmp/services, or /tmp/intelx-services-<checksum of repo path> when
#                         the checkout is not world-searchable). Must be reachable by the postgres and rabbitmq users.
#   INTELX_RABBIT_NODE    Erlang node name of the throwaway broker (default intelx@localhost)
#   INTELX_PG_BIN         PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   INTELX_RABBIT_AMQP_PORT, INTELX_RABBIT_MGMT_PORT, INTELX_PG_PORT
#                         ports (default 5672, 15672, 5433): a second, independent set of services on one machine
#                         needs its own ports, node name and state dir
#
# State dir layout:
#   env                                  export lines for the tests: `. "$STATE/env"`
#   rabbitmq/rabbitmq.conf               listeners on 127.0.0.1 only (AMQP 5672, management 15672, distribution 25672)
#   rabbitmq/enabled_plugins             rabbitmq_management
#   rabbitmq/mnesia, rabbitmq/log        broker data and logs
#   rabbitmq/node                        node name in use (ours, or a broker that was already running and is reused)
#   rabbitmq/started                     marker: this script started the node, so `stop` stops it
#   rabbitmq/epmd.pid                    epmd started by this script (bound to 127.0.0.1), killed by `stop`
#   postgres/data, postgres/sock         cluster (trust auth, 127.0.0.1:5433, fsync on, max_connections 400: many test
#                                        exchanges each keep a pool) and socket dir
#   postgres/postgres.log                server log
#   postgres/started                     marker: this script owns the cluster, so `stop` stops it
#
# Every listener is bound to 127.0.0.1. If port 5672 (or 5433) is already taken by a working broker (or server),
# it is reused: vhost and user are still created on it, but `stop` leaves it running.

_svc_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Default state dir: <repo>/.tmp/services. The postgres and rabbitmq users must reach it, so when the checkout sits
# somewhere they cannot enter (e.g. under /root, mode 700) a fixed per-checkout dir under /tmp is used instead.
svc_default_state() {
    if [[ $EUID -eq 0 ]] && ! runuser -u nobody -- test -x "$_svc_repo" 2>/dev/null; then
        echo "/tmp/intelx-services-$(printf '%s' "$_svc_repo" | cksum | cut -d' ' -f1)"
    else
        echo "$_svc_repo/.tmp/services"
    fi
}
SVC_STATE="${INTELX_SERVICES_DIR:-$(svc_default_state)}"
[[ "$SVC_STATE" = /* ]] || SVC_STATE="$PWD/$SVC_STATE"
SVC_RDIR="$SVC_STATE/rabbitmq"
SVC_PGDIR="$SVC_STATE/postgres"
SVC_ENV_FILE="$SVC_STATE/env"

RABBIT_NODE_DEFAULT="${INTELX_RABBIT_NODE:-intelx@localhost}"
RABBIT_AMQP_PORT="${INTELX_RABBIT_AMQP_PORT:-5672}"
RABBIT_MGMT_PORT="${INTELX_RABBIT_MGMT_PORT:-15672}"
RABBIT_WAIT_SECONDS=90
RABBIT_TEST_VHOST=intelx-test
RABBIT_TEST_USER=intelx
RABBIT_TEST_PASSWORD=intelx

PG_BIN="${INTELX_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${INTELX_PG_PORT:-5433}"
PG_DATA="$SVC_PGDIR/data"
PG_SOCK="$SVC_PGDIR/sock"
PG_LOG="$SVC_PGDIR/postgres.log"

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

svc_log() { printf 'services: %s\n' "$*" >&2; }

# run a command as another system user (root: runuser; that user already: directly)
svc_as() {
    local user="$1"; shift
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u "$user" -- "$@")
    elif [[ "$(id -un)" == "$user" ]]; then
        (cd / && "$@")
    else
        svc_log "need root (or to be user $user) to run: $*"
        return 1
    fi
}

# run as the PostgreSQL owner: postgres when root (initdb/pg_ctl refuse root), else the current user
pg_as() {
    if [[ $EUID -eq 0 ]]; then svc_as postgres "$@"; else (cd / && "$@"); fi
}

svc_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------------------------------

rabbit_node() {
    if [[ -s "$SVC_RDIR/node" ]]; then cat "$SVC_RDIR/node"; else echo "$RABBIT_NODE_DEFAULT"; fi
}

# The CLI tools are Erlang nodes too: if epmd is not running they start one (on 0.0.0.0 unless ERL_EPMD_ADDRESS
# is set). So every call gets ERL_EPMD_ADDRESS, and probes return "down" at once when no epmd answers (no node
# can be up then) instead of spawning an epmd that nobody stops.
rabbit_epmd_up() { command -v epmd >/dev/null 2>&1 && epmd -names >/dev/null 2>&1; }

# rabbitmqctl against a node, bounded in time
rabbit_ctl() {
    local node="$1"; shift
    ERL_EPMD_ADDRESS=127.0.0.1 timeout 120 rabbitmqctl -n "$node" "$@"
}

rabbit_ping() {
    rabbit_epmd_up && ERL_EPMD_ADDRESS=127.0.0.1 timeout 30 rabbitmq-diagnostics -n "$1" -q ping >/dev/null 2>&1
}
rabbit_app_running() {
    rabbit_epmd_up && ERL_EPMD_ADDRESS=127.0.0.1 timeout 30 rabbitmq-diagnostics -n "$1" -q check_running >/dev/null 2>&1
}

rabbit_install() {
    if command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1; then return 0; fi
    if [[ $EUID -ne 0 ]]; then svc_log "rabbitmq-server is not installed and installing it needs root"; return 1; fi
    local t0=$SECONDS
    svc_log "installing rabbitmq-server (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq -o DPkg::Lock::Timeout=120 >&2 || { svc_log "apt-get update failed"; return 1; }
    apt-get install -y -qq -o DPkg::Lock::Timeout=120 rabbitmq-server >/dev/null \
        || { svc_log "apt-get install rabbitmq-server failed"; return 1; }
    svc_log "rabbitmq-server installed in $((SECONDS - t0)) s"
}

rabbit_write_config() {
    local conf="$SVC_RDIR/rabbitmq.conf" tmp
    tmp="$(mktemp "$SVC_RDIR/.conf.XXXXXX")" || return 1
    cat >"$tmp" <<EOF
# written by deploy/services.sh - throwaway test broker, loopback only
listeners.tcp.default = 127.0.0.1:$RABBIT_AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
distribution.listener.interface = 127.0.0.1
log.console = false
log.file.level = info
EOF
    chmod 644 "$tmp" && mv -f "$tmp" "$conf"
}

# environment for the broker and for rabbitmq-plugins (the Debian wrappers `su` to rabbitmq and keep it)
rabbit_export_env() {
    export RABBITMQ_NODENAME="$1"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$RABBIT_AMQP_PORT
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_CONFIG_FILE="$SVC_RDIR/rabbitmq.conf"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$SVC_RDIR/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$SVC_RDIR/mnesia"
    export RABBITMQ_LOG_BASE="$SVC_RDIR/log"
    export RABBITMQ_PID_FILE="$SVC_RDIR/rabbit.pid"
}

rabbit_enable_management() {
    local node="$1" f="$SVC_RDIR/enabled_plugins"
    if [[ -f "$f" ]] && grep -q rabbitmq_management "$f"; then return 0; fi
    if ( rabbit_export_env "$node"; timeout 60 rabbitmq-plugins -n "$node" -q enable --offline rabbitmq_management ) >/dev/null 2>&1 \
        && grep -q rabbitmq_management "$f" 2>/dev/null; then
        return 0
    fi
    svc_log "rabbitmq-plugins enable --offline failed; writing $f by hand"
    printf '[rabbitmq_management].\n' >"$f" && chown rabbitmq:rabbitmq "$f" 2>/dev/null
    return 0
}

# start epmd on 127.0.0.1 unless one is already running (then the broker uses that one)
rabbit_ensure_epmd() {
    if epmd -names >/dev/null 2>&1; then return 0; fi
    local pid
    (cd / && exec epmd -address 127.0.0.1 </dev/null >/dev/null 2>&1) &
    pid=$!
    echo "$pid" >"$SVC_RDIR/epmd.pid"
    for _ in $(seq 1 50); do
        epmd -names >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    svc_log "epmd did not come up"
    return 1
}

rabbit_kill_our_epmd() {
    local f="$SVC_RDIR/epmd.pid" pid
    [[ -s "$f" ]] || return 0
    pid="$(cat "$f")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == epmd ]]; then
        if epmd -names 2>/dev/null | grep -q '^name '; then
            svc_log "epmd (pid $pid) still has nodes registered; leaving it running"
            return 0
        fi
        kill "$pid" 2>/dev/null || true
        svc_log "stopped epmd (pid $pid)"
    fi
    rm -f "$f"
}

rabbit_wait_ready() {
    local node="$1" deadline=$((SECONDS + RABBIT_WAIT_SECONDS)) left t pid
    while :; do
        left=$((deadline - SECONDS))
        ((left > 0)) || break
        t=$((left < 15 ? left : 15))
        if ERL_EPMD_ADDRESS=127.0.0.1 timeout $((t + 15)) rabbitmqctl -n "$node" -q await_startup --timeout "$t" >/dev/null 2>&1; then
            return 0
        fi
        if grep -qs 'BOOT FAILED' "$SVC_RDIR"/log/*.log; then break; fi
        pid="$(cat "$SVC_RDIR/rabbit.pid" 2>/dev/null)"
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 1
    done
    svc_log "RabbitMQ node $node did not become ready within ${RABBIT_WAIT_SECONDS} s; log tail:"
    tail -n 40 "$SVC_RDIR"/log/*.log >&2 2>/dev/null || true
    return 1
}

# vhost intelx-test, user intelx/intelx with full permissions on it (idempotent)
rabbit_setup_test_vhost() {
    local node="$1"
    rabbit_ctl "$node" -q add_vhost "$RABBIT_TEST_VHOST" >/dev/null || return 1   # add_vhost is idempotent
    # the password goes in on stdin (rabbitmqctl reads it there when the argument is omitted)
    if ! rabbit_ctl "$node" -q authenticate_user "$RABBIT_TEST_USER" "$RABBIT_TEST_PASSWORD" >/dev/null 2>&1; then
        if rabbit_ctl "$node" -q list_users --no-table-headers 2>/dev/null | awk '{print $1}' | grep -qx "$RABBIT_TEST_USER"; then
            printf '%s\n' "$RABBIT_TEST_PASSWORD" | rabbit_ctl "$node" -q change_password "$RABBIT_TEST_USER" >/dev/null || return 1
        else
            printf '%s\n' "$RABBIT_TEST_PASSWORD" | rabbit_ctl "$node" -q add_user "$RABBIT_TEST_USER" >/dev/null || return 1
        fi
    fi
    # administrator: lets tests use the management HTTP API (queue depths, bindings, connections) on this throwaway broker
    rabbit_ctl "$node" -q set_user_tags "$RABBIT_TEST_USER" administrator >/dev/null || return 1
    rabbit_ctl "$node" -q set_permissions -p "$RABBIT_TEST_VHOST" "$RABBIT_TEST_USER" '.*' '.*' '.*' >/dev/null || return 1
}

rabbit_start() {
    local t0=$SECONDS node cand
    rabbit_install || return 1
    mkdir -p "$SVC_RDIR/mnesia" "$SVC_RDIR/log" || return 1
    chmod 755 "$SVC_STATE" "$SVC_RDIR"
    node="$(rabbit_node)"

    if [[ -f "$SVC_RDIR/started" ]] && rabbit_app_running "$node"; then
        svc_log "RabbitMQ node $node already running (started earlier by this script)"
    elif [[ -f "$SVC_RDIR/started" ]] && rabbit_ping "$node"; then
        svc_log "RabbitMQ node $node is up but its app is stopped; start_app"
        rabbit_ctl "$node" -q start_app >/dev/null || return 1
        rabbit_wait_ready "$node" || return 1
    elif svc_port_open "$RABBIT_AMQP_PORT"; then
        node=""
        for cand in "$RABBIT_NODE_DEFAULT" "rabbit@$(hostname -s 2>/dev/null || hostname)" rabbit@localhost; do
            if rabbit_ping "$cand" && rabbit_app_running "$cand"; then node="$cand"; break; fi
        done
        if [[ -z "$node" ]]; then
            svc_log "port $RABBIT_AMQP_PORT is in use, but no RabbitMQ node that rabbitmqctl can reach answers there"
            return 1
        fi
        svc_log "port $RABBIT_AMQP_PORT already served by running broker $node; reusing it (stop will leave it running)"
        rm -f "$SVC_RDIR/started"
        echo "$node" >"$SVC_RDIR/node"
    else
        node="$RABBIT_NODE_DEFAULT"
        rm -f "$SVC_RDIR/started" "$SVC_RDIR/rabbit.pid"
        rabbit_write_config || return 1
        chown -R rabbitmq:rabbitmq "$SVC_RDIR" || return 1
        if ! svc_as rabbitmq test -w "$SVC_RDIR/mnesia"; then
            svc_log "the rabbitmq user cannot write $SVC_RDIR (a parent dir is not world-searchable?); set INTELX_SERVICES_DIR"
            return 1
        fi
        rabbit_ensure_epmd || return 1
        rabbit_enable_management "$node"
        svc_log "starting RabbitMQ node $node (127.0.0.1:$RABBIT_AMQP_PORT, management 127.0.0.1:$RABBIT_MGMT_PORT)"
        echo "$node" >"$SVC_RDIR/node"
        ( rabbit_export_env "$node"; cd / && rabbitmq-server -detached ) >/dev/null 2>&1 || {
            svc_log "rabbitmq-server -detached failed"; return 1; }
        touch "$SVC_RDIR/started"
        rabbit_wait_ready "$node" || return 1
    fi
    rabbit_setup_test_vhost "$node" || { svc_log "creating vhost/user failed"; return 1; }
    svc_log "RabbitMQ ready on $node (vhost $RABBIT_TEST_VHOST, user $RABBIT_TEST_USER) in $((SECONDS - t0)) s"
}

rabbit_stop() {
    local node pid
    if [[ ! -f "$SVC_RDIR/started" ]]; then
        [[ -s "$SVC_RDIR/node" ]] && svc_log "RabbitMQ: not started by this script; leaving $(rabbit_node) alone"
        rabbit_kill_our_epmd
        return 0
    fi
    node="$(rabbit_node)"
    pid="$(cat "$SVC_RDIR/rabbit.pid" 2>/dev/null)"
    svc_log "stopping RabbitMQ node $node"
    if command -v rabbitmqctl >/dev/null 2>&1 && rabbit_epmd_up; then
        ERL_EPMD_ADDRESS=127.0.0.1 timeout 90 rabbitmqctl -n "$node" -q stop "$SVC_RDIR/rabbit.pid" >/dev/null 2>&1 || true
    fi
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        svc_log "RabbitMQ (pid $pid) still running; SIGTERM"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$SVC_RDIR/started" "$SVC_RDIR/rabbit.pid"
    rabbit_kill_our_epmd
    return 0
}

# fault injection: stop only the broker app (connections drop, ports close; the node stays up)
rabbit_stop_broker() {
    local node; node="$(rabbit_node)"
    if ! rabbit_ping "$node"; then svc_log "RabbitMQ node $node is not running"; return 0; fi
    [[ -f "$SVC_RDIR/started" ]] || svc_log "note: $node was not started by this script"
    svc_log "stop_app on $node"
    rabbit_ctl "$node" -q stop_app >/dev/null
}

rabbit_start_broker() {
    local node; node="$(rabbit_node)"
    if rabbit_ping "$node"; then
        if ! rabbit_app_running "$node"; then
            svc_log "start_app on $node"
            rabbit_ctl "$node" -q start_app >/dev/null || return 1
        fi
        rabbit_wait_ready "$node"
    else
        rabbit_start
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------------

pg_ours_running() {
    [[ -s "$PG_DATA/PG_VERSION" ]] && pg_as "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

pg_select1() {
    PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" -XtAqc 'select 1' 2>/dev/null \
        | grep -qx 1
}

# start the cluster this script owns (initdb on first use); reuse a server already answering on the port
pg_start_server() {
    local t0=$SECONDS
    [[ -x "$PG_BIN/pg_ctl" ]] || { svc_log "PostgreSQL binaries not found in $PG_BIN (apt-get install postgresql-15)"; return 1; }
    mkdir -p "$PG_SOCK" || return 1
    chmod 755 "$SVC_STATE"
    if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$SVC_PGDIR" "$PG_SOCK" || return 1; fi
    if ! pg_as test -w "$SVC_PGDIR"; then
        svc_log "the postgres user cannot write $SVC_PGDIR (a parent dir is not world-searchable?); set INTELX_SERVICES_DIR"
        return 1
    fi
    if pg_ours_running; then
        svc_log "PostgreSQL cluster $PG_DATA already running"
        touch "$SVC_PGDIR/started"
        return 0
    fi
    if svc_port_open "$PG_PORT"; then
        if pg_select1; then
            svc_log "port $PG_PORT already served by a PostgreSQL that accepts user postgres; reusing it (stop will leave it running)"
            rm -f "$SVC_PGDIR/started"
            return 0
        fi
        svc_log "port $PG_PORT is in use by something that is not a usable PostgreSQL (trust auth, user postgres)"
        return 1
    fi
    if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
        svc_log "initdb $PG_DATA"
        rm -rf "$PG_DATA"
        if ! pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$SVC_PGDIR/initdb.log" 2>&1; then
            svc_log "initdb failed:"; tail -n 20 "$SVC_PGDIR/initdb.log" >&2; return 1
        fi
    fi
    svc_log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
            -o "-p $PG_PORT -k '$PG_SOCK' -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null 2>&1; then
        svc_log "pg_ctl start failed; log tail:"; tail -n 20 "$PG_LOG" >&2 2>/dev/null; return 1
    fi
    touch "$SVC_PGDIR/started"
    svc_log "PostgreSQL ready in $((SECONDS - t0)) s"
}

# fault injection / stop: fast shutdown of the cluster this script owns
pg_stop_server() {
    if [[ ! -f "$SVC_PGDIR/started" ]]; then
        svc_log "PostgreSQL: no cluster started by this script"
        return 1
    fi
    if pg_ours_running; then
        svc_log "stopping PostgreSQL ($PG_DATA)"
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || return 1
    else
        svc_log "PostgreSQL already stopped"
    fi
}

pg_stop() {
    if [[ ! -f "$SVC_PGDIR/started" ]]; then
        [[ -d "$SVC_PGDIR" ]] && svc_log "PostgreSQL: no cluster started by this script is marked running; nothing to stop"
        return 0
    fi
    pg_stop_server || svc_log "pg_ctl stop failed (ignored)"
    rm -f "$SVC_PGDIR/started"
    return 0
}

# ---------------------------------------------------------------------------------------------------------------

services_write_env() {
    local tmp
    tmp="$(mktemp "$SVC_STATE/.env.XXXXXX")" || return 1
    cat >"$tmp" <<EOF
# written by deploy/services.sh start
export INTELX_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
export INTELX_TEST_RABBITMQ="amqp://$RABBIT_TEST_USER:$RABBIT_TEST_PASSWORD@127.0.0.1:$RABBIT_AMQP_PORT/$RABBIT_TEST_VHOST"
export INTELX_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$RABBIT_MGMT_PORT"
export INTELX_TEST_RABBITMQ_NODE="$(rabbit_node)"
export INTELX_SERVICES_DIR="$SVC_STATE"
export INTELX_SERVICES_SCRIPT="$_svc_repo/deploy/services.sh"
EOF
    chmod 644 "$tmp" && mv -f "$tmp" "$SVC_ENV_FILE"
}

services_start() {
    local t0=$SECONDS
    mkdir -p "$SVC_STATE" || return 1
    # the service users must be able to traverse to it, whatever the umask was
    [[ "$SVC_STATE" == "$_svc_repo/.tmp/services" ]] && chmod a+rx "$_svc_repo/.tmp"
    chmod a+rx "$SVC_STATE"
    pg_start_server || return 1
    rabbit_start || return 1
    services_write_env || return 1
    svc_log "services up in $((SECONDS - t0)) s; env: $SVC_ENV_FILE"
}

services_stop() {
    pg_stop
    rabbit_stop
    svc_log "services stopped"
    return 0
}

services_status() {
    local node; node="$(rabbit_node)"
    if pg_ours_running; then echo "postgres: running (ours, $PG_DATA, 127.0.0.1:$PG_PORT)"
    elif svc_port_open "$PG_PORT"; then echo "postgres: port $PG_PORT in use (not ours)"
    else echo "postgres: stopped"; fi
    if command -v rabbitmqctl >/dev/null 2>&1 && rabbit_ping "$node"; then
        local owner="not ours"; [[ -f "$SVC_RDIR/started" ]] && owner="ours"
        if rabbit_app_running "$node"; then echo "rabbitmq: running ($owner, $node)"
        else echo "rabbitmq: node up, app stopped ($owner, $node)"; fi
    elif svc_port_open "$RABBIT_AMQP_PORT"; then echo "rabbitmq: port $RABBIT_AMQP_PORT in use (unknown node)"
    else echo "rabbitmq: stopped"; fi
}

services_main() {
    case "${1:-}" in
        start) services_start ;;
        stop) services_stop ;;
        status) services_status ;;
        rabbit-stop) rabbit_stop_broker ;;
        rabbit-start) rabbit_start_broker ;;
        pg-stop) pg_stop_server ;;
        pg-start) pg_start_server ;;
        env) echo "$SVC_ENV_FILE" ;;
        *) echo "usage: $0 start|stop|status|rabbit-stop|rabbit-start|pg-stop|pg-start|env" >&2; return 2 ;;
    esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    services_main "$@"
    exit $?
fi
