# Helpers shared by the benchmark scripts (sourced): stopping what they started, and reading wrk's
# STATUS lines (Benchmarks/ingress/github.lua).

stop_pid() {  # SIGTERM, wait up to 15 s, then SIGKILL
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

status_field() { sed -n 's/.*\b'"$2"'=\([^ ]*\).*/\1/p' "$1" | tail -1; }

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
