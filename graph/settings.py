"""Settings read from environment variables, checked: a bad value is a one-line error naming the variable."""
import os
from pathlib import Path

from .errors import InputError

__all__ = ["env_number", "ontology_dir", "packaged_ontology_dir"]


def ontology_dir() -> Path:
    """``$AIKG_ONTOLOGY_DIR``, else the installed ``aikg/ontology`` data (``ontology/`` in a checkout)."""
    env = os.environ.get("AIKG_ONTOLOGY_DIR")
    return Path(env) if env else packaged_ontology_dir()


def packaged_ontology_dir() -> Path:
    """Where the ontology ships: ``aikg/ontology`` in a wheel, ``ontology/`` beside ``graph/`` in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "ontology"
    return installed if (installed / "aikg.ttl").is_file() else here.parent / "ontology"


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
