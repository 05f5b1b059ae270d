#!/usr/bin/env bash
# Training on a Slurm cluster.
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG GPUS [train.py args...]
# GPUS_PER_NODE (default min(GPUS, 8)), CPUS_PER_TASK (default 5) and
# SRUN_ARGS (extra srun flags) may be set in the environment; PORT (default
# 29500) is the rendezvous port on the job's first node.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG GPUS [tools/train.py arguments]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
GPUS=$4
shift 4
GPUS_PER_NODE=${GPUS_PER_NODE:-$(( GPUS < 8 ? GPUS : 8 ))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
export MASTER_PORT=${PORT:-${MASTER_PORT:-29500}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck disable=SC2086
PYTHONPATH="$ROOT:${PYTHONPATH:-}" srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    "$PYTHON" -u "$ROOT/tools/train.py" "$CONFIG" --launcher slurm "$@"
