#!/usr/bin/env bash
# wsprobe's saturated probe rate as a fraction of a bare Netty loop doing the same on the wire.
# Writes bench/results/reference.md.
#   bench/reference.sh [--concurrency 64] [--targets 16000] [--window 20] [--rounds 3] [--warmup 20]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run" ReferenceBench "$@"
