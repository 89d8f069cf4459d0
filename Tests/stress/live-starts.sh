#!/usr/bin/env bash
# Stress check for issue 20: start and stop the dashboard N times in tmux against the demo cluster,
# the way LiveProxyE2ETests do (a fresh XDG_RUNTIME_DIR each start, --refresh 3600, q to quit), and
# count the starts whose header never said `live` (the spurious fallback to polling). It also prints,
# per start, the seconds to the first verdict on screen and to `live`.
#
#   bash Tests/stress/live-starts.sh [N=50] [path/to/paperctl-tui]
#   LATENCY_MS=50 bash Tests/stress/live-starts.sh 10     # a remote cluster: 50 ms per API request
#
# It ends by timing the batched `kubectl get` of every type the dashboard reads (5 runs, same HOME,
# so kubectl's discovery cache is as warm as the dashboard's): the first-verdict budget is 1.2x that.
# Run it after `swift build`; pass a release binary to measure that instead. Not part of the test
# suite: it measures, and its figures go into README's Budgets.
set -euo pipefail
n=${1:-50}
tool=${2:-$(cd "$(dirname "$0")/../.." && pwd)/.build/debug/paperctl-tui}
[ -x "$tool" ] || { echo "no binary at $tool: run swift build first" >&2; exit 2; }
work=$(mktemp -d /tmp/paperctl-stress.XXXXXX)
sock="paperctl-stress-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tool" demo-cluster --latency-ms "${LATENCY_MS:-0}" --port "$port" --write-kubeconfig "$work/kubeconfig" >"$work/cluster.log" 2>&1 &
cluster=$!
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; kill "$cluster" 2>/dev/null || true; wait "$cluster" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.05; done
[ -s "$work/kubeconfig" ] || { echo "demo cluster wrote no kubeconfig" >&2; cat "$work/cluster.log" >&2; exit 2; }
# The demo may name its kubeconfig's credentials in the environment it prints; take what it exports.
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
never=0; frameTimes=(); firstTimes=(); liveTimes=(); reasons=()
for i in $(seq "$n"); do
  run="$work/run-$i"; mkdir -m 700 "$run"
  t0=$(now)
  tmux -L "$sock" -f /dev/null new-session -d -s s -x 160 -y 45 \
    "env PAPERCTL_FIRST_FRAME_FILE=$run/frame HOME=$work XDG_RUNTIME_DIR=$run TERM=xterm-256color LANG=C.UTF-8 $tool --kubeconfig $work/kubeconfig --refresh 3600 ${EXTRA:-}"
  first=""; live=""; state="never"
  deadline=$(( $(date +%s) + 25 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    screen=$(tmux -L "$sock" capture-pane -p -t s 2>/dev/null || true)
    if [ -z "$first" ] && grep -q "File backups [✔✖▲?]" <<<"$screen"; then first=$(now); fi
    if grep -q "live · data" <<<"$screen"; then live=$(now); state="live"; break; fi
    if grep -q "kubectl proxy down" <<<"$screen"; then state="fell back"; reasons+=("$(grep -o 'kubectl proxy down.*' <<<"$screen" | head -1)"); break; fi
    sleep 0.05
  done
  [ -n "$first" ] && firstTimes+=("$(sub "$first" "$t0")")
  [ -n "$live" ] && liveTimes+=("$(sub "$live" "$t0")")
  [ "$state" = live ] || never=$((never + 1))
  frame=-; [ -s "$run/frame" ] && frame=$(sub "$(cat "$run/frame")" "$t0") && frameTimes+=("$frame")
  printf 'start %2d: %-9s first frame %5ss  first verdict %5ss  live %5ss\n' "$i" "$state" "$frame" \
    "$([ -n "$first" ] && sub "$first" "$t0" || echo -)" \
    "$([ -n "$live" ] && sub "$live" "$t0" || echo -)"
  tmux -L "$sock" send-keys -t s q
  for _ in $(seq 200); do tmux -L "$sock" has-session -t s 2>/dev/null || break; sleep 0.05; done
  tmux -L "$sock" kill-server 2>/dev/null || true
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else printf "%.2f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "starts: $n   never went live: $never"
echo "first frame (loading…) median: $(median "${frameTimes[@]}") s   first verdict median: $(median "${firstTimes[@]}") s   live median: $(median "${liveTimes[@]}") s"
for r in "${reasons[@]}"; do echo "  fallback: $r"; done
types=pods,deployments.apps,jobs.batch,cronjobs.batch,persistentvolumeclaims,events,networkpolicies.networking.k8s.io
types+=,ingresses.networking.k8s.io,configmaps,leases.coordination.k8s.io,clusters.postgresql.cnpg.io,backups.postgresql.cnpg.io
types+=,scheduledbackups.postgresql.cnpg.io,externalsecrets.external-secrets.io,secretstores.external-secrets.io,clustersecretstores.external-secrets.io
gets=()
for _ in 1 2 3 4 5; do
  t0=$(now); HOME=$work kubectl --kubeconfig "$work/kubeconfig" get "$types" -n paperless-ngx -o json >/dev/null; gets+=("$(sub "$(now)" "$t0")")
done
get=$(median "${gets[@]}"); first=$(median "${firstTimes[@]}")
echo "batched kubectl get median: $get s (runs: ${gets[*]})   first verdict / get: $(awk -v a="$first" -v b="$get" 'BEGIN { printf "%.2f", a / b }')   budget <= 1.20"
