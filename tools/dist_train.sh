#!/usr/bin/env bash
# Distributed training through torchrun.
#   tools/dist_train.sh CONFIG GPUS [train.py args...]
# Several nodes: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without CUDA the same command trains on the CPU with the gloo backend.
# Before torchrun starts, one process checks the launch (GPUs, port, config,
# dataset paths, batch) and stops with one line if it cannot work;
# VMAE_PREFLIGHT=0 skips that check.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG GPUS [tools/train.py arguments]" >&2
    exit 2
fi
CONFIG=$1
GPUS=$2
shift 2
PROG=dist_train.sh exec "$(dirname "$0")/torchrun_launch.sh" train "$GPUS" \
    "$CONFIG" "$@"
