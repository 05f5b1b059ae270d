_base_ = ['./recognizer_vitb.py']
# ViT-S/16 finetuning model: 384 wide, 12 blocks, 6 heads (22 M parameters
# with a 400-class head).
model = dict(backbone=dict(arch='small'), cls_head=dict(in_channels=384))
