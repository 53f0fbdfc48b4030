#!/bin/sh
# A short headless tour of a live cluster (part of `make demo`): start 4 emulated slaves, give
# them work, drain one, reweight another, show the status table as it changes, stop cleanly.
# Usage: demo-cluster.sh BIN_DIR RUN_DIR
set -eu
BIN=$1
RUN=$2
S="$BIN/starling"
HERE=$(cd "$(dirname "$0")/.." && pwd)

"$S" down --run-dir "$RUN" >/dev/null 2>&1 || true
"$S" up --detach --slaves 4 --profile "$HERE/profiles/four-slaves.json" --export "$HERE" \
    --run-dir "$RUN"
trap '"$S" down --run-dir "$RUN"' EXIT INT TERM

show() {
    echo
    echo "== $1"
    "$S" status --run-dir "$RUN"
}

"$S" load --tasks 24 --task-ms 800 --run-dir "$RUN"
sleep 1
show "24 synthetic tasks, each to the lightest slave; slave-3 and slave-5 are emulated 2x and 3x slower, so their queues drain slowest"
"$S" drain slave-3 --reason "demo: maintenance" --run-dir "$RUN"
"$S" weight slave-4 3 --reason "demo: a bigger machine" --run-dir "$RUN"
sleep 2
show "slave-3 draining (finishes what it holds, gets nothing new); slave-4 weighted 3"
"$S" load --tasks 12 --task-ms 800 --run-dir "$RUN"
sleep 3
show "12 more tasks: none to slave-3, most to slave-4"
"$S" resume slave-3 --run-dir "$RUN"
"$S" weight slave-4 1 --run-dir "$RUN"
echo
echo "Your own cluster: $S up --profile resources/profiles/four-slaves.json, then"
echo "$S status --watch in another terminal (see README, Running a cluster)."
