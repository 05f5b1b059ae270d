"""Pictures of masks and reconstructions (``tools/visualize/show_masks.py``,
``ReconstructionVisualizationHook``)."""
from .clip_loading import clip_pipeline, load_clip
from .grid_image import GridLayout, compose_grid, write_png
from .mask_overlay import (draw_mask, fill_masked, mask_to_pixels, scale_for,
                           upscale)
from .mask_picture import (DEFAULT_RATIOS, MaskPicture, MaskRow,
                           mask_picture, strategies_to_show)
from .reconstruction import (check_reconstructs, draw_model_mask,
                             reconstruct_clip, reconstruction_grid,
                             seeded_rng, unnormalize_patches)

__all__ = [
    'clip_pipeline', 'load_clip', 'GridLayout', 'compose_grid', 'write_png',
    'draw_mask', 'fill_masked', 'mask_to_pixels', 'scale_for', 'upscale',
    'DEFAULT_RATIOS', 'MaskPicture', 'MaskRow', 'mask_picture',
    'strategies_to_show', 'check_reconstructs', 'draw_model_mask',
    'reconstruct_clip', 'reconstruction_grid', 'seeded_rng',
    'unnormalize_patches'
]
