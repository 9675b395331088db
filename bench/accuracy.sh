#!/usr/bin/env bash
# Measured minus injected delays (echo, room fan-out, upgrade) at 1,000 probes/s, idle, and the first
# probe of fresh JVMs. Writes bench/results/accuracy.md.
#   bench/accuracy.sh [--warmup 30] [--window 60] [--cold-runs 5]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run" AccuracyBench "$@"
