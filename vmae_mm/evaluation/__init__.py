"""Evaluation metrics, registered in ``METRICS``."""
from .metrics import AccMetric

__all__ = ['AccMetric']
