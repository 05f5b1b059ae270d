# Benchmark-only config: the ViT-H finetuning model (400 classes) with the
# official finetuning optimizer, for peak-memory checks at batch 8.
_base_ = ['./bench_vitb_finetune.py']
model = dict(
    backbone=dict(arch='huge', drop_path_rate=0.2),
    cls_head=dict(in_channels=1280, num_classes=400))
