#!/usr/bin/env bash
# deploy/run-two.sh - two IntelExchange instances on this machine, on different ports, against one PostgreSQL
# database and one RabbitMQ vhost: the multi-instance deployment without containers.
#
# Usage: bash deploy/run-two.sh [--smoke]
#   Runs until Ctrl-C (or, with --smoke, submits a signed report to each instance, checks that both counted it on
#   /metrics and that the agency queue holds both, then stops). Either way it stops both instances and drops the
#   database and vhost it created.
# Environment:
#   INTELX_SERVICES_DIR    state dir of deploy/services.sh; services already running are reused and left running,
#                          otherwise they are started for the run and stopped after it
#   INTELX_TWO_PORT        first partner port (default 6443; the second instance gets +1, ops ports are 6081, 6082)
#
# Both instances share one data folder, so one dev PKI: the first creates it (and the demo tenants), the second
# starts once the first is ready. Each runs the outbox dispatcher, the callback sender and the expiry job; PostgreSQL
# row locks (FOR UPDATE SKIP LOCKED) keep them from sending anything twice.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
smoke=0
[[ ${1:-} == --smoke ]] && smoke=1

say() { printf 'run-two: %s\n' "$*" >&2; }

status="$(bash deploy/services.sh status 2>/dev/null || true)"
if [[ "$status" == *"postgres: running"* && "$status" == *"rabbitmq: running"* && -s "$(bash deploy/services.sh env)" ]]; then
    say "reusing running services"
    started_services=0
else
    bash deploy/services.sh start
    started_services=1
fi
# shellcheck disable=SC1090
. "$(bash deploy/services.sh env)"

run_id=$(openssl rand -hex 4)
work=.tmp/run-two
data=$work/data-$run_id
database=intelx_two_$run_id
vhost=intelx-two-$run_id
port=${INTELX_TWO_PORT:-6443}
ops_port=$((port - 6443 + 6081))
amqp_user=$(printf '%s' "$INTELX_TEST_RABBITMQ" | sed -E 's|amqp://([^:]*):.*|\1|')
amqp_password=$(printf '%s' "$INTELX_TEST_RABBITMQ" | sed -E 's|amqp://[^:]*:([^@]*)@.*|\1|')
amqp_host=$(printf '%s' "$INTELX_TEST_RABBITMQ" | sed -E 's|amqp://[^@]*@([^/]*)/.*|\1|')
management=${INTELX_TEST_RABBITMQ_MANAGEMENT:-http://127.0.0.1:15672}
connection="$(printf '%s' "$INTELX_TEST_POSTGRES" | sed -E 's/Database=[^;]*/Database='"$database"'/')"
mkdir -p "$work"

# The Npgsql connection string as libpq keywords, for psql, on database $1.
libpq() {
    printf '%s' "$INTELX_TEST_POSTGRES" | tr ';' '\n' | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^(Username|User ID)=/user=/I;
        s/^Password=/password=/I; /^Database=/Id' | tr '\n' ' '
    printf 'dbname=%s' "$1"
}

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    curl -s -o /dev/null -u "$amqp_user:$amqp_password" -X DELETE "$management/api/vhosts/$vhost" || true
    psql "$(libpq postgres)" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" 2>/dev/null || true
    rm -rf "$data"
    ((started_services)) && bash deploy/services.sh stop
    say "stopped; database $database and vhost $vhost dropped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "publishing the API (ReadyToRun, as the container image is built)"
dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    api/IntelExchange.Api/IntelExchange.Api.csproj -o "$work/api" -nologo -v q >&2

curl -sf -o /dev/null -u "$amqp_user:$amqp_password" -X PUT "$management/api/vhosts/$vhost"
curl -sf -o /dev/null -u "$amqp_user:$amqp_password" -X PUT -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' "$management/api/permissions/$vhost/$amqp_user"

start_instance() { # start_instance N PARTNER_PORT OPS_PORT
    env Persistence__Provider=postgres ConnectionStrings__IntelExchange="$connection" \
        Messaging__Transport=rabbitmq Messaging__RabbitMq__Uri="amqp://$amqp_user:$amqp_password@$amqp_host/$vhost" \
        Listeners__Partner="https://127.0.0.1:$2" Listeners__Ops="http://127.0.0.1:$3" \
        INTELX_DATA="$data" Observability__ServiceName="intelexchange-$1" \
        dotnet "$work/api/IntelExchange.Api.dll" > "$work/instance-$1.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 120); do
        if curl -sf -o /dev/null "http://127.0.0.1:$3/health/ready"; then
            say "instance $1 ready: partner https://127.0.0.1:$2, ops http://127.0.0.1:$3 (pid ${pids[-1]}, log $work/instance-$1.log)"
            return 0
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || { say "instance $1 exited; see $work/instance-$1.log"; tail -20 "$work/instance-$1.log" >&2; return 1; }
        sleep 0.5
    done
    say "instance $1 not ready after 60 s"; return 1
}
start_instance 1 "$port" "$ops_port"
start_instance 2 $((port + 1)) $((ops_port + 1))

if ((smoke)); then
    for p in "$port" $((port + 1)); do
        bash contracts/examples/curl/submit-report.sh --data "$data" --url "https://127.0.0.1:$p" | grep -E '^(HTTP|receipt verified)' >&2
    done
    for o in "$ops_port" $((ops_port + 1)); do
        accepted=$(curl -sf "http://127.0.0.1:$o/metrics" | sed -n 's/^intelx_reports_accepted_total{.*replayed="false".*} \([0-9]*\).*/\1/p')
        [[ $accepted == 1 ]] || { say "instance on ops port $o counted ${accepted:-no} accepted reports, expected 1"; exit 1; }
    done
    depth=""
    for _ in $(seq 1 20); do
        depth=$(curl -sf -u "$amqp_user:$amqp_password" "$management/api/queues/$vhost/intelx.agency.indecopi" | sed -n 's/.*"messages":\([0-9]*\).*/\1/p')
        [[ $depth == 2 ]] && break
        sleep 0.5
    done
    [[ $depth == 2 ]] || { say "agency queue holds ${depth:-?} messages, expected 2"; exit 1; }
    say "smoke test passed: each instance accepted one signed report; both reports wait in intelx.agency.indecopi"
else
    say "both running; Ctrl-C stops them"
    wait "${pids[0]}" "${pids[1]}"
fi
