#!/usr/bin/env bash
# Lints openapi.yaml with Spectral (OAS ruleset + OWASP API Security ruleset, see .ci/spectral/.spectral.yaml).
# Exits non-zero on any error-severity finding. Installs the pinned linters with npm ci on first use (about 10 s).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/spectral"
if [[ ! -x node_modules/.bin/spectral ]]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
exec node_modules/.bin/spectral lint "$here/../openapi.yaml" --ruleset .spectral.yaml --fail-severity error -f text "$@"
