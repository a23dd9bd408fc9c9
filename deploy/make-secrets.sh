#!/usr/bin/env bash
# deploy/make-secrets.sh - the secrets for running IntelExchange outside the embedded default (docker compose,
# Kubernetes): a private PKI, the exchange's receipt key, the first tenant directory, broker and database passwords.
# openssl and bash only. For evaluation and staging: in production the partner CA is the partners' own (or yours, kept
# offline), the server certificate comes from your CA, and passwords come from your secret store.
#
# Usage: deploy/make-secrets.sh [OUT]        (default: deploy/pki; refuses to overwrite an existing ca.key)
# Environment:
#   SERVER_NAMES  DNS names for the server certificate (default "localhost intelx intelx-api api-1 api-2"; 127.0.0.1 is always in)
#   TENANTS       "id:roles" list (roles: reporter, agency, operator, comma-separated)
#                 default "ifpi:reporter indecopi:agency es-mcd:reporter,agency operator:operator"
#   AGREEMENTS    "reporter>agency[*]" list, * = default recipient (default "ifpi>indecopi* ifpi>es-mcd")
#   DAYS          validity of leaf certificates in days (default 397)
#   EXCHANGE_USER, AGENCY_USER_PREFIX, EXCHANGE_PASSWORD, AGENCY_PASSWORD_<ID>, POSTGRES_PASSWORD
#                 broker user names and passwords, as deploy/provision-rabbitmq.sh takes them (defaults intelx-api,
#                 agency-; unset passwords are generated)
#
# Writes, with the dev PKI's file names so the same tools work (contracts/examples/curl/submit-report.sh --data):
#   OUT/ca.crt, OUT/ca.key                   partner CA (Tls:PartnerCaCertificates) - keep ca.key offline
#   OUT/server.crt, OUT/server.key           the exchange's TLS certificate (Tls:ServerCertificate, Tls:ServerKey)
#   OUT/receipt.key                          the exchange's receipt signing key, EC P-256 PKCS#8 (Signing:ReceiptKey)
#   OUT/<tenant>/client.crt, client.key      the tenant's mTLS client certificate and key
#   OUT/<tenant>/signing.key, signing.kid    the tenant's ES256 report signing key and its kid (RFC 7638 thumbprint)
#   OUT/bootstrap.sql                        registers the tenants, their certificates (SHA-256 thumbprints), signing
#                                            keys and agreements in PostgreSQL, idempotently, and bumps the directory
#                                            version so running instances reload within a second
#   OUT/rabbitmq-definitions.json            deploy/rabbitmq/definitions.json with the users' password hashes filled in
#   OUT/compose.env                          the passwords, for docker compose (--env-file) and kubectl create secret
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/pki}
server_names=${SERVER_NAMES:-localhost intelx intelx-api api-1 api-2}
tenants=${TENANTS:-ifpi:reporter indecopi:agency es-mcd:reporter,agency operator:operator}
agreements=${AGREEMENTS:-ifpi>indecopi* ifpi>es-mcd}
days=${DAYS:-397}

command -v openssl >/dev/null || { echo "make-secrets: openssl not found" >&2; exit 1; }
[[ -e $out/ca.key ]] && { echo "make-secrets: $out/ca.key exists; refusing to overwrite a CA (remove $out to start again)" >&2; exit 2; }
mkdir -p "$out"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

b64url() { base64 -w0 | tr -d '=' | tr '+/' '-_'; }
unhex() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
sql() { printf "'%s'" "${1//\'/\'\'}"; }
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
password() { openssl rand -base64 24 | tr -d '\n=' | tr '+/' 'AB'; }
# RabbitMQ's rabbit_password_hashing_sha256: base64(salt || SHA-256(salt || password)), 4 random bytes of salt
rabbit_hash() {
  local salt
  salt=$(openssl rand -hex 4)
  { unhex "$salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary > "$work/hash"
  { unhex "$salt"; cat "$work/hash"; } | base64 -w0
}

# --- partner CA ---------------------------------------------------------------------------------------------------
newkey "$out/ca.key"
openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/O=IntelExchange/CN=IntelExchange Partner CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out "$out/ca.crt"

issue() { # issue NAME KEY CERT EXTFILE
  openssl req -new -key "$2" -subj "/O=IntelExchange/CN=$1" -out "$work/req.csr"
  openssl x509 -req -in "$work/req.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -set_serial "0x$(openssl rand -hex 16 | sed 's/^[89a-f]/7/')" \
    -days "$days" -sha256 -extfile "$4" -out "$3" 2>/dev/null
}

# --- server certificate --------------------------------------------------------------------------------------------
san="IP:127.0.0.1,IP:::1"
for name in $server_names; do san+=",DNS:$name"; done
cat > "$work/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
newkey "$out/server.key"
issue "intelx" "$out/server.key" "$out/server.crt" "$work/server.ext"
newkey "$out/receipt.key"

# --- tenants -------------------------------------------------------------------------------------------------------
cat > "$work/client.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
  echo "-- IntelExchange first directory, written by deploy/make-pki.sh on $now. Apply after the migrations:"
  echo "--   psql \"\$DATABASE_URL\" -v ON_ERROR_STOP=1 -f bootstrap.sql"
  echo "BEGIN;"
} > "$out/bootstrap.sql"
for entry in $tenants; do
  id=${entry%%:*}
  roles=${entry#*:}
  [[ $id =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || { echo "make-secrets: invalid tenant id '$id'" >&2; exit 2; }
  flags=0
  for role in ${roles//,/ }; do
    case $role in reporter) flags=$((flags | 1)) ;; agency) flags=$((flags | 2)) ;; operator) flags=$((flags | 4)) ;;
      *) echo "make-secrets: unknown role '$role' for $id" >&2; exit 2 ;; esac
  done
  mkdir -p "$out/$id"
  newkey "$out/$id/client.key"
  issue "$id" "$out/$id/client.key" "$out/$id/client.crt" "$work/client.ext"
  newkey "$out/$id/signing.key"

  thumbprint=$(openssl x509 -in "$out/$id/client.crt" -outform DER | openssl dgst -sha256 -r | cut -c1-64)
  subject=$(openssl x509 -in "$out/$id/client.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
  not_before=$(iso "$(openssl x509 -in "$out/$id/client.crt" -noout -startdate | cut -d= -f2)")
  not_after=$(iso "$(openssl x509 -in "$out/$id/client.crt" -noout -enddate | cut -d= -f2)")
  # RFC 7638 over the uncompressed point 04 || x || y at the end of the SubjectPublicKeyInfo
  point=$(openssl pkey -in "$out/$id/signing.key" -pubout -outform DER | tail -c 65 | od -An -v -tx1 | tr -d ' \n')
  x=$(unhex "${point:2:64}" | b64url)
  y=$(unhex "${point:66:64}" | b64url)
  kid=$(printf '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' "$x" "$y" | openssl dgst -sha256 -binary | b64url)
  printf '%s\n' "$kid" > "$out/$id/signing.kid"
  public_pem=$(openssl pkey -in "$out/$id/signing.key" -pubout)

  cat >> "$out/bootstrap.sql" <<SQL
INSERT INTO "Tenants" ("Id", "Name", "Roles", "Suspended", "CreatedAt") VALUES ($(sql "$id"), $(sql "$id"), $flags, false, '$now') ON CONFLICT DO NOTHING;
INSERT INTO "ClientCredentials" ("Thumbprint", "TenantId", "Subject", "NotBefore", "NotAfter", "RegisteredAt")
  VALUES ('$thumbprint', $(sql "$id"), $(sql "$subject"), '$not_before', '$not_after', '$now') ON CONFLICT DO NOTHING;
INSERT INTO "SigningKeys" ("Kid", "TenantId", "PublicKeyPem", "RegisteredAt") VALUES ('$kid', $(sql "$id"), $(sql "$public_pem"), '$now') ON CONFLICT DO NOTHING;
SQL
done
for agreement in $agreements; do
  reporter=${agreement%%>*}
  agency=${agreement#*>}
  is_default=false
  [[ $agency == *'*' ]] && { agency=${agency%'*'}; is_default=true; }
  echo "INSERT INTO \"SharingAgreements\" (\"ReporterId\", \"AgencyId\", \"IsDefault\", \"CreatedAt\") VALUES ($(sql "$reporter"), $(sql "$agency"), $is_default, '$now') ON CONFLICT DO NOTHING;" >> "$out/bootstrap.sql"
done
{
  echo 'UPDATE "DirectoryStates" SET "Version" = "Version" + 1 WHERE "Id" = 1;'
  echo "COMMIT;"
} >> "$out/bootstrap.sql"
# --- broker and database passwords ----------------------------------------------------------------------------------
exchange_user=${EXCHANGE_USER:-intelx-api}
agency_prefix=${AGENCY_USER_PREFIX:-agency-}
exchange_password=${EXCHANGE_PASSWORD:-$(password)}
postgres_password=${POSTGRES_PASSWORD:-$(password)}
definitions=$(sed "s|\"name\": \"intelx-api\", \"password_hash\": \"\"|\"name\": \"$exchange_user\", \"password_hash\": \"$(rabbit_hash "$exchange_password")\"|" \
  "$here/rabbitmq/definitions.json")
definitions=${definitions//\"user\": \"intelx-api\"/\"user\": \"$exchange_user\"}
{
  echo "# written by deploy/make-secrets.sh on $now - keep it secret"
  echo "INTELX_POSTGRES_PASSWORD=$postgres_password"
  echo "INTELX_RABBITMQ_USER=$exchange_user"
  echo "INTELX_RABBITMQ_PASSWORD=$exchange_password"
} > "$out/compose.env"
for agency in $(grep -o '"name": "agency-[a-z0-9-]*"' "$here/rabbitmq/definitions.json" | sed 's/"name": "agency-\(.*\)"/\1/'); do
  var="AGENCY_PASSWORD_$(printf '%s' "$agency" | tr 'a-z-' 'A-Z_')"
  agency_password=${!var:-$(password)}
  definitions=${definitions//\"name\": \"agency-$agency\", \"password_hash\": \"\"/\"name\": \"$agency_prefix$agency\", \"password_hash\": \"$(rabbit_hash "$agency_password")\"}
  definitions=${definitions//\"user\": \"agency-$agency\"/\"user\": \"$agency_prefix$agency\"}
  echo "$var=$agency_password" >> "$out/compose.env"
done
printf '%s\n' "$definitions" > "$out/rabbitmq-definitions.json"
grep -q '"password_hash": ""' "$out/rabbitmq-definitions.json" && { echo "make-secrets: a broker user was left without a password" >&2; exit 1; }

chmod 644 "$out"/*.crt "$out"/*/client.crt "$out"/*/signing.kid "$out/bootstrap.sql"
echo "make-secrets: wrote $out (CA, server certificate for: 127.0.0.1 ${server_names}; receipt key; tenants: ${tenants};"
echo "  bootstrap.sql; rabbitmq-definitions.json and compose.env with the passwords of $exchange_user, ${agency_prefix}<agency>, postgres)"
