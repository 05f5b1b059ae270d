_base_ = ['./recognizer_vitb.py']
# ViT-H/16 finetuning model: 1280 wide, 32 blocks, 16 heads, drop path 0.2
# (633 M parameters with a 400-class head).
model = dict(
    backbone=dict(arch='huge', drop_path_rate=0.2),
    cls_head=dict(in_channels=1280))
