"""Model analysis: FLOPs counted with fvcore on the real forward pass."""
from .flops import (FLOP_UNIT, IGNORED_OPS, FlopsReport, count_flops,
                    default_input_shape, format_giga, format_split,
                    format_unsupported)

__all__ = ['FLOP_UNIT', 'IGNORED_OPS', 'FlopsReport', 'count_flops',
           'default_input_shape', 'format_giga', 'format_split',
           'format_unsupported']
