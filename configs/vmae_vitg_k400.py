# VideoMAE v2 ViT-g pretraining recipe (scripts/pretrain/vit_g_hybrid_pt.sh)
# on Kinetics-400 (the paper pretrains on the UnlabeledHybrid set, which is
# not public): tube masking 0.9 with running-cell decoder masking 0.5, 16
# frames at stride 4, AdamW (0.9, 0.95), lr 6e-4 per 256 clips, gradient
# clipping 0.02, 30 warm-up epochs, 300 epochs, sharded with FSDP.
#   tools/dist_train.sh configs/vmae_vitg_k400.py 8
_base_ = [
    '_base_/models/vmae_vitg.py', '_base_/datasets/k400_pretrain.py',
    '_base_/schedules/pretrain_800e.py', '_base_/default_runtime.py',
    '_base_/strategies/fsdp.py'
]
runner_type = 'VMAEFlexibleRunner'
max_epochs = 300
warmup_epochs = 30
base_lr = 6e-4  # per 256 clips

model = dict(
    decoder_mask_generator=dict(type='RunningCellMasking', mask_ratio=0.5))
optim_wrapper = dict(optimizer=dict(lr=base_lr), clip_grad=dict(max_norm=0.02))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs,
         eta_min=1e-5, by_epoch=True, begin=warmup_epochs, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
