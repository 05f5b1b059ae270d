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
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for VALUE in "GPUS=$GPUS" "NNODES=$NNODES" "NODE_RANK=$NODE_RANK" \
        "PORT=$PORT"; do
    if ! [[ ${VALUE#*=} =~ ^[0-9]+$ ]]; then
        echo "dist_test.sh: error: ${VALUE%%=*} must be a whole number," \
            "got '${VALUE#*=}'" >&2
        exit 1
    fi
done
export PYTHONPATH="$ROOT:${PYTHONPATH:-}"

if [ "${VMAE_PREFLIGHT:-1}" != 0 ]; then
    "$PYTHON" -m vmae_mm.engine.preflight test --nproc "$GPUS" \
        --nnodes "$NNODES" --node-rank "$NODE_RANK" \
        --master-addr "$MASTER_ADDR" --port "$PORT" \
        -- "$CONFIG" "$CHECKPOINT" "$@"
fi
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
