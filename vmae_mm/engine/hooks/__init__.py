"""Training hooks, registered in ``HOOKS``."""
from .portable_checkpoint_hook import PortableCheckpointHook

__all__ = ['PortableCheckpointHook']
