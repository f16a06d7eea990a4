#!/usr/bin/env bash
# Ingress benchmark (issue 2): acknowledged signed GitHub deliveries per second, p50/p99 latency and RSS of
# `copilot-agent serve` (release), against Debian's `webhook` (adnanh/webhook 2.8) verifying the same HMAC
# and matching the same event, in the same run. See Benchmarks/README.md.
#
#   Benchmarks/ingress/run.sh                     # everything, from a clean state
#
# Settings (environment): REPEAT=3 THREADS=2 CONNECTIONS=64 DURATION=10s RATE_DURATION=10s
#   OUR_PORT=18080 WEBHOOK_PORT=19000
#   QUIET_WAIT=600 (seconds to wait for a quiet machine before the first run of each phase; later runs
#   wait at most REPEAT_QUIET_WAIT=60 s, so a busy machine cannot stretch the whole run past ~25 min)
#   BENCH_CORPUS=<repo>/Tests/Fixtures/corpus PAYLOAD=$BENCH_CORPUS/github/pull_request.opened.payload.json
#   BENCH_OUT=<dir for the raw wrk outputs and summary> (default: a new /tmp/copilot-ingress-results.XXXX)
#   SKIP_BUILD=1 to use the existing release binary.
#   SCENARIO=idle (default): no playbook listens, ingress alone (issue 2).
#   SCENARIO=runs: every delivery matches `pr-unit` and starts a run whose step calls a Test-Bench
#   stand-in that answers at once (`copilot-bench testbench`, release, on TESTBENCH_PORT=18090); each
#   peak run also reports the runs completed per second while wrk ran, and the runs left waiting (issue
#   13, scenario b).
#   AGENT_BIN=<path>: use this copilot-agent binary instead (implies SKIP_BUILD), e.g. a release build of
#   another commit, to compare two builds with the same script and payload.
#   HALF_RATE=<req/s>: run only the paced runs, at this offered rate (to compare two builds' tail latency
#   at the same load without measuring their peaks again).
#   TELEMETRY=off (default) | on | down (issue 14): `on` exports spans to an OTLP/HTTP sink
#   (`copilot-bench otlp-sink`, release, on OTLP_PORT=14318); `down` points `integrations.observatory` at a
#   port nothing listens on. Benchmarks/ingress/telemetry.sh runs the three, interleaved.
#
# Only 127.0.0.1 is used. Every process started here is stopped on exit (trap EXIT), by its pid.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

REPEAT=${REPEAT:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
RATE_DURATION=${RATE_DURATION:-10s}
OUR_PORT=${OUR_PORT:-18080}
WEBHOOK_PORT=${WEBHOOK_PORT:-19000}
QUIET_WAIT=${QUIET_WAIT:-600}
REPEAT_QUIET_WAIT=${REPEAT_QUIET_WAIT:-60}
BENCH_CORPUS=${BENCH_CORPUS:-$repo/Tests/Fixtures/corpus}
PAYLOAD=${PAYLOAD:-$BENCH_CORPUS/github/pull_request.opened.payload.json}
BENCH_OUT=${BENCH_OUT:-$(mktemp -d /tmp/copilot-ingress-results.XXXXXX)}
HALF_RATE=${HALF_RATE:-}
SCENARIO=${SCENARIO:-idle}
TESTBENCH_PORT=${TESTBENCH_PORT:-18090}
TELEMETRY=${TELEMETRY:-off}
OTLP_PORT=${OTLP_PORT:-14318}
[[ $SCENARIO == idle || $SCENARIO == runs ]] || { echo "FAIL: SCENARIO is idle or runs" >&2; exit 1; }
[[ $TELEMETRY =~ ^(off|on|down)$ ]] || { echo "FAIL: TELEMETRY is off, on or down" >&2; exit 1; }

die() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in wrk webhook sqlite3 openssl curl; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y wrk webhook sqlite3 openssl curl)"
done
[[ -z $HALF_RATE || $HALF_RATE =~ ^[1-9][0-9]*$ ]] || die "HALF_RATE must be a whole number of requests per second"
[[ -r $PAYLOAD ]] || die "payload $PAYLOAD not readable (set BENCH_CORPUS or PAYLOAD)"
for port in "$OUR_PORT" "$WEBHOOK_PORT" $([[ $SCENARIO == runs ]] && echo "$TESTBENCH_PORT") \
    $([[ $TELEMETRY != off ]] && echo "$OTLP_PORT"); do
    if ss -Hltn "sport = :$port" | grep -q .; then die "port $port on 127.0.0.1 is in use"; fi
done

work=$(mktemp -d /tmp/copilot-ingress-bench.XXXXXX)
mkdir -p "$BENCH_OUT"
started_pids=()

# shellcheck source=../lib.sh
source "$repo/Benchmarks/lib.sh"

cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
    cp "$work"/*.log "$BENCH_OUT/" 2>/dev/null || true  # the stand-ins' own counts, printed as they stop
    rm -rf "$work"
}
trap cleanup EXIT

# --- build -----------------------------------------------------------------------------------------
if [[ -n ${AGENT_BIN:-} ]]; then
    bin=$AGENT_BIN
else
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then
        log "swift build -c release --product copilot-agent"
        (cd "$repo" && swift build -c release --product copilot-agent >&2)
    fi
    bin="$(cd "$repo" && swift build -c release --show-bin-path)/copilot-agent"
fi
[[ -x $bin ]] || die "no release binary at $bin"

# --- inputs ----------------------------------------------------------------------------------------
export BENCH_GITHUB_SECRET=${BENCH_GITHUB_SECRET:-$(openssl rand -hex 32)}
BENCH_SIGNATURE="sha256=$(openssl dgst -sha256 -hmac "$BENCH_GITHUB_SECRET" -r <"$PAYLOAD" | cut -d' ' -f1)"
export BENCH_PAYLOAD=$PAYLOAD BENCH_SIGNATURE BENCH_THREADS=$THREADS
payload_bytes=$(stat -c %s "$PAYLOAD")
mkdir -p "$work/playbooks"  # idle: empty, ingress only; nothing is matched in the request path anyway
if [[ $SCENARIO == runs ]]; then
    cp "$here/pr-unit.yaml" "$work/playbooks/pr-unit.yaml"
fi
bench_bin=""
start_stand_in() {  # $1 copilot-bench mode, $2 port: the release copilot-bench serving it until exit
    if [[ -z $bench_bin ]]; then
        if [[ ${SKIP_BUILD:-0} != 1 && -z ${AGENT_BIN:-} ]]; then
            (cd "$repo" && swift build -c release --product copilot-bench >&2)
        fi
        bench_bin="$(cd "$repo" && swift build -c release --show-bin-path)/copilot-bench"
        [[ -x $bench_bin ]] || die "no release copilot-bench at $bench_bin"
    fi
    "$bench_bin" "$1" --port "$2" >"$work/$1.log" 2>&1 &
    started_pids+=("$!")
    for _ in $(seq 1 100); do
        ss -Hltn "sport = :$2" | grep -q . && return 0
        sleep 0.1
    done
    die "copilot-bench $1 not listening on $2"
}
# An integration exists only when the file names it (CONTRACT §1): the scenarios that need one write it.
integrations=""
if [[ $SCENARIO == runs ]]; then
    start_stand_in testbench "$TESTBENCH_PORT"
    integrations+="  testbench: { url: \"http://127.0.0.1:$TESTBENCH_PORT\" }"$'\n'
fi
case $TELEMETRY in
    on)
        start_stand_in otlp-sink "$OTLP_PORT"
        integrations+="  observatory: { otlp_endpoint: \"http://127.0.0.1:$OTLP_PORT\" }"$'\n'
        ;;
    down) integrations+="  observatory: { otlp_endpoint: \"http://127.0.0.1:$OTLP_PORT\" }"$'\n' ;;
esac
config="$here/bench-config.yaml"
if [[ -n $integrations ]]; then
    config="$work/bench-config.yaml"
    { cat "$here/bench-config.yaml"; printf '\nintegrations:\n%s' "$integrations"; } >"$config"
fi

# --- helpers ---------------------------------------------------------------------------------------
wait_quiet() {  # $1 max seconds: until no swift-frontend/swift-build/xctest for 20 s; prints the load
    bash "$repo/Benchmarks/quiet.sh" "$1"
}

rss_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }


server_pid=""
start_server() {  # $1: directory for its database
    mkdir -p "$1"
    env -i PATH="$PATH" HOME="$HOME" BENCH_GITHUB_SECRET="$BENCH_GITHUB_SECRET" \
        COPILOT_SERVER_PORT="$OUR_PORT" COPILOT_STORAGE_URL="sqlite://$1/copilot.db" \
        COPILOT_PLAYBOOKS_DIR="$work/playbooks" \
        "$bin" serve --config "$config" >"$1/server.log" 2>&1 &
    server_pid=$!
    started_pids+=("$server_pid")
    for _ in $(seq 1 300); do
        curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$OUR_PORT/readyz" 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$1/server.log" >&2; die "copilot-agent exited"; }
        sleep 0.1
    done
    die "copilot-agent not ready after 30 s"
}

webhook_pid=""
start_webhook() {
    webhook -hooks "$here/hooks.json" -template -ip 127.0.0.1 -port "$WEBHOOK_PORT" -nopanic \
        >"$work/webhook.log" 2>&1 &
    webhook_pid=$!
    started_pids+=("$webhook_pid")
    for _ in $(seq 1 300); do
        curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$WEBHOOK_PORT/" 2>/dev/null && return 0
        kill -0 "$webhook_pid" 2>/dev/null || { cat "$work/webhook.log" >&2; die "webhook exited"; }
        sleep 0.1
    done
    die "webhook not listening after 30 s"
}

smoke() {  # $1 URL, $2 expected status, $3 signature, $4 delivery id
    local code
    code=$(curl -s --max-time 10 -o "$work/smoke.body" -w '%{http_code}' -X POST "$1" \
        -H 'Content-Type: application/json' -H 'X-GitHub-Event: pull_request' \
        -H "X-GitHub-Delivery: $4" -H "X-Hub-Signature-256: $3" --data-binary "@$PAYLOAD")
    [[ $code == "$2" ]] || die "smoke $1 with signature ${3:0:14}...: got $code, expected $2 ($(head -c 200 "$work/smoke.body"))"
}

run_wrk() {  # $1 URL, $2 output file, $3 duration, $4 run id, [$5 rate]
    local status_file="$2.status"
    rm -f "$status_file"
    BENCH_RUN_ID="$4" BENCH_STATUS_FILE="$status_file" BENCH_RATE="${5:-}" \
        timeout 600 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency -s "$here/github.lua" "$1" >"$2" 2>&1 \
        || { cat "$2" >&2; die "wrk failed"; }
    [[ -s $status_file ]] || { cat "$2" >&2; die "wrk wrote no STATUS line"; }
    local other
    other=$(status_field "$status_file" other)
    [[ $other == 0 ]] || { cat "$2" >&2; die "$other non-202 responses from $1 ($(status_field "$status_file" codes))"; }
}

rps_of() {  # accepted 202s per second of the run
    awk -v a="$(status_field "$1" accepted_202)" -v d="$(status_field "$1" duration_us)" \
        'BEGIN { printf "%.0f", a / (d / 1e6) }'
}
ms_of() { awk -v us="$(status_field "$1" "$2")" 'BEGIN { printf "%.2f", us / 1000 }'; }

# --- sanity: both servers accept the signed payload and refuse a bad signature ---------------------
bad_signature="sha256=$(printf '%064d' 0)"
start_server "$work/sanity"
smoke "http://127.0.0.1:$OUR_PORT/webhooks/github" 202 "$BENCH_SIGNATURE" "sanity-1"
smoke "http://127.0.0.1:$OUR_PORT/webhooks/github" 200 "$BENCH_SIGNATURE" "sanity-1"  # duplicate
smoke "http://127.0.0.1:$OUR_PORT/webhooks/github" 401 "$bad_signature" "sanity-2"
stop_pid "$server_pid"
start_webhook
smoke "http://127.0.0.1:$WEBHOOK_PORT/hooks/github" 202 "$BENCH_SIGNATURE" "sanity-1"
# webhook 2.8 answers a wrong HMAC with 500 "Error occurred while evaluating hook rules."
smoke "http://127.0.0.1:$WEBHOOK_PORT/hooks/github" 500 "$bad_signature" "sanity-2"
stop_pid "$webhook_pid"
rm -rf "$work/sanity"

{
    echo "commit: $(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD -- Sources 2>/dev/null || echo ' (+ local changes in Sources)')"
    echo "machine: nproc=$(nproc); $(uname -sr); payload $PAYLOAD ($payload_bytes bytes)"
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s Benchmarks/ingress/github.lua"
    echo "scenario: $SCENARIO; telemetry: $TELEMETRY; binary: $bin"
} | tee "$BENCH_OUT/summary.txt" >&2

# --- peak: ours and webhook, interleaved, REPEAT times --------------------------------------------
ours_rps=() ours_p50=() ours_p99=() ours_idle=() ours_hwm=() ours_rows=() hook_rps=() hook_p50=() hook_p99=() hook_hwm=()
runs_done=() runs_waiting=()
for run in $(seq 1 "$([[ -n $HALF_RATE ]] && echo 0 || echo "$REPEAT")"); do
    load=$(wait_quiet "$( ((run == 1)) && echo "$QUIET_WAIT" || echo "$REPEAT_QUIET_WAIT")")
    log "peak run $run: $load"
    echo "peak run $run load before: $load" >>"$BENCH_OUT/summary.txt"

    db_dir="$work/peak-$run"
    start_server "$db_dir"
    sleep 2
    ours_idle+=("$(rss_kb "$server_pid" VmRSS)")
    run_wrk "http://127.0.0.1:$OUR_PORT/webhooks/github" "$BENCH_OUT/ours-peak-$run.txt" "$DURATION" "peak$run-$RANDOM"
    ours_hwm+=("$(rss_kb "$server_pid" VmHWM)")
    if [[ $SCENARIO == runs ]]; then  # read beside the running service (WAL), before it drains more
        runs_done+=("$(sqlite3 "$db_dir/copilot.db" "select count(*) from runs where status = 'succeeded'" \
            | awk -v d="$(status_field "$BENCH_OUT/ours-peak-$run.txt.status" duration_us)" '{ printf "%.0f", $1 / (d / 1e6) }')")
        runs_waiting+=("$(sqlite3 "$db_dir/copilot.db" "select count(*) from runs where status = 'pending'")")
        failed=$(sqlite3 "$db_dir/copilot.db" "select count(*) from runs where status = 'failed'")
        ((failed == 0)) || die "run $run: $failed runs failed (is the Test-Bench stand-in on $TESTBENCH_PORT reached?)"
    fi
    stop_pid "$server_pid"  # graceful: in-flight requests finish, then count what is on disk
    accepted=$(status_field "$BENCH_OUT/ours-peak-$run.txt.status" accepted_202)
    rows=$(sqlite3 "$db_dir/copilot.db" 'select count(*) from events')
    ours_rows+=("$rows")
    # Every 202 is on disk; at most one in-flight request per connection was committed after wrk stopped.
    ((rows >= accepted)) || die "run $run: $accepted deliveries acknowledged but only $rows events stored"
    ((rows <= accepted + CONNECTIONS)) || die "run $run: $rows events stored for $accepted acknowledged"
    ours_rps+=("$(rps_of "$BENCH_OUT/ours-peak-$run.txt.status")")
    ours_p50+=("$(ms_of "$BENCH_OUT/ours-peak-$run.txt.status" p50_us)")
    ours_p99+=("$(ms_of "$BENCH_OUT/ours-peak-$run.txt.status" p99_us)")
    echo "ours peak run $run: ${ours_rps[-1]} req/s accepted, p50 ${ours_p50[-1]} ms, p99 ${ours_p99[-1]} ms, idle RSS ${ours_idle[-1]} kB, VmHWM ${ours_hwm[-1]} kB, 202s $accepted, rows $rows, db $(du -sm "$db_dir" | cut -f1) MB" \
        | tee -a "$BENCH_OUT/summary.txt" >&2
    rm -rf "$db_dir"

    start_webhook
    sleep 1
    run_wrk "http://127.0.0.1:$WEBHOOK_PORT/hooks/github" "$BENCH_OUT/webhook-peak-$run.txt" "$DURATION" "hook$run-$RANDOM"
    hook_hwm+=("$(rss_kb "$webhook_pid" VmHWM)")
    stop_pid "$webhook_pid"
    hook_rps+=("$(rps_of "$BENCH_OUT/webhook-peak-$run.txt.status")")
    hook_p50+=("$(ms_of "$BENCH_OUT/webhook-peak-$run.txt.status" p50_us)")
    hook_p99+=("$(ms_of "$BENCH_OUT/webhook-peak-$run.txt.status" p99_us)")
    echo "webhook peak run $run: ${hook_rps[-1]} req/s accepted, p50 ${hook_p50[-1]} ms, p99 ${hook_p99[-1]} ms, VmHWM ${hook_hwm[-1]} kB" \
        | tee -a "$BENCH_OUT/summary.txt" >&2
done

ours_peak=$(median "${ours_rps[@]}")
hook_peak=$(median "${hook_rps[@]}")
half_rate=${HALF_RATE:-$((ours_peak / 2))}

# --- p99 at half of our peak rate -----------------------------------------------------------------
half_rps=() half_p50=() half_p99=() half_hwm=()
for run in $(seq 1 "$REPEAT"); do
    load=$(wait_quiet "$( ((run == 1)) && echo "$QUIET_WAIT" || echo "$REPEAT_QUIET_WAIT")")
    log "half-rate run $run ($half_rate req/s offered): $load"
    echo "half-rate run $run load before: $load" >>"$BENCH_OUT/summary.txt"
    db_dir="$work/half-$run"
    start_server "$db_dir"
    sleep 1
    run_wrk "http://127.0.0.1:$OUR_PORT/webhooks/github" "$BENCH_OUT/ours-half-$run.txt" "$RATE_DURATION" "half$run-$RANDOM" "$half_rate"
    half_hwm+=("$(rss_kb "$server_pid" VmHWM)")
    stop_pid "$server_pid"
    accepted=$(status_field "$BENCH_OUT/ours-half-$run.txt.status" accepted_202)
    rows=$(sqlite3 "$db_dir/copilot.db" 'select count(*) from events')
    ((rows >= accepted)) || die "half run $run: $accepted acknowledged but only $rows stored"
    half_rps+=("$(rps_of "$BENCH_OUT/ours-half-$run.txt.status")")
    half_p50+=("$(ms_of "$BENCH_OUT/ours-half-$run.txt.status" p50_us)")
    half_p99+=("$(ms_of "$BENCH_OUT/ours-half-$run.txt.status" p99_us)")
    echo "ours half-rate run $run: offered $half_rate req/s, achieved ${half_rps[-1]} req/s, p50 ${half_p50[-1]} ms, p99 ${half_p99[-1]} ms, VmHWM ${half_hwm[-1]} kB, 202s $accepted, rows $rows" \
        | tee -a "$BENCH_OUT/summary.txt" >&2
    rm -rf "$db_dir"
done

# --- summary ---------------------------------------------------------------------------------------
half_p99_median=$(median "${half_p99[@]}")
if [[ -n $HALF_RATE ]]; then
    {
        echo
        echo "| paced at $half_rate req/s (median of $REPEAT; all runs in brackets) | copilot-agent |"
        echo "|---|---:|"
        echo "| achieved rate, req/s | $(median "${half_rps[@]}") (${half_rps[*]}) |"
        echo "| p50 latency, ms | $(median "${half_p50[@]}") (${half_p50[*]}) |"
        echo "| p99 latency, ms | $half_p99_median (${half_p99[*]}) |"
        echo "raw outputs: $BENCH_OUT"
    } | tee -a "$BENCH_OUT/summary.txt"
    exit 0
fi
ratio=$(awk -v a="$ours_peak" -v b="$hook_peak" 'BEGIN { printf "%.2f", a / b }')
{
    echo
    echo "| measure (median of $REPEAT; all runs in brackets) | copilot-agent | webhook 2.8 | ratio |"
    echo "|---|---:|---:|---:|"
    echo "| accepted deliveries/s, $CONNECTIONS connections | $ours_peak (${ours_rps[*]}) | $hook_peak (${hook_rps[*]}) | ${ratio}x |"
    echo "| p50 latency at peak, ms | $(median "${ours_p50[@]}") (${ours_p50[*]}) | $(median "${hook_p50[@]}") (${hook_p50[*]}) | |"
    echo "| p99 latency at peak, ms | $(median "${ours_p99[@]}") (${ours_p99[*]}) | $(median "${hook_p99[@]}") (${hook_p99[*]}) | |"
    echo "| offered rate at half of our peak, req/s | $half_rate | | |"
    echo "| achieved rate at half peak, req/s | $(median "${half_rps[@]}") (${half_rps[*]}) | | |"
    echo "| p50 latency at half peak, ms | $(median "${half_p50[@]}") (${half_p50[*]}) | | |"
    echo "| p99 latency at half peak, ms | $half_p99_median (${half_p99[*]}) | | |"
    echo "| idle RSS after start, MB | $(median "${ours_idle[@]}" | awk '{ printf "%.1f", $1 / 1024 }') (${ours_idle[*]} kB) | | |"
    echo "| peak RSS (VmHWM) after peak load, MB | $(median "${ours_hwm[@]}" | awk '{ printf "%.1f", $1 / 1024 }') (${ours_hwm[*]} kB) | $(median "${hook_hwm[@]}" | awk '{ printf "%.1f", $1 / 1024 }') (${hook_hwm[*]} kB) | |"
    echo "| events stored after each peak run | ${ours_rows[*]} | (webhook stores nothing) | |"
    if [[ $SCENARIO == runs ]]; then
        echo "| runs completed/s while wrk ran | $(median "${runs_done[@]}") (${runs_done[*]}) | | |"
        echo "| runs waiting when wrk stopped | ${runs_waiting[*]} | | |"
    fi
    echo
    target_tp=$(awk -v r="$ratio" 'BEGIN { print (r >= 2) ? "met" : "NOT met" }')
    target_p99=$(awk -v p="$half_p99_median" 'BEGIN { print (p < 10) ? "met" : "NOT met" }')
    echo "target >= 2x webhook throughput while persisting every delivery: $target_tp (${ratio}x)"
    echo "target p99 < 10 ms at half of our peak: $target_p99 ($half_p99_median ms)"
    echo "raw outputs: $BENCH_OUT"
} | tee -a "$BENCH_OUT/summary.txt"
