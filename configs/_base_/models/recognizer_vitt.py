_base_ = ['./recognizer_vitb.py']
# The tiny ViT of the synthetic quick start (192 wide, 4 blocks, 3 heads) as a
# finetuning model; leaves set img_size, num_frames and num_classes.
model = dict(backbone=dict(arch='tiny'), cls_head=dict(in_channels=192))
