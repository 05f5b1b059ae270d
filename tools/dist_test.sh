#!/usr/bin/env bash
# Distributed testing through torchrun: every video is evaluated exactly
# once, whatever the number of processes.
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args...]
# Several nodes: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# VMAE_PREFLIGHT=0 skips the one-process check of the launch before torchrun.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT GPUS [tools/test.py arguments]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
PROG=dist_test.sh exec "$(dirname "$0")/torchrun_launch.sh" test "$GPUS" \
    "$CONFIG" "$CHECKPOINT" "$@"
