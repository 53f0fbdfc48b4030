#!/usr/bin/env python3
"""Issue 14's evidence, measured the same way before and after: functions over 60 lines
(universal-ctags end lines) and string literals naming event kinds or catalogue payload keys
outside core/protocol's catalogue, in non-test code. Usage: tests/codemetrics.py [REPO_DIR]"""
import json
import os
import re
import subprocess
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(__file__)) or "."
FOLDERS = ["core", "mpi_backend", "app", "ui"]
KINDS = ["state_changed", "weight_changed", "strategy_changed", "node_suspect", "node_down",
         "node_back", "task_reassigned", "late_message_dropped", "transfer_planned",
         "transfer_block", "job_started", "strip_assigned", "strip_sent", "strip_done",
         "strip_reassigned", "job_done", "job_failed"]
KEYS = ["transfer_id", "piece_size", "first_unit", "planned_shares", "predicted_makespan_s",
        "send_start_s", "send_end_s", "compute_start_s", "compute_end_s", "return_start_s",
        "return_end_s", "new_chunks", "makespan_s", "waiting_at_master", "queued_at_master",
        "late_dropped", "tasks_completed", "admin_state", "since_ms", "client_id", "silent_ms",
        "elapsed_ms", "cost_ms", "data_url"]
CATALOGUE = re.compile(r"core/protocol/(\w*events|eventkind|eventjson|\w*message\w*)\.(h|cpp)$")


def long_functions():
    out = subprocess.run(["ctags", "--output-format=json", "--fields=+ne", "--c++-kinds=f", "-R",
                          "--languages=C++"] + FOLDERS, cwd=ROOT, capture_output=True, text=True)
    rows = []
    for line in out.stdout.splitlines():
        tag = json.loads(line)
        if tag.get("kind") == "function" and "end" in tag:
            length = tag["end"] - tag["line"] + 1
            if length > 60:
                rows.append((length, tag["path"], tag["name"]))
    return sorted(rows, reverse=True)


def literals():
    kinds = keys = 0
    for folder in FOLDERS:
        for directory, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                path = os.path.join(directory, name)
                if not name.endswith((".h", ".cpp")) or CATALOGUE.search(path):
                    continue
                text = open(path, encoding="utf-8").read()
                kinds += sum(len(re.findall('"%s"' % k, text)) for k in KINDS)
                keys += sum(len(re.findall('"%s"' % k, text)) for k in KEYS)
    return kinds, keys


if __name__ == "__main__":
    rows = long_functions()
    for length, path, name in rows:
        print(f"{length:4d} {path} {name}")
    kinds, keys = literals()
    print(f"functions over 60 lines: {len(rows)}")
    print(f"event-kind literals outside the catalogue: {kinds}")
    print(f"catalogue payload-key literals outside it: {keys}")
