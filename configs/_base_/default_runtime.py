default_scope = 'vmae_mm'
runner_type = 'VMAERunner'

default_hooks = dict(
    # RuntimeInfoHook without a host synchronization per iteration
    runtime_info=dict(type='DeferredRuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Writes the new checkpoint before deleting old ones, atomically.
    checkpoint=dict(type='SafeCheckpointHook', interval=1, max_keep_ckpts=3,
                    save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
# Every process gets seed + rank, so GPUs draw different masks for their
# clips, as the original seeds each process (the data order stays shared).
randomness = dict(seed=0, deterministic=False, diff_rank_seed=True)
# FLOPs per clip before training; clips/s and MFU every 50 iterations
# (FlopsCounterHook, registered by VMAERunner; None turns it off).
flops_counter = dict(interval=50)
