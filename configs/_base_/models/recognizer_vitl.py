_base_ = ['./recognizer_vitb.py']
# ViT-L/16 finetuning model: 1024 wide, 24 blocks, 16 heads, drop path 0.2
# (305 M parameters with a 400-class head).
model = dict(
    backbone=dict(arch='large', drop_path_rate=0.2),
    cls_head=dict(in_channels=1024))
