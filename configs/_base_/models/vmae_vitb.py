# VideoMAE ViT-B/16 pretraining, 16x224x224, tube masking 0.9.
# Pixels are normalized with ImageNet statistics: in 0-255 units in the data
# preprocessor, in 0-1 units in the head (which undoes it for the target).
model = dict(
    type='VideoMAE',
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
        drop_path_rate=0.0,
        out_type='tokens'),
    neck=dict(
        type='VideoMAEDecoder',
        in_dims=768,
        embed_dims=384,
        num_layers=4,
        num_heads=6,
        out_dims=1536),
    head=dict(
        type='VideoMAEPretrainHead',
        tubelet_size=2,
        patch_size=16,
        norm_pix=True,
        mean=[0.485, 0.456, 0.406],
        std=[0.229, 0.224, 0.225]),
    mask_generator=dict(type='TubeMasking', mask_ratio=0.9))
