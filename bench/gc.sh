#!/usr/bin/env bash
# Garbage collectors compared at 1,000 probes/s (the accuracy mix), a fresh agent JVM per collector,
# taking turns: CPU per probe, RSS, collections, safepoint pauses, scheduler lag, accuracy.
# Writes bench/results/gc.md.
#   bench/gc.sh [--rounds 2] [--warmup 20] [--window 40] [--gcs Serial,Parallel,G1,Z,Shenandoah]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run" GcBench "$@"
