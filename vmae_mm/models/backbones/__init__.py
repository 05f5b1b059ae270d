from .vit3d import VisionTransformer3D

__all__ = ['VisionTransformer3D']
