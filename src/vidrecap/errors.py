"""User-facing errors: the CLI prints one line for these and exits non-zero."""


class VidrecapError(Exception):
    """An error caused by input or environment, reported as one clear line."""

    exit_code = 2


class InputError(VidrecapError):
    """The input file or data is missing, unreadable or malformed."""


class BackendError(VidrecapError):
    """A model backend is unavailable or failed."""

    exit_code = 3
