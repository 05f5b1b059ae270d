# Benchmark-only config: the ViT-B finetuning model (174 classes, SSv2) with
# the official finetuning optimizer, for tools/analysis/benchmark.py
# --mode model (synthetic clips; no dataset is read).
_base_ = [
    '../../../configs/_base_/models/recognizer_vitb.py',
    '../../../configs/_base_/default_runtime.py'
]
model = dict(cls_head=dict(num_classes=174))
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='VideoMAEOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.75),
    optimizer=dict(
        type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.05))
train_dataloader = dict(batch_size=8)
