"""Training hooks, registered in ``HOOKS``."""
from .flops_hook import FlopsCounterHook
from .mask_ratio_hook import MaskRatioSchedulerHook
from .portable_checkpoint_hook import PortableCheckpointHook
from .reconstruction_hook import ReconstructionVisualizationHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['FlopsCounterHook', 'PortableCheckpointHook']
__all__ += ['MaskRatioSchedulerHook']
__all__ += ['SafeCheckpointHook']
__all__ += ['ReconstructionVisualizationHook']
