#!/usr/bin/env bash
# The fault soak at length: agent/src/test/java/io/wsprobe/soak/SoakTest.java (60 s in the normal
# suite) for 30 minutes by default. Writes bench/results/soak.md.
#   bench/soak.sh [SECONDS]
# With --fd-pressure, the file descriptor soak instead: the packaged agent, its soft limit
# squeezed below what its probes need and released again in cycles
# (agent/src/test/java/io/wsprobe/it/FdPressureIT.java, one cycle in the normal suite), for 10
# minutes by default. Writes bench/results/soak-fd.md.
#   bench/soak.sh --fd-pressure [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ "${1:-}" = "--fd-pressure" ]; then
  seconds="${2:-600}"
  exec mvn -B -q -Dstyle.color=never verify -pl agent -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=FdPressureIT -Dwsprobe.fdsoak.seconds="$seconds" -Dwsprobe.fdsoak.report="$root/bench/results/soak-fd.md"
fi
seconds="${1:-1800}"
exec mvn -B -q -Dstyle.color=never test -pl agent -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.exitTimeout=300 \
  -Dwsprobe.soak.seconds="$seconds" -Dwsprobe.soak.report="$root/bench/results/soak.md"
