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
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for VALUE in "GPUS=$GPUS" "NNODES=$NNODES" "NODE_RANK=$NODE_RANK" \
        "PORT=$PORT"; do
    if ! [[ ${VALUE#*=} =~ ^[0-9]+$ ]]; then
        echo "dist_train.sh: error: ${VALUE%%=*} must be a whole number," \
            "got '${VALUE#*=}'" >&2
        exit 1
    fi
done
export PYTHONPATH="$ROOT:${PYTHONPATH:-}"

if [ "${VMAE_PREFLIGHT:-1}" != 0 ]; then
    "$PYTHON" -m vmae_mm.engine.preflight train --nproc "$GPUS" \
        --nnodes "$NNODES" --node-rank "$NODE_RANK" \
        --master-addr "$MASTER_ADDR" --port "$PORT" -- "$CONFIG" "$@"
fi
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "$@"
