#!/usr/bin/env bash
# Issue 14: what telemetry costs ingest. Runs Benchmarks/ingress/run.sh (REPEAT=1) with TELEMETRY=off, on
# (spans to an OTLP/HTTP sink on 127.0.0.1) and down (the Observatory's port closed), interleaved, ROUNDS
# times, with the same release binaries; then prints the medians and the ratios against `off`.
#
#   Benchmarks/ingress/telemetry.sh        # ROUNDS=3; any setting of run.sh passes through (SCENARIO, PAYLOAD, ...)
#   HALF_RATE=2500 Benchmarks/ingress/telemetry.sh   # only the paced runs, all modes at the same offered rate
#
# Target: on and down each cost at most 10% of the throughput, and of the p99 at half peak.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ROUNDS=${ROUNDS:-3}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/copilot-telemetry-results.XXXXXX)}
mkdir -p "$OUT"

if [[ ${SKIP_BUILD:-0} != 1 && -z ${AGENT_BIN:-} ]]; then
    (cd "$repo" && swift build -c release --product copilot-agent >&2 && swift build -c release --product copilot-bench >&2)
fi

modes=(off on down)
for round in $(seq 1 "$ROUNDS"); do
    for mode in "${modes[@]}"; do
        echo "== round $round, telemetry $mode" >&2
        TELEMETRY=$mode REPEAT=1 SKIP_BUILD=1 BENCH_OUT="$OUT/$mode-$round" bash "$here/run.sh" >/dev/null
    done
done

# shellcheck source=../lib.sh
source "$here/../lib.sh"
declare -A peak p99 hook
for mode in "${modes[@]}"; do
    peaks=() p99s=() hooks=()
    for round in $(seq 1 "$ROUNDS"); do
        summary="$OUT/$mode-$round/summary.txt"
        peaks+=("$(sed -n 's/^ours peak run 1: \([0-9]*\) req\/s.*/\1/p' "$summary")")
        p99s+=("$(sed -n 's/^ours half-rate run 1: .* p99 \([0-9.]*\) ms.*/\1/p' "$summary")")
        hooks+=("$(sed -n 's/^webhook peak run 1: \([0-9]*\) req\/s.*/\1/p' "$summary")")
    done
    [[ -n ${peaks[*]// /} ]] && peak[$mode]="$(median "${peaks[@]}") (${peaks[*]})" || peak[$mode]=""
    p99[$mode]="$(median "${p99s[@]}") (${p99s[*]})"
    [[ -n ${hooks[*]// /} ]] && hook[$mode]="$(median "${hooks[@]}")" || hook[$mode]=""
done
ratio() {  # "-" when a figure is missing (HALF_RATE runs measure no peak)
    local a=${1%% *} b=${2%% *}
    [[ -n $a && -n $b ]] || { echo "-"; return; }
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }'
}
{
    echo "commit: $(git -C "$repo" rev-parse HEAD); rounds: $ROUNDS; $(sed -n 's/^machine: //p' "$OUT/off-1/summary.txt")"
    echo
    echo "| telemetry (median of $ROUNDS; all rounds in brackets) | accepted deliveries/s | vs off | p99 at half peak, ms | vs off | webhook 2.8 in the same rounds |"
    echo "|---|---:|---:|---:|---:|---:|"
    for mode in "${modes[@]}"; do
        echo "| $mode | ${peak[$mode]} | $(ratio "${peak[$mode]}" "${peak[off]}") | ${p99[$mode]} | $(ratio "${p99[$mode]}" "${p99[off]}") | ${hook[$mode]} |"
    done
    echo
    echo "raw outputs: $OUT"
} | tee "$OUT/telemetry-summary.txt"
