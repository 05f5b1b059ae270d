# VideoMAE ViT-B finetuning on Kinetics-400, the official recipe:
# AdamW (0.9, 0.999), weight decay 0.05, lr 1e-3 per 256 clips with
# layer-wise decay 0.75, 5 warm-up epochs from 1e-6 then cosine to 1e-6,
# 100 epochs at 8 clips x 64 GPUs, drop path 0.1, mixup 0.8 / cutmix 1.0 with
# label smoothing 0.1, RandAugment rand-m7-n4-mstd0.5-inc1, random erasing
# 0.25, flip 0.5; test 5 clips x 3 crops (softmax over the 15 views).
#   tools/dist_train.sh configs/vmae_vitb_k400_ft.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAINED.pth
#   tools/dist_test.sh configs/vmae_vitb_k400_ft.py CHECKPOINT 8
# The encoder starts from a pretraining checkpoint (ours, official,
# transformers or mmaction2); set `pretrained` or override it as above.
_base_ = [
    '_base_/models/recognizer_vitb.py', '_base_/datasets/k400_ft.py',
    '_base_/schedules/finetune.py'
]
num_classes = 400
max_epochs = 100
warmup_epochs = 5
base_lr = 1e-3  # per 256 clips (auto_scale_lr scales by the real batch)
warmup_lr = 1e-6  # per 256 videos (the original starts at 0: see the base)
min_lr = 1e-6  # per 256 clips
layer_decay = 0.75
pretrained = 'work_dirs/vmae_vitb_k400/epoch_800.pth'

model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')),
    cls_head=dict(num_classes=num_classes),
    data_preprocessor=dict(
        blending=dict(type='MixupCutmix', num_classes=num_classes,
                      mixup_alpha=0.8, cutmix_alpha=1.0, switch_prob=0.5,
                      label_smoothing=0.1)))

# The optimizer, warm-up + cosine and best-checkpoint saving come from
# _base_/schedules/finetune.py; these are this recipe's numbers.
optim_wrapper = dict(optimizer=dict(lr=base_lr),
                     paramwise_cfg=dict(layer_decay_rate=layer_decay))
param_scheduler = [
    dict(type='LinearLR', start_factor=warmup_lr / base_lr, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    # no end: the cosine ends at train_cfg.max_epochs; eta_min_ratio: every
    # layer's lr ends at min_lr times its layer scale
    dict(type='CosineAnnealingLR', eta_min_ratio=min_lr / base_lr,
         by_epoch=True, begin=warmup_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
