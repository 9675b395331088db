#!/usr/bin/env bash
# Wall time and CPU of `wsprobe probe` (one loopback probe) and `wsprobe --version` from the shell
# (hyperfine), with and without the class-data archive, and the accuracy of that one probe.
# Writes bench/results/startup.md. Needs hyperfine (Debian package hyperfine).
#   bench/startup.sh [--runs 5] [--rounds 3] [--accuracy-runs 5] [--before DIR]
# --before DIR adds the launcher of another checkout (say, an older revision from `git worktree add`).
set -euo pipefail
command -v hyperfine >/dev/null || { echo "bench/startup.sh: hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/run" StartupBench "$@"
