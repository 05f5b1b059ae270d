from .vmae_decoder import VideoMAEDecoder

__all__ = ['VideoMAEDecoder']
