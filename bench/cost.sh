#!/usr/bin/env bash
# Probes per CPU-second on the same loopback server, in one run: wsprobe vs blackbox_exporter at
# the same fixed rate, then wsprobe, the single-loop reference (ReferenceLoop) and blackbox_exporter
# at saturation; prints the ratios to both. Writes bench/results/cost.md.
#   bench/cost.sh [--rate 200] [--window 30] [--rounds 3] [--warmup 30] [--sat-window 10]
#                 [--sat-targets 2000] [--concurrency 64] [--slots 8] [--java-opts "..."]
set -euo pipefail
command -v prometheus-blackbox-exporter >/dev/null || {
  echo "bench/cost.sh needs blackbox_exporter: apt-get install prometheus-blackbox-exporter" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/run" CostBench "$@"
