#!/usr/bin/env bash
# wsprobe's saturated probes per CPU-second as a fraction of a single-loop Netty client doing the
# same on the wire. Writes bench/results/reference.md.
#   bench/reference.sh [--concurrency 64] [--slots 8] [--targets 2000] [--interval 250ms] [--window 10]
#                      [--rounds 3] [--warmup 20] [--java-opts "..."]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run" ReferenceBench "$@"
