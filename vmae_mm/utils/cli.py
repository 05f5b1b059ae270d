"""Command-line entry points: errors a user can act on, in one line."""
import os
import sys
from typing import Callable

from vmae_mm.utils.config_check import ConfigError

#: Errors caused by the user's input (files, configs, data) rather than bugs.
USER_ERRORS = (ConfigError, FileNotFoundError, KeyError, ValueError)


def one_line(err: BaseException) -> str:
    """The last meaningful line of an error message.

    Errors re-raised from data-loader workers carry the worker's whole
    traceback in their message; the user needs its last line.
    """
    text = str(err).strip().strip('"\'')
    if 'Original Traceback' in text:
        text = text.strip().splitlines()[-1]
        text = text.split(': ', 1)[-1] if ': ' in text else text
    return ' '.join(text.split())


def run_cli(main: Callable[[], None]) -> None:
    """Run ``main``; a user error exits with status 1 and one line on
    stderr (``VMAE_DEBUG=1`` shows the traceback instead)."""
    try:
        main()
    except USER_ERRORS as err:
        if os.environ.get('VMAE_DEBUG'):
            raise
        prog = os.path.basename(sys.argv[0])
        print(f'{prog}: error: {type(err).__name__}: {one_line(err)}',
              file=sys.stderr)
        sys.exit(1)
