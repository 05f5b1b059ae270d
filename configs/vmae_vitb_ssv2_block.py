# VideoMAE ViT-B on SSv2 with block masking at 0.9: contiguous space-time
# cuboids (BEiT's block shapes extended over consecutive temporal slots, as
# BEVT does), an exact count per clip (1411 of 1568 tokens).
# Everything else is configs/vmae_vitb_ssv2.py.
_base_ = ['vmae_vitb_ssv2.py']

model = dict(
    mask_generator=dict(_delete_=True, type='BlockMasking', mask_ratio=0.9))
