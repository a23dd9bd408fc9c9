#!/usr/bin/env bash
# deploy/count-trx.sh - sum the results of VSTest TRX files and print "N passed, N failed[, N skipped]" as the last line.
#
# Usage: deploy/count-trx.sh [--dotnet-rc N] [--expect ASSEMBLY]... PATH...
#   PATH          .trx files, or directories searched recursively for *.trx
#   --dotnet-rc   exit code of `dotnet test`; non-zero makes the run fail (and counts as 1 failed if no test failed)
#   --expect      test assembly that must have produced a TRX; a missing one (crashed testhost, build failure)
#                 counts as 1 failed. TRX files without any test (e.g. nothing matched --filter) cannot be attributed
#                 to an assembly and are credited against the missing ones.
#
# Per TRX it reads <Counters total passed failed error timeout aborted .../> and <ResultSummary outcome=...>:
#   passed  = passed
#   failed  = failed + error + timeout + aborted; +1 if the run itself failed (run-level error such as a testhost
#             crash: outcome Failed/Error/Aborted) while no test was counted as failed
#   skipped = total - passed - failed (VSTest counts skipped tests in total only)
# Exit status: 0 only if nothing failed, the dotnet rc was 0 and at least one test passed or failed (ran).
set -uo pipefail

rc_dotnet=0
expect=()
paths=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dotnet-rc) rc_dotnet="${2:-1}"; shift 2 ;;
        --expect) expect+=("${2:-}"); shift 2 ;;
        --) shift; paths+=("$@"); break ;;
        *) paths+=("$1"); shift ;;
    esac
done

# attribute value from an XML start tag given on stdin
attr() { sed -n "s/.*[[:space:]]$1=\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }
num() { local v; v="$(attr "$1" <<<"$2")"; [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0; }

files=()
for p in "${paths[@]}"; do
    if [[ -d "$p" ]]; then
        while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$p" -type f -name '*.trx' -print0 | sort -z)
    elif [[ -f "$p" ]]; then
        files+=("$p")
    fi
done

P=0 F=0 S=0 unnamed=0
seen=()
for f in "${files[@]}"; do
    flat="$(tr '\r\n' '  ' <"$f")"
    counters="$(grep -o '<Counters[[:space:]][^>]*>' <<<"$flat" | head -n 1)"
    summary="$(grep -o '<ResultSummary[[:space:]][^>]*>' <<<"$flat" | head -n 1)"
    outcome="$(attr outcome <<<"$summary")"
    code="$(grep -o 'codeBase="[^"]*"' <<<"$flat" | head -n 1 | sed 's/^codeBase="//; s/"$//')"
    [[ -n "$code" ]] || code="$(grep -o '<UnitTest[[:space:]][^>]*storage="[^"]*"' <<<"$flat" | head -n 1 | sed 's/.*storage="//; s/"$//')"
    # no test result (e.g. the testhost crashed before reporting one): xUnit's "Starting:    <assembly>" line in StdOut
    [[ -n "$code" ]] || code="$(grep -o 'Starting:[[:space:]]*[^[:space:]<&]*' <<<"$flat" | head -n 1 | sed 's/^Starting:[[:space:]]*//')"
    name="${code##*[/\\]}"; name="${name%.[dD][lL][lL]}"; name="${name%.[eE][xX][eE]}"
    if [[ -z "$counters" ]]; then
        printf '  %s: unreadable TRX (no <Counters>) -> 1 failed\n' "${name:-$(basename "$f")}"
        F=$((F + 1)); [[ -n "$name" ]] && seen+=("$name") || unnamed=$((unnamed + 1))
        continue
    fi
    total=$(num total "$counters"); p=$(num passed "$counters")
    fl=$(( $(num failed "$counters") + $(num error "$counters") + $(num timeout "$counters") + $(num aborted "$counters") ))
    s=$((total - p - fl)); ((s < 0)) && s=0
    note=""
    case "$outcome" in
        Failed|Error|Aborted|Timeout)
            if ((fl == 0)); then fl=1; note=" (run $outcome without a failed test: run-level error, e.g. testhost crash)"; fi ;;
    esac
    if [[ -n "$name" ]]; then seen+=("$name"); else name="$(basename "$f") (no tests)"; unnamed=$((unnamed + 1)); fi
    printf '  %s: %d passed, %d failed, %d skipped [%s]%s\n' "$name" "$p" "$fl" "$s" "${outcome:-?}" "$note"
    P=$((P + p)); F=$((F + fl)); S=$((S + s))
done

missing=()
for e in "${expect[@]}"; do
    [[ -n "$e" ]] || continue
    found=0
    for n in "${seen[@]}"; do [[ "${n,,}" == "${e,,}" ]] && { found=1; break; }; done
    ((found)) || missing+=("$e")
done
if ((${#missing[@]} > unnamed)); then
    for e in "${missing[@]}"; do printf '  %s: no TRX (testhost crashed or the project did not build)\n' "$e"; done
    F=$((F + ${#missing[@]} - unnamed))
fi

status=0
if [[ "$rc_dotnet" != 0 ]]; then
    status=1
    if ((F == 0)); then
        F=1
        printf '  dotnet test exited with %s although no test failed (build error, crash or timeout?) -> 1 failed\n' "$rc_dotnet"
    fi
fi
((F > 0)) && status=1
if ((P + F == 0)); then
    printf '  no test ran (%d TRX file(s))\n' "${#files[@]}"
    status=1
fi

if ((S > 0)); then echo "$P passed, $F failed, $S skipped"; else echo "$P passed, $F failed"; fi
exit "$status"
