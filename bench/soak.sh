#!/usr/bin/env bash
# The fault soak at length: agent/src/test/java/io/wsprobe/soak/SoakTest.java (60 s in the normal
# suite) for 30 minutes by default. Writes bench/results/soak.md.
#   bench/soak.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-1800}"
cd "$root"
exec mvn -B -q -Dstyle.color=never test -pl agent -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.exitTimeout=300 \
  -Dwsprobe.soak.seconds="$seconds" -Dwsprobe.soak.report="$root/bench/results/soak.md"
