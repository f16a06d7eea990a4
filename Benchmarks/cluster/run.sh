#!/usr/bin/env bash
# Scale-out benchmark (issue 15): acknowledged deliveries per second and runs completed per second with
# every delivery starting a run (`pr-unit`, whose step calls a Test-Bench stand-in that answers at
# once), for one node on SQLite, one node on PostgreSQL, two nodes on one PostgreSQL, and Debian's
# `webhook` (adnanh/webhook 2.8) verifying the same HMAC, interleaved in the same run.
#
#   Benchmarks/cluster/run.sh
#
# Settings (environment): REPEAT=3 CONNECTIONS=32 DURATION=10s PAYLOAD=<corpus pull_request, 28 KB>
#   OUR_PORT=18080 (the second node: OUR_PORT+1) WEBHOOK_PORT=19000 TESTBENCH_PORT=18090
#   PG_URL=postgres://user@host:port/db of a server to use (a database per measurement is created and
#   dropped there); unset: a throw-away cluster is started on 127.0.0.1:$PG_PORT (55433) with Debian's
#   PostgreSQL, as the `postgres` user when run as root, with the server's defaults (fsync and
#   synchronous_commit on).
#   SKIP_BUILD=1 to use the existing release binaries. BENCH_OUT=<dir for raw outputs>.
#
# With two nodes, wrk runs twice at once, each with half the connections, one per node; the rates add.
# Only 127.0.0.1 is used. Every process started here is stopped on exit, by its pid.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ingress="$repo/Benchmarks/ingress"

REPEAT=${REPEAT:-3}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
OUR_PORT=${OUR_PORT:-18080}
WEBHOOK_PORT=${WEBHOOK_PORT:-19000}
TESTBENCH_PORT=${TESTBENCH_PORT:-18090}
PG_PORT=${PG_PORT:-55433}
PAYLOAD=${PAYLOAD:-$repo/Tests/Fixtures/corpus/github/pull_request.opened.payload.json}
BENCH_OUT=${BENCH_OUT:-$(mktemp -d /tmp/copilot-cluster-results.XXXXXX)}

die() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }
for tool in wrk webhook psql openssl curl sqlite3; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[[ -r $PAYLOAD ]] || die "payload $PAYLOAD not readable"

work=$(mktemp -d /tmp/copilot-cluster-bench.XXXXXX)
mkdir -p "$BENCH_OUT"
started_pids=()
# shellcheck source=../lib.sh
source "$repo/Benchmarks/lib.sh"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_postgres=()
[[ $(id -u) == 0 ]] && as_postgres=(runuser -u postgres --)
cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
    if [[ -d $work/pg ]]; then "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- binaries, PostgreSQL, stand-in ----------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$repo" && swift build -c release --product copilot-agent >&2 && swift build -c release --product copilot-bench >&2)
fi
bin_dir=$(cd "$repo" && swift build -c release --show-bin-path)
bin=$bin_dir/copilot-agent
[[ -x $bin && -x $bin_dir/copilot-bench ]] || die "no release binaries in $bin_dir"

if [[ -z ${PG_URL:-} ]]; then
    [[ -n $pg_bin ]] || die "no PostgreSQL server binaries (apt-get install postgresql), or set PG_URL"
    mkdir "$work/pg"
    [[ ${#as_postgres[@]} -gt 0 ]] && chown postgres "$work/pg" && chmod 755 "$work"
    "${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pg" -A trust -U copilot >/dev/null
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $work/pg -c max_connections=200" start >/dev/null
    PG_URL="postgres://copilot@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
fi
pg_admin=${PG_URL%%\?*}

"$bin_dir/copilot-bench" testbench --port "$TESTBENCH_PORT" >"$work/testbench.log" 2>&1 &
started_pids+=("$!")

export BENCH_GITHUB_SECRET=${BENCH_GITHUB_SECRET:-$(openssl rand -hex 32)}
BENCH_SIGNATURE="sha256=$(openssl dgst -sha256 -hmac "$BENCH_GITHUB_SECRET" -r <"$PAYLOAD" | cut -d' ' -f1)"
export BENCH_PAYLOAD=$PAYLOAD BENCH_SIGNATURE
mkdir -p "$work/playbooks"
cp "$ingress/pr-unit.yaml" "$work/playbooks/pr-unit.yaml"
config="$work/bench-config.yaml"
{ cat "$ingress/bench-config.yaml"; printf '\nintegrations:\n  testbench: { url: "http://127.0.0.1:%s" }\n' "$TESTBENCH_PORT"; } >"$config"

# --- helpers ---------------------------------------------------------------------------------------

node_pids=()
start_node() {  # $1 port, $2 storage URL, $3 log file
    env -i PATH="$PATH" HOME="$HOME" BENCH_GITHUB_SECRET="$BENCH_GITHUB_SECRET" \
        COPILOT_SERVER_PORT="$1" COPILOT_STORAGE_URL="$2" COPILOT_PLAYBOOKS_DIR="$work/playbooks" \
        "$bin" serve --config "$config" >"$3" 2>&1 &
    node_pids+=("$!")
    started_pids+=("$!")
}
wait_ready() {  # $1 URL of /readyz, $2 log
    for _ in $(seq 1 300); do
        curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$2" >&2
    die "not ready: $1"
}
stop_nodes() { local pid; for pid in "${node_pids[@]}"; do stop_pid "$pid"; done; node_pids=(); }

# wrk against each URL at once, the connections split among them; prints "accepted duration_us".
run_wrk() {  # $1 name, $2.. URLs
    local name=$1 index=0 pids=() url
    shift
    local connections=$((CONNECTIONS / $#))
    for url in "$@"; do
        BENCH_RUN_ID="$name-$index-$RANDOM" BENCH_STATUS_FILE="$BENCH_OUT/$name-$index.status" BENCH_THREADS=1 \
            timeout 600 wrk -t1 -c"$connections" -d"$DURATION" --latency -s "$ingress/github.lua" "$url" \
            >"$BENCH_OUT/$name-$index.txt" 2>&1 &
        pids+=("$!")
        index=$((index + 1))
    done
    for pid in "${pids[@]}"; do wait "$pid" || die "wrk failed ($name)"; done
    local accepted=0 duration=0 other file
    for file in "$BENCH_OUT/$name"-*.status; do
        other=$(status_field "$file" other)
        [[ $other == 0 ]] || die "$other non-202 responses in $name ($(status_field "$file" codes))"
        accepted=$((accepted + $(status_field "$file" accepted_202)))
        duration=$(( $(status_field "$file" duration_us) > duration ? $(status_field "$file" duration_us) : duration ))
    done
    echo "$accepted $duration"
}

per_second() { awk -v n="$1" -v d="$2" 'BEGIN { printf "%.0f", n / (d / 1e6) }'; }

measure_ours() {  # $1 mode (sqlite-1 | pg-1 | pg-2), $2 round
    local mode=$1 round=$2 url count_sql database
    local name="$mode-$round"
    if [[ $mode == sqlite-1 ]]; then
        mkdir -p "$work/$name"
        url="sqlite://$work/$name/copilot.db"
    else
        database="bench_${mode//-/_}_$round"
        psql -q "$pg_admin" -c "CREATE DATABASE $database" >/dev/null
        url="${pg_admin%/*}/$database?sslmode=disable"
    fi
    start_node "$OUR_PORT" "$url" "$BENCH_OUT/$name-node1.log"
    wait_ready "http://127.0.0.1:$OUR_PORT/readyz" "$BENCH_OUT/$name-node1.log"
    local urls=("http://127.0.0.1:$OUR_PORT/webhooks/github")
    if [[ $mode == pg-2 ]]; then
        start_node "$((OUR_PORT + 1))" "$url" "$BENCH_OUT/$name-node2.log"
        wait_ready "http://127.0.0.1:$((OUR_PORT + 1))/readyz" "$BENCH_OUT/$name-node2.log"
        urls+=("http://127.0.0.1:$((OUR_PORT + 1))/webhooks/github")
    fi
    sleep 1
    read -r accepted duration < <(run_wrk "$name" "${urls[@]}")
    # Runs finished while wrk ran, read at once beside the running nodes.
    count_sql="select count(*) from runs where status = 'succeeded'"
    local succeeded failed
    if [[ $mode == sqlite-1 ]]; then
        succeeded=$(sqlite3 "$work/$name/copilot.db" "$count_sql")
    else
        succeeded=$(psql -Atq "${url%%\?*}" -c "$count_sql")
    fi
    stop_nodes
    if [[ $mode == sqlite-1 ]]; then
        stored=$(sqlite3 "$work/$name/copilot.db" 'select count(*) from events')
        failed=$(sqlite3 "$work/$name/copilot.db" "select count(*) from runs where status = 'failed'")
        rm -rf "${work:?}/$name"
    else
        stored=$(psql -Atq "${url%%\?*}" -c 'select count(*) from events')
        failed=$(psql -Atq "${url%%\?*}" -c "select count(*) from runs where status = 'failed'")
        psql -q "$pg_admin" -c "DROP DATABASE $database WITH (FORCE)" >/dev/null
    fi
    ((stored >= accepted)) || die "$name: $accepted acknowledged, $stored stored"
    ((failed == 0)) || die "$name: $failed runs failed"
    echo "$(per_second "$accepted" "$duration") $(per_second "$succeeded" "$duration")"
}

measure_webhook() {  # $1 round
    webhook -hooks "$ingress/hooks.json" -template -ip 127.0.0.1 -port "$WEBHOOK_PORT" -nopanic >"$work/webhook.log" 2>&1 &
    local pid=$!
    started_pids+=("$pid")
    for _ in $(seq 1 300); do curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$WEBHOOK_PORT/" && break; sleep 0.1; done
    read -r accepted duration < <(run_wrk "webhook-$1" "http://127.0.0.1:$WEBHOOK_PORT/hooks/github")
    stop_pid "$pid"
    per_second "$accepted" "$duration"
}

{
    echo "commit: $(git -C "$repo" rev-parse HEAD)$(git -C "$repo" diff --quiet HEAD -- Sources || echo ' (+ local changes)')"
    echo "machine: nproc=$(nproc); $(uname -sr); payload $PAYLOAD ($(stat -c %s "$PAYLOAD") bytes); PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }')"
    echo "wrk -c$CONNECTIONS -d$DURATION in total per measurement (split among the nodes), $REPEAT rounds, modes interleaved"
} | tee "$BENCH_OUT/summary.txt" >&2

declare -A ingress_rates runs_rates
for round in $(seq 1 "$REPEAT"); do
    load=$(bash "$repo/Benchmarks/quiet.sh" 60)
    log "round $round: $load"
    ingress_rates[webhook]+="$(measure_webhook "$round") "
    for mode in sqlite-1 pg-1 pg-2; do
        read -r deliveries runs < <(measure_ours "$mode" "$round")
        ingress_rates[$mode]+="$deliveries "
        runs_rates[$mode]+="$runs "
        echo "round $round $mode: $deliveries deliveries/s acknowledged, $runs runs/s completed" | tee -a "$BENCH_OUT/summary.txt" >&2
    done
done

hook=$(median ${ingress_rates[webhook]})
{
    echo
    echo "| every delivery starts a run (median of $REPEAT; all rounds in brackets) | acknowledged deliveries/s | vs webhook | runs completed/s |"
    echo "|---|---:|---:|---:|"
    echo "| webhook 2.8 (verifies, stores nothing, runs nothing) | $hook (${ingress_rates[webhook]% }) | 1.00x | |"
    for mode in sqlite-1 pg-1 pg-2; do
        rate=$(median ${ingress_rates[$mode]})
        echo "| copilot-agent, $mode | $rate (${ingress_rates[$mode]% }) | $(awk -v a="$rate" -v b="$hook" 'BEGIN { printf "%.2f", a / b }')x | $(median ${runs_rates[$mode]}) (${runs_rates[$mode]% }) |"
    done
    echo "raw outputs: $BENCH_OUT"
} | tee -a "$BENCH_OUT/summary.txt"
