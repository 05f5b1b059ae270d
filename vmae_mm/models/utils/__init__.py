from .patchify import (gather_tokens, patchify, patchify_channels_first,
                       token_grid, unpatchify)

__all__ = ['gather_tokens', 'patchify', 'patchify_channels_first',
           'token_grid', 'unpatchify']
