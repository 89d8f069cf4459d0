#!/usr/bin/env bash
# Installs what the test suite needs when it is missing, then builds and runs every test.
# This is README's test command and the only thing .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v kubectl >/dev/null 2>&1 || need+=(kubectl)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v restic >/dev/null 2>&1 || need+=(restic)
[ -e /usr/include/ncursesw/curses.h ] || need+=(libncurses-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "run-all: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
command -v kubectl >/dev/null 2>&1 || { echo "run-all: kubectl is required (1.28-1.33) and could not be installed" >&2; exit 1; }

swift build --build-tests
swift test --skip-build "$@"
