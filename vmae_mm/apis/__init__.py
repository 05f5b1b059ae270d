"""High-level entry points."""
from .inference import (inference_recognizer, init_model, prepare_video,
                        read_label_map)

__all__ = ['inference_recognizer', 'init_model', 'prepare_video',
           'read_label_map']
