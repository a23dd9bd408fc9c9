#!/usr/bin/env bash
# Runs the side-by-side benchmark against a real exchange on PostgreSQL (fsync on) and RabbitMQ.
# Usage: bash bench/run.sh [seconds per phase] [workers]
#
# The exchange runs as it ships: `dotnet publish` with ReadyToRun (as the container build does), so start-up time
# is not spent JIT-compiling EF Core and MassTransit. Services already running (deploy/services.sh start) are
# reused and left running; otherwise they are started for the run and stopped after it.
set -euo pipefail
cd "$(dirname "$0")/.."
status="$(bash deploy/services.sh status 2>/dev/null)"
if [[ "$status" == *"postgres: running"* && "$status" == *"rabbitmq: running"* && -s "$(bash deploy/services.sh env)" ]]; then
    echo "bench: reusing running services"
else
    bash deploy/services.sh start
    trap 'bash deploy/services.sh stop' EXIT
fi
. "$(bash deploy/services.sh env)"
OUT=.tmp/bench-publish
dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    api/IntelExchange.Api/IntelExchange.Api.csproj -o "$OUT/api" -nologo -v q
dotnet build -c Release bench/IntelExchange.Bench/IntelExchange.Bench.csproj -nologo -v q
dotnet bench/IntelExchange.Bench/bin/Release/net10.0/IntelExchange.Bench.dll "$OUT/api/IntelExchange.Api.dll" "${1:-10}" "${2:-16}"
