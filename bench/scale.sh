#!/usr/bin/env bash
# 10,000 targets at 10 s for 5 minutes: scheduler lag, CPU, RSS, heap, /metrics. Writes bench/results/scale.md.
#   bench/scale.sh [--targets 10000] [--interval 10s] [--warmup 60] [--duration 300]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run" ScaleBench "$@"
