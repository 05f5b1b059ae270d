"""Optimizer wrappers and parameter-group constructors."""
from .bf16_optim_wrapper import BF16OptimWrapper
from .constructor import VideoMAEOptimWrapperConstructor

__all__ = ['BF16OptimWrapper', 'VideoMAEOptimWrapperConstructor']
