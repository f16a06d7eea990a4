#!/usr/bin/env bash
# Waits until the machine is quiet for benchmarking: no swift-frontend, swift-build or *.xctest process for
# 20 consecutive seconds, at most $1 seconds (default 600). Prints "quiet" or "NOT quiet" and `uptime`.
set -euo pipefail
limit=${1:-600}
quiet=0 waited=0
while ((waited < limit)); do
    if ! pgrep -x swift-frontend >/dev/null && ! pgrep -x swift-build >/dev/null && ! pgrep -f "[.]xctest" >/dev/null; then
        quiet=$((quiet + 1))
        ((quiet >= 20)) && break
    else
        quiet=0
    fi
    sleep 1
    waited=$((waited + 1))
done
if ((quiet >= 20)); then echo "quiet; $(uptime)"; else echo "NOT quiet after ${limit}s ($(pgrep -c swift-frontend || true) swift-frontend); $(uptime)"; fi
