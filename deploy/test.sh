#!/usr/bin/env bash
# deploy/test.sh - the one test command (also what CI runs via .ci/run). Works on a fresh Debian 12 machine as root.
#
#   1. deploy/services.sh start   (installs rabbitmq-server if missing; throwaway RabbitMQ + PostgreSQL 15 on 127.0.0.1)
#   2. sources its env file       (INTELX_TEST_POSTGRES, INTELX_TEST_RABBITMQ, INTELX_TEST_RABBITMQ_MANAGEMENT, ...)
#   3. dotnet test IntelExchange.sln -c Release with INTELX_REQUIRE_SERVICES=1 (service-backed tests fail, not skip)
#   4. stops the services again (also on error/Ctrl-C), then prints a per-project summary from the TRX files and,
#      as the very last line, "N passed, N failed" (", N skipped" appended when some were skipped).
#
# Usage: deploy/test.sh [extra dotnet test args, e.g. --filter "FullyQualifiedName~Intake"]
# Environment:
#   INTELX_TEST_RESULTS    TRX directory (default <repo>/.tmp/test-results, emptied first)
#   INTELX_TEST_TIMEOUT    seconds before the whole dotnet test run is killed (default 2700)
#   INTELX_KEEP_SERVICES=1 leave the services running afterwards
#   INTELX_SERVICES_DIR    state dir of deploy/services.sh (default <repo>/.tmp/services, see there)
# Exit status: non-zero if a test failed, a test project produced no TRX, dotnet test failed, or no test ran.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO" || exit 1
SOLUTION="IntelExchange.sln"
RESULTS="${INTELX_TEST_RESULTS:-$REPO/.tmp/test-results}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf 'test: %s\n' "$*" >&2; }

services_stopped=0
stop_services() {
    ((services_stopped)) && return 0
    services_stopped=1
    if [[ "${INTELX_KEEP_SERVICES:-0}" == 1 ]]; then say "INTELX_KEEP_SERVICES=1: leaving services running"; return 0; fi
    bash "$REPO/deploy/services.sh" stop || true
}
dotnet_pid=""
# shellcheck disable=SC2317
on_signal() {
    [[ -n "$dotnet_pid" ]] && kill -TERM "$dotnet_pid" 2>/dev/null
    exit 130
}
trap stop_services EXIT
trap on_signal INT TERM HUP

# test assemblies the solution should produce a TRX for (csproj referencing Microsoft.NET.Test.Sdk / IsTestProject)
test_assemblies() {
    local proj asm
    grep -oE '"[^"]*\.csproj"' "$SOLUTION" | tr -d '"' | tr '\\' '/' | while IFS= read -r proj; do
        [[ -f "$proj" ]] || continue
        grep -qiE 'Microsoft\.NET\.Test\.Sdk|<IsTestProject>[[:space:]]*true' "$proj" || continue
        asm="$(sed -n 's:.*<AssemblyName>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</AssemblyName>.*:\1:p' "$proj" | head -n 1)"
        echo "${asm:-$(basename "$proj" .csproj)}"
    done
}

t0=$SECONDS
if ! bash "$REPO/deploy/services.sh" start; then
    say "starting the services failed (see above)"
    exit 1
fi
ENV_FILE="$(bash "$REPO/deploy/services.sh" env)"
# shellcheck disable=SC1090
. "$ENV_FILE" || { say "cannot read $ENV_FILE"; exit 1; }
export INTELX_REQUIRE_SERVICES=1

case "$RESULTS" in /|"$REPO"|"") say "refusing to use RESULTS=$RESULTS"; exit 1 ;; esac
rm -rf "$RESULTS" && mkdir -p "$RESULTS" || exit 1

expect_args=()
while IFS= read -r a; do [[ -n "$a" ]] && expect_args+=(--expect "$a"); done < <(test_assemblies)

say "dotnet test $SOLUTION -c Release $* (results: $RESULTS)"
# in the background so a signal can stop it; timeout puts dotnet and its testhosts in its own process group
timeout --kill-after=30 "${INTELX_TEST_TIMEOUT:-2700}" \
    dotnet test "$SOLUTION" -c Release --logger "trx;LogFilePrefix=r" --results-directory "$RESULTS" "$@" </dev/null &
dotnet_pid=$!
wait "$dotnet_pid"
rc=$?
dotnet_pid=""
[[ $rc == 124 ]] && say "dotnet test timed out after ${INTELX_TEST_TIMEOUT:-2700} s"
say "dotnet test exited with $rc after $((SECONDS - t0)) s in total"

# stop now, so that nothing is printed after the summary line
stop_services

echo "Test summary (TRX files in $RESULTS):"
bash "$REPO/deploy/count-trx.sh" --dotnet-rc "$rc" "${expect_args[@]}" "$RESULTS"
exit $?
