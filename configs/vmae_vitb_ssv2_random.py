# VideoMAE ViT-B on SSv2 with random space-time masking at 0.9 (MAE-ST):
# every token is hidden independently, so a position hidden in one temporal
# slot may be visible in the next. Everything else is
# configs/vmae_vitb_ssv2.py.
_base_ = ['vmae_vitb_ssv2.py']

model = dict(
    mask_generator=dict(_delete_=True, type='RandomMasking', mask_ratio=0.9))
