# VideoMAE ViT-B/16 finetuning model, 16x224x224: mean pooling + fc_norm, a
# linear head initialized with scale 0.001, drop path 0.1 (the official
# finetuning scripts). Leaf configs set cls_head.num_classes (174 for SSv2,
# 400 for K400) and load the pretrained encoder, e.g.
#   model = dict(backbone=dict(init_cfg=dict(
#       type='Pretrained', checkpoint='work_dirs/.../epoch_800.pth',
#       prefix='backbone.')))
# which takes official, transformers, mmaction2 or vmae_mm checkpoints.
model = dict(
    type='Recognizer',
    data_preprocessor=dict(
        type='VideoDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]),
    backbone=dict(
        type='VisionTransformer3D',
        arch='base',
        img_size=224,
        num_frames=16,
        tubelet_size=2,
        drop_path_rate=0.1,
        out_type='avg_featmap'),
    cls_head=dict(
        type='VideoMAEClsHead',
        num_classes=400,
        in_channels=768,
        dropout_ratio=0.0,
        init_scale=0.001,
        # Smoothing of hard labels; with mixup the blending makes soft
        # targets and smooths them itself, as timm's Mixup does.
        loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)))
