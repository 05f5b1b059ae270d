# vmae_vitl_ssv2.py with fully sharded data parallel (FSDP) instead of DDP:
# weights, gradients and AdamW state split over the GPUs, one FSDP unit per
# transformer block. Same recipe, same checkpoints (full weights, rank 0).
#   tools/dist_train.sh configs/vmae_vitl_ssv2_fsdp.py 8
_base_ = ['vmae_vitl_ssv2.py', '_base_/strategies/fsdp.py']
runner_type = 'VMAEFlexibleRunner'
# torch.compile has not been measured under FSDP here: eager blocks
compile = False
