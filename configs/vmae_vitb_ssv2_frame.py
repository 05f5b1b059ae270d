# VideoMAE ViT-B on SSv2 with frame masking: whole temporal slots hidden.
# 16 frames in tubelets of 2 give 8 temporal slots, so only multiples of
# 1/8 are exact ratios; 0.875 hides 7 of the 8 slots (1372 of 1568 tokens),
# the closest to tube masking's 0.9 (0.9 would round to the same 7 slots).
# Everything else is configs/vmae_vitb_ssv2.py.
_base_ = ['vmae_vitb_ssv2.py']

model = dict(
    mask_generator=dict(_delete_=True, type='FrameMasking', mask_ratio=0.875))
