from .attention import Attention
from .block import Block
from .drop_path import DropPath
from .mlp import Mlp
from .patch_embed import TubeletEmbed
from .pos_embed import sincos_table

__all__ = ['Attention', 'Block', 'DropPath', 'Mlp', 'TubeletEmbed',
           'sincos_table']
