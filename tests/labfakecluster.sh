#!/bin/sh
# Plays `starling up` / `starling down` for tst_lab (STARLING_LAB_CLUSTER_PROGRAM), so the lab's
# plumbing is tested without a real cluster. FAKE_MODE: ok = start one "node" per host through
# the launcher (as Hydra would start its proxies) and write the state file; fail = exit 1 like a
# cluster that did not start; block = never finish, so the test can kill `lab up` half-way;
# mpiexec = like block, with a real `mpiexec -launcher ssh -launcher-exec` running one "node" per
# host entry (MPIEXEC names the program).
# FAKE_NODE is the node program (sleep under the name starling-node).
command=$1; shift
[ "$command" = down ] && exit 0
while [ $# -gt 0 ]; do
    case "$1" in
    --hosts) hosts=$2; shift ;;
    --launcher-exec) launcher=$2; shift ;;
    --run-dir) rundir=$2; shift ;;
    --slaves) slaves=$2; shift ;;
    --iface) iface=$2; shift ;;
    esac
    shift
done
echo "$hosts" > "$rundir/fake-hosts"
case "$FAKE_MODE" in
fail) echo "starling up: the cluster exited during start-up" >&2; exit 1 ;;
block) touch "$rundir/fake-blocked"; while :; do sleep 0.2; done ;;
mpiexec)
    "$MPIEXEC" -launcher ssh -launcher-exec "$launcher" -iface "$iface" -disable-auto-cleanup \
        -hosts "$(echo "$hosts" | sed 's/,/:1,/g'):1" -n "$((slaves + 2))" "$FAKE_NODE" 600 \
        </dev/null >"$rundir/node.log" 2>&1 &
    touch "$rundir/fake-blocked"
    while :; do sleep 0.2; done ;;
esac
pids=""
for host in $(echo "$hosts" | tr , ' '); do
    "$launcher" -x "$host" "exec $FAKE_NODE 600" </dev/null >/dev/null 2>&1 &
    pids="$pids${pids:+,}$!"
done
printf '{"master_url":"http://127.0.0.1:1","bridge_host":"127.0.0.1","bridge_port":0,"metrics_url":"http://127.0.0.1:1/metrics","token":"t","mpiexec_pid":0,"node_pids":[%s],"run_dir":"%s","started_at_ms":1,"slaves":%s,"export_root":"/","profile_path":""}' "$pids" "$rundir" "$slaves" > "$rundir/cluster.json"
echo "Starling cluster up (fake): $slaves slaves"
