#!/usr/bin/env bash
# Probes per CPU-second: wsprobe vs blackbox_exporter on the same loopback server, same rate,
# alternating windows in one run. Writes bench/results/cost.md.
#   bench/cost.sh [--rate 200] [--window 30] [--rounds 3] [--warmup 30]
set -euo pipefail
command -v prometheus-blackbox-exporter >/dev/null || {
  echo "bench/cost.sh needs blackbox_exporter: apt-get install prometheus-blackbox-exporter" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/run" CostBench "$@"
