#!/usr/bin/env bash
# Runs the side-by-side benchmark against a real exchange on PostgreSQL (fsync on) and RabbitMQ.
# Usage: bash bench/run.sh [seconds per phase] [workers]
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/services.sh start
trap 'bash deploy/services.sh stop' EXIT
. "$(bash deploy/services.sh env)"
dotnet build -c Release api/IntelExchange.Api/IntelExchange.Api.csproj -nologo -v q
dotnet build -c Release bench/IntelExchange.Bench/IntelExchange.Bench.csproj -nologo -v q
dotnet bench/IntelExchange.Bench/bin/Release/net10.0/IntelExchange.Bench.dll \
    api/IntelExchange.Api/bin/Release/net10.0/IntelExchange.Api.dll "${1:-10}" "${2:-16}"
