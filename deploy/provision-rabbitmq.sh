#!/usr/bin/env bash
# deploy/provision-rabbitmq.sh - provision a RabbitMQ vhost for IntelExchange with per-agency isolation.
# Uses rabbitmqctl only (run as root or as the rabbitmq user on the broker host). Idempotent.
#
# Usage:
#   [VHOST=intelx] [EXCHANGE_USER=intelx-api] [EXCHANGE_PASSWORD=...] [AGENCIES="indecopi es-mcd"] \
#   [AGENCY_PASSWORD_INDECOPI=...] [AGENCY_PASSWORD_ES_MCD=...] [AGENCY_USER_PREFIX=agency-] \
#   [RABBITMQ_NODE=rabbit@host] deploy/provision-rabbitmq.sh [AGENCY_ID ...]
#
#   Agency ids come from the arguments, else from $AGENCIES. An id is lower-case letters, digits and inner '-'.
#   The password of agency <id> comes from AGENCY_PASSWORD_<ID> (id upper-cased, '-' -> '_'), e.g.
#   AGENCY_PASSWORD_ES_MCD for es-mcd; EXCHANGE_PASSWORD for the API user. When that variable is unset:
#   a new user gets a random password, printed once; an existing user keeps its password.
#   Passwords are passed to rabbitmqctl on stdin, never on a command line.
#
# What it creates (and nothing else - no exchanges, queues or bindings are declared):
#   - vhost $VHOST
#   - user $EXCHANGE_USER (the API): configure '.*'  write '.*'  read '.*'  on $VHOST
#   - per agency <id>: user ${AGENCY_USER_PREFIX}<id>, no tags, and on $VHOST (<re> = <id> with regex metacharacters
#     escaped):
#       configure  ^(intelx\.agency\.<re>(_error|_skipped)?|.*_bus_.*)$
#       write      ^(intelx\.agency\.<re>(_error|_skipped)?|.*_bus_.*)$
#       read       ^(intelx\.agency\.<re>(_error|_skipped)?|.*_bus_.*)$
#     RabbitMQ matches each regex against a queue or an exchange name:
#       intelx.agency.<id>                    the agency's queue and MassTransit's same-named fanout exchange bound to it:
#                                             declare (configure), bind exchange->queue (write queue, read exchange),
#                                             consume (read queue), re-deliver to it (write exchange)
#       intelx.agency.<id>_error / _skipped   MassTransit's fault and dead-letter queue+exchange for that endpoint:
#                                             declared and written to by the consumer, readable for re-drive
#       .*_bus_.*                             the temporary bus endpoint (queue + exchange) MassTransit creates for
#                                             each bus instance: <machine>_<process>_bus_<id>, auto-delete
#     The suffix list is exact (not `<id>.*`), so agency "es" gets nothing on "es-mcd"'s queue.
#     Residual exposure: every agency may configure/read/write names matching `.*_bus_.*`, i.e. other clients'
#     temporary bus endpoints (names are random and short-lived). Agency ids cannot contain '_', so an agency queue
#     never matches that alternative.
#   Consequences for agency consumers: they cannot declare or publish to message-type exchanges
#   (e.g. "IntelExchange.Contracts:CaseAssigned", "MassTransit:Fault--...--"). Configure their receive endpoint with
#   ConfigureConsumeTopology = false and do not publish Fault<T> from it (e.g. PublishFaults = false), or RabbitMQ
#   closes the channel with ACCESS_REFUSED. The API (EXCHANGE_USER) sends to exchange/queue intelx.agency.<id>.
set -euo pipefail

VHOST="${VHOST:-intelx}"
EXCHANGE_USER="${EXCHANGE_USER:-intelx-api}"
AGENCY_USER_PREFIX="${AGENCY_USER_PREFIX:-agency-}"
if [[ $# -gt 0 ]]; then AGENCY_IDS=("$@"); else read -r -a AGENCY_IDS <<<"${AGENCIES:-indecopi es-mcd}"; fi

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac
command -v rabbitmqctl >/dev/null 2>&1 || { echo "provision: rabbitmqctl not found" >&2; exit 1; }

ctl() {
    if [[ -n "${RABBITMQ_NODE:-}" ]]; then
        timeout 120 rabbitmqctl -n "$RABBITMQ_NODE" -q "$@"
    else
        timeout 120 rabbitmqctl -q "$@"
    fi
}

say() { printf 'provision: %s\n' "$*"; }

gen_password() { head -c 24 /dev/urandom | base64 | tr -d '\n=' | tr '+/' 'AB'; }

# escape regex metacharacters (ids are validated, this is belt and braces)
re_escape() { printf '%s' "$1" | sed -e 's/[][\.*^$+?(){}|/]/\\&/g'; }

for id in "${AGENCY_IDS[@]}"; do
    [[ "$id" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || { echo "provision: invalid agency id '$id'" >&2; exit 2; }
done
[[ -n "$VHOST" && -n "$EXCHANGE_USER" ]] || { echo "provision: VHOST and EXCHANGE_USER must not be empty" >&2; exit 2; }

# one listing up front; also proves the node is reachable
if ! USERS="$(ctl list_users --no-table-headers | awk '{print $1}')"; then
    echo "provision: cannot reach the RabbitMQ node${RABBITMQ_NODE:+ $RABBITMQ_NODE} with rabbitmqctl" >&2
    exit 1
fi

user_exists() { grep -qxF -- "$1" <<<"$USERS"; }

# ensure_user NAME PASSWORD_VAR_NAME
ensure_user() {
    local user="$1" var="$2" pw="${!2:-}"
    if user_exists "$user"; then
        if [[ -n "$pw" ]]; then
            if ctl authenticate_user "$user" "$pw" >/dev/null 2>&1; then
                say "user $user: exists, password from \$$var already set"
            else
                printf '%s\n' "$pw" | ctl change_password "$user" >/dev/null
                say "user $user: exists, password changed from \$$var"
            fi
        else
            say "user $user: exists, password unchanged (\$$var not set)"
        fi
    else
        local generated=""
        if [[ -z "$pw" ]]; then pw="$(gen_password)"; generated=1; fi
        printf '%s\n' "$pw" | ctl add_user "$user" >/dev/null
        USERS="$USERS"$'\n'"$user"
        if [[ -n "$generated" ]]; then
            say "user $user: created with generated password (shown once, store it now): $pw"
        else
            say "user $user: created with password from \$$var"
        fi
    fi
}

ctl add_vhost "$VHOST" >/dev/null   # idempotent
say "vhost $VHOST: present"

ensure_user "$EXCHANGE_USER" EXCHANGE_PASSWORD
ctl set_permissions -p "$VHOST" "$EXCHANGE_USER" '.*' '.*' '.*' >/dev/null
say "permissions $EXCHANGE_USER on $VHOST: configure='.*' write='.*' read='.*'"

for id in "${AGENCY_IDS[@]}"; do
    user="${AGENCY_USER_PREFIX}${id}"
    var="AGENCY_PASSWORD_$(printf '%s' "$id" | tr 'a-z-' 'A-Z_')"
    re="$(re_escape "$id")"
    own="intelx\\.agency\\.${re}(_error|_skipped)?"
    perm="^(${own}|.*_bus_.*)\$"
    ensure_user "$user" "$var"
    ctl set_user_tags "$user" >/dev/null   # no management/administrator tags for agencies
    ctl set_permissions -p "$VHOST" "$user" "$perm" "$perm" "$perm" >/dev/null
    say "permissions $user on $VHOST: configure=write=read='$perm' (queue intelx.agency.$id)"
    others="$(ctl list_user_permissions "$user" --no-table-headers | awk -v v="$VHOST" '$1 != v {print $1}' | paste -sd, -)"
    [[ -z "$others" ]] || say "warning: $user also has permissions on other vhosts: $others (left untouched)"
done
say "done: vhost $VHOST, API user $EXCHANGE_USER, ${#AGENCY_IDS[@]} agency user(s)"
