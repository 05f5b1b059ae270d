"""Engine: runner, hooks and optimizer wrappers."""
from . import hooks, optimizers  # noqa: F401  (registers them)
from . import loops, samplers  # noqa: F401  (registers them)
from .flexible_runner import VMAEFlexibleRunner
from .runner import VMAERunner

__all__ = ['VMAEFlexibleRunner', 'VMAERunner']
