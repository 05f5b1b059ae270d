#!/usr/bin/env bash
# The launch shared by dist_train.sh and dist_test.sh.
#   tools/torchrun_launch.sh train|test GPUS ARGS...
# runs tools/train.py or tools/test.py with ARGS under torchrun, after one
# process has checked the launch (GPUs, port, config, dataset paths, batch;
# VMAE_PREFLIGHT=0 skips it). NNODES, NODE_RANK, MASTER_ADDR and PORT set a
# multi-node launch; PYTHON picks the interpreter.
set -euo pipefail
MODE=$1
GPUS=$2
shift 2
PROG=${PROG:-dist_$MODE.sh}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for VALUE in "GPUS=$GPUS" "NNODES=$NNODES" "NODE_RANK=$NODE_RANK" \
        "PORT=$PORT"; do
    if ! [[ ${VALUE#*=} =~ ^[0-9]+$ ]]; then
        echo "$PROG: error: ${VALUE%%=*} must be a whole number," \
            "got '${VALUE#*=}'" >&2
        exit 1
    fi
done
export PYTHONPATH="$ROOT:${PYTHONPATH:-}"

if [ "${VMAE_PREFLIGHT:-1}" != 0 ]; then
    "$PYTHON" -m vmae_mm.engine.preflight "$MODE" --nproc "$GPUS" \
        --nnodes "$NNODES" --node-rank "$NODE_RANK" \
        --master-addr "$MASTER_ADDR" --port "$PORT" -- "$@"
fi
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$ROOT/tools/$MODE.py" "$@" --launcher pytorch
