#!/usr/bin/env bash
# Installs what the test suite needs when it is missing, then builds and runs every test.
# This is README's test command and the only thing .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v kubectl >/dev/null 2>&1 || need+=(kubectl)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v restic >/dev/null 2>&1 || need+=(restic)
command -v curl >/dev/null 2>&1 || need+=(curl)  # KubectlProxyTests talk to the proxy's unix socket with it
[ -e /usr/include/ncursesw/curses.h ] || need+=(libncurses-dev)
[ -e /usr/share/zoneinfo/Europe/Berlin ] || need+=(tzdata)  # CronJob spec.timeZone
# The install and package tests: man pages, bash completion, dpkg-shlibdeps for the .deb.
command -v man >/dev/null 2>&1 || need+=(man-db)
[ -e /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
command -v dpkg-shlibdeps >/dev/null 2>&1 || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "run-all: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
command -v kubectl >/dev/null 2>&1 || { echo "run-all: kubectl is required (1.28-1.33) and could not be installed" >&2; exit 1; }

swift build --build-tests
# Stages the debug binary, its man page (swift-argument-parser's generate-manual plugin) and the
# completions for PackageE2ETests; the release build (static Swift runtime) is README's
# `install.sh build` plus `install.sh check-static`, not repeated here.
bash Sources/packaging/install.sh build --debug
# In-process tests run in parallel: no server, no subprocess. The end-to-end suites (the simulator,
# and as subprocesses the real kubectl, scripted stand-ins for it, tmux, restic and our own binaries)
# run one at a time: on a 2-core machine their timeouts would otherwise measure each other's load.
unit="PaperDomainTests|PaperUITests"
e2e="DomainE2ETests|SimClusterTests|CheckE2ETests|DashboardE2ETests|ActionE2ETests|PackageE2ETests"
for dir in Tests/*/; do
  target=$(basename "$dir")
  case "$target" in ProcessTestSupport|TestSupport|stress) continue ;; esac  # helper libraries and the stress scripts, not test targets
  [[ "|$unit|$e2e|" == *"|$target|"* ]] || { echo "run-all: test target $target is in neither list below; add it" >&2; exit 1; }
done
swift test --skip-build --filter "$unit|StoreLogicTests" "$@"
swift test --skip-build --no-parallel --filter "$e2e" --skip StoreLogicTests "$@"
