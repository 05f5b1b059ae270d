"""Training hooks, registered in ``HOOKS``."""
from .flops_hook import FlopsCounterHook
from .portable_checkpoint_hook import PortableCheckpointHook

__all__ = ['FlopsCounterHook', 'PortableCheckpointHook']
