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

# An image job: a 1200 x 900 test pattern (drawn here, so the demo needs no image file),
# blurred on the cluster with PDDS and with the optimal split, then in this process: the
# cluster's results are byte for byte the one-process result.
IMG="$RUN/demo-pattern.pgm"
awk 'BEGIN { w = 1200; h = 900; printf "P2\n%d %d\n255\n", w, h
    for (y = 0; y < h; y++) { line = ""
        for (x = 0; x < w; x++) {
            v = int(128 + 90 * sin(x / 37) * cos(y / 23) + 37 * ((int(x / 100) + int(y / 100)) % 2))
            line = line (v > 255 ? 255 : v) " " }
        print line } }' > "$IMG"
echo
echo "== An image job: blur sigma 3 on a 1200 x 900 pattern, 100 unit tasks over the 4 slaves"
"$S" job blur "$IMG" -o "$RUN/demo-pdds.png" --sigma 3 --strategy pdds --run-dir "$RUN"
"$S" job blur "$IMG" -o "$RUN/demo-optimal.png" --sigma 3 --strategy optimal --run-dir "$RUN"
"$S" job blur "$IMG" -o "$RUN/demo-local.png" --sigma 3 --local
if cmp -s "$RUN/demo-pdds.png" "$RUN/demo-local.png" &&
    cmp -s "$RUN/demo-optimal.png" "$RUN/demo-local.png"; then
    echo "The cluster's results are identical to the one-process result ($RUN/demo-local.png)."
else
    echo "The cluster's results differ from the one-process result!" >&2
    exit 1
fi
echo
echo "Your own cluster: $S up --profile resources/profiles/four-slaves.json, then"
echo "$S status --watch in another terminal (see README, Running a cluster)."
