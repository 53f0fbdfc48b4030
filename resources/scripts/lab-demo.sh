#!/usr/bin/env bash
# `make demo LAB=1`: the four-slave profile as four hosts of a starling lab (root only), a
# parallel download, a slave crashed in the middle of a second one, and the console (with a
# display) or `starling status` (without one). Everything the lab made is removed at the end,
# also on Ctrl-C or an error.
set -euo pipefail
BIN=${1:?usage: lab-demo.sh BIN_DIR DEMO_DIR PROFILE [SECONDS]}
DEMO=${2:?}
PROFILE=${3:?}
SECONDS_SHOWN=${4:-45}
RUN="$DEMO/lab"
EXPORT="$DEMO/lab-export"

if [ "$(id -u)" -ne 0 ]; then
    echo "make demo LAB=1 needs root (network namespaces, tc, cgroups); run it with sudo" >&2
    exit 2
fi
"$BIN/starling" lab down --run-dir "$RUN" >/dev/null 2>&1 || true
trap '"$BIN/starling" lab down --run-dir "$RUN" || true' EXIT
mkdir -p "$EXPORT"
[ -s "$EXPORT/demo.bin" ] || head -c 200000000 /dev/urandom > "$EXPORT/demo.bin"

echo "=== starling lab up: four hosts in network namespaces, links shaped by tc"
"$BIN/starling" lab up --slaves 4 --profile "$PROFILE" --export "$EXPORT" --run-dir "$RUN"
echo
echo "=== starling get, bandwidth split over the four hosts' links"
"$BIN/starling" get demo.bin -o "$DEMO/demo-copy.bin" --strategy bw --run-dir "$RUN"
echo
echo "=== the same again, slave-3 crashed (SIGKILL) a second in"
"$BIN/starling" get demo.bin -o "$DEMO/demo-copy.bin" --strategy bw --run-dir "$RUN" &
GET=$!
sleep 1
"$BIN/starling" lab crash slave-3 --run-dir "$RUN"
wait "$GET"
rm -f "$DEMO/demo-copy.bin"
echo
"$BIN/starling" status --run-dir "$RUN"
echo
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "=== the console on the lab cluster (close the window to remove the lab)"
    "$BIN/starling-console" --run-dir "$RUN"
else
    echo "=== no display: the cluster for ${SECONDS_SHOWN} s (starling status --watch)"
    timeout "$SECONDS_SHOWN" "$BIN/starling" status --watch --run-dir "$RUN" || true
fi
