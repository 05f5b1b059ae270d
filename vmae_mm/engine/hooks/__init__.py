"""Training hooks, registered in ``HOOKS``."""
from .deferred_runtime_info_hook import DeferredRuntimeInfoHook
from .flops_hook import FlopsCounterHook
from .linear_probe_hook import LinearProbeHook
from .mask_ratio_hook import MaskRatioSchedulerHook
from .portable_checkpoint_hook import PortableCheckpointHook
from .progress_hook import EvalProgressBarHook
from .reconstruction_hook import ReconstructionVisualizationHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['FlopsCounterHook', 'PortableCheckpointHook']
__all__ += ['MaskRatioSchedulerHook']
__all__ += ['SafeCheckpointHook']
__all__ += ['ReconstructionVisualizationHook']
__all__ += ['EvalProgressBarHook']
__all__ += ['LinearProbeHook']
__all__ += ['DeferredRuntimeInfoHook']
