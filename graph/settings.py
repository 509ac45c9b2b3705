"""Numbers read from environment variables, checked: a bad value is a one-line error naming the variable."""
import os

from .errors import InputError

__all__ = ["env_number"]


def env_number(name: str, default: float, *, kind=float, minimum: float = 0):
    """``$name`` as ``kind`` (``default`` when unset or empty); InputError when it is not such a number.

    >>> env_number("AIKG_TEST_UNSET_NUMBER", 10)
    10
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value != value or value < minimum:  # value != value: NaN
        what = "a whole number" if kind is int else "a number"
        raise InputError(f"{name} must be {what} of at least {minimum:g}, not {text!r}")
    return value
