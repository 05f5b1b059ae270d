# Fully sharded data parallel (FSDP) for ViT-L/H/g: parameters, gradients and
# optimizer state are split over the processes; each transformer block is one
# FSDP unit, gathered just before it runs. A config switches from DDP to
# FSDP by adding this file to its _base_ list and setting
# runner_type = 'VMAEFlexibleRunner' (mmengine forbids the same key in two
# bases, and default_runtime.py sets runner_type).
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(type='vmae_mm.transformer_block_wrap_policy'),
        # keep per-parameter names and shapes: weight-decay exemptions and
        # layer-wise lr decay are looked up by name
        use_orig_params=True),
    # checkpoints hold the full (unsharded) weights, written by rank 0, so
    # finetuning, conversion and single-GPU tools read them as usual
    state_dict_cfg='full')
