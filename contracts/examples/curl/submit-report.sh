#!/usr/bin/env bash
# Submits a signed infringement report to IntelExchange and verifies the receipt, with bash, openssl and curl only.
#
#   submit-report.sh [--data DIR] [--url URL] [--tenant ID] [--report FILE]
#
#   --data    data folder holding dev-pki/ (default: $INTELX_DATA or ./.intelx)
#   --url     partner API base URL (default: https://127.0.0.1:5443)
#   --tenant  demo tenant whose certificate and signing key are used (default: ifpi)
#   --report  report to send, byte for byte (default: report.json beside this script, with a fresh externalId)
#
# Prints the exchange's answer, "reportId: <id>" and "receipt verified", or exits non-zero.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=${INTELX_DATA:-./.intelx}
url=https://127.0.0.1:5443
tenant=ifpi
report=

while (($#)); do
  case $1 in
    --data) data=$2; shift 2 ;;
    --url) url=$2; shift 2 ;;
    --tenant) tenant=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done
url=${url%/}
pki=$data/dev-pki
for file in ca.crt "$tenant/client.crt" "$tenant/client.key" "$tenant/signing.key" "$tenant/signing.kid"; do
  [[ -r $pki/$file ]] || { echo "missing $pki/$file: start the exchange once, or pass --data" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "error: $*" >&2; exit 1; }

# --- encodings ---------------------------------------------------------------------------------------------------
b64url() { base64 | tr -d '\n=' | tr '+/' '-_'; }                      # stdin bytes -> base64url, no padding
unb64url() {                                                            # $1 base64url -> stdout bytes
  local s
  s=$(printf '%s' "$1" | tr -- '-_' '+/')
  case $((${#s} % 4)) in 2) s+='==' ;; 3) s+='=' ;; 1) fail "bad base64url" ;; esac
  printf '%s' "$s" | base64 -d
}
hex() { od -An -v -tx1 | tr -d ' \n'; }                                 # stdin bytes -> lowercase hex
unhex() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }      # $1 hex -> stdout bytes
uuid4() {
  local h
  h=$(openssl rand -hex 16)
  printf '%s-%s-4%s-%x%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" $(((16#${h:16:1} & 3) | 8)) "${h:17:3}" "${h:20:12}"
}
json_string() {                                                         # $1 field name; stdin JSON -> first string value
  tr -d '\n\r' | grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | sed -n 1p | sed "s/.*:[[:space:]]*\"\([^\"]*\)\"/\1/"
}

# --- ECDSA signatures: DER (what openssl speaks) <-> raw r||s (what JWS ES256 speaks) ---------------------------
# DER: 30 len 02 rlen r 02 slen s, where each integer is minimal big-endian two's complement: a leading 00 when its
# top bit is set, and shorter than 32 bytes when it happens to start with zero bytes. JWS wants each exactly 32 bytes.
der_to_raw() {                                                          # stdin DER -> stdout 64 raw bytes
  local der pos=2 out='' len value
  der=$(hex)
  [[ ${der:0:2} == 30 ]] || fail "not a DER sequence"
  [[ ${der:2:2} == 81 ]] && pos=4                                       # long-form length (never for P-256, but legal)
  pos=$((pos + 2))
  for integer in r s; do
    [[ ${der:pos:2} == 02 ]] || fail "not a DER integer ($integer)"
    len=$((16#${der:pos+2:2}))
    value=${der:pos+4:len*2}
    pos=$((pos + 4 + len * 2))
    while [[ ${#value} -gt 64 && ${value:0:2} == 00 ]]; do value=${value:2}; done
    ((${#value} <= 64)) || fail "integer longer than 32 bytes"
    out+=$(printf '%64s' "$value" | tr ' ' 0)
  done
  unhex "$out"
}
der_int() {                                                             # $1 64 hex -> DER INTEGER as hex
  local value=$1
  while [[ ${#value} -gt 2 && ${value:0:2} == 00 ]]; do value=${value:2}; done
  [[ ${value:0:1} == [89a-f] ]] && value=00$value
  printf '02%02x%s' $((${#value} / 2)) "$value"
}
raw_to_der() {                                                          # stdin 64 raw bytes -> stdout DER
  local raw body
  raw=$(hex)
  ((${#raw} == 128)) || fail "an ES256 signature is 64 bytes, got $((${#raw} / 2))"
  body=$(der_int "${raw:0:64}")$(der_int "${raw:64:64}")
  unhex "30$(printf '%02x' $((${#body} / 2)))$body"
}

# --- the report: the exact bytes we sign are the bytes we send -------------------------------------------------
body=$work/report.json
if [[ -n $report ]]; then
  cp -- "$report" "$body"
else
  external_id="IFPI-PE-$(date -u +%Y%m%d%H%M%S)-$(openssl rand -hex 3)"
  sed "s/\"externalId\": \"[^\"]*\"/\"externalId\": \"$external_id\"/" "$here/report.json" > "$body"
fi

# --- detached JWS: BASE64URL(header) . BASE64URL(body), ES256, payload part left empty --------------------------
kid=$(tr -d ' \r\n' < "$pki/$tenant/signing.kid")
header="{\"alg\":\"ES256\",\"kid\":\"$kid\",\"iat\":$(date +%s),\"iss\":\"$tenant\",\"jti\":\"$(uuid4)\",\"crit\":[\"iat\",\"iss\",\"jti\"]}"
encoded_header=$(printf '%s' "$header" | b64url)
{ printf '%s.' "$encoded_header"; b64url < "$body"; } > "$work/signing-input"
openssl dgst -sha256 -sign "$pki/$tenant/signing.key" -out "$work/signature.der" "$work/signing-input"
signature=$(der_to_raw < "$work/signature.der" | b64url)
jws="$encoded_header..$signature"

# --- submit over mTLS ---------------------------------------------------------------------------------------------
tls=(--cert "$pki/$tenant/client.crt" --key "$pki/$tenant/client.key" --cacert "$pki/ca.crt" --silent --show-error --max-time 30)
status=$(curl "${tls[@]}" -o "$work/response.json" -w '%{http_code}' -X POST "$url/v1/reports" \
  -H 'Content-Type: application/json' \
  -H "Idempotency-Key: \"$(uuid4)\"" \
  -H "X-JWS-Signature: $jws" \
  --data-binary "@$body")
echo "HTTP $status"
cat "$work/response.json"; echo
[[ $status == 202 ]] || fail "the exchange did not accept the report"

report_id=$(json_string reportId < "$work/response.json")
receipt=$(json_string receipt < "$work/response.json")
[[ -n $report_id && -n $receipt ]] || fail "no reportId or receipt in the answer"
echo "reportId: $report_id"

# --- verify the receipt: a compact ES256 JWS signed by the exchange, key from its JWKS ----------------------------
IFS=. read -r receipt_header receipt_payload receipt_signature <<< "$receipt"
receipt_alg=$(unb64url "$receipt_header" | json_string alg)
receipt_kid=$(unb64url "$receipt_header" | json_string kid)
[[ $receipt_alg == ES256 ]] || fail "receipt alg is '$receipt_alg', expected ES256"

curl "${tls[@]}" --fail -o "$work/jwks.json" "$url/.well-known/jwks.json"
jwk=$(tr -d ' \n\r\t{' < "$work/jwks.json" | tr '}' '\n' | grep -F "\"kid\":\"$receipt_kid\"" | head -n 1) \
  || fail "receipt kid $receipt_kid is not in the JWKS"
[[ $jwk == *'"crv":"P-256"'* ]] || fail "JWK $receipt_kid is not a P-256 key"
x=$(unb64url "$(json_string x <<< "$jwk")" | hex)
y=$(unb64url "$(json_string y <<< "$jwk")" | hex)
((${#x} == 64 && ${#y} == 64)) || fail "JWK coordinates are not 32 bytes each"
# SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 } followed by the uncompressed point 04 || x || y.
unhex "3059301306072a8648ce3d020106082a8648ce3d03010703420004$x$y" > "$work/exchange.der"
openssl pkey -pubin -inform DER -in "$work/exchange.der" -out "$work/exchange.pem"

unb64url "$receipt_signature" | raw_to_der > "$work/receipt.sig"
printf '%s.%s' "$receipt_header" "$receipt_payload" > "$work/receipt.input"
openssl dgst -sha256 -verify "$work/exchange.pem" -signature "$work/receipt.sig" "$work/receipt.input" > /dev/null \
  || fail "receipt signature does not verify"

# A valid signature is only worth something if it covers what we sent, as us.
payload=$(unb64url "$receipt_payload")
body_sha256=$(openssl dgst -sha256 -r "$body" | cut -c1-64)
[[ $(json_string bodySha256 <<< "$payload") == "$body_sha256" ]] || fail "receipt bodySha256 is not the hash of the bytes sent"
[[ $(json_string reportId <<< "$payload") == "$report_id" ]] || fail "receipt names another report"
[[ $(json_string tenant <<< "$payload") == "$tenant" ]] || fail "receipt names another tenant"
echo "receipt: $payload"
echo "receipt verified"
