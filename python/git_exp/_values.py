"""Turning what training code logs into what the metrics protocol holds: numbers."""

from __future__ import annotations

import json
import os
import sys
import warnings
from typing import Any, Callable, Dict, Optional, Set


class GitExpError(RuntimeError):
    """git-exp could not do what was asked; the message says what to do.

    ``exit_code`` is the CLI's exit code when the CLI refused (2 bad input, 3 not found,
    4 environment), else None.
    """

    def __init__(self, message: str, exit_code: Optional[int] = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class GitExpWarning(UserWarning):
    """Something logged was not recorded, or a setting was ignored; the message says which."""


_HERE = os.path.dirname(os.path.abspath(__file__))


def warn(message: str) -> None:
    """A GitExpWarning pointing at the user's line that caused it, past the package's frames."""
    level = 2
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _HERE:
        frame = frame.f_back
        level += 1
    warnings.warn(message, GitExpWarning, stacklevel=level)


def number(value: Any) -> Optional[float]:
    """The value as an int or float, or None when it is not a number.

    numpy, torch, jax and TensorFlow scalars (anything with ``.item()`` giving a number) are
    converted without importing those libraries. Booleans are not numbers here.
    """
    t = type(value)
    if t is float or t is int:
        return value
    if t is bool or isinstance(value, (str, bytes)):
        return None
    if isinstance(value, (int, float)):  # numpy.float64 is a float subclass
        return None if isinstance(value, bool) else (float(value) if isinstance(value, float) else int(value))
    item = getattr(value, "item", None)
    if callable(item):
        try:
            v = item()
        except Exception:  # a tensor of many elements, a missing device: not a scalar
            return None
        if type(v) is float or type(v) is int:
            return v
        return None
    # Fractions and other numbers.Real without importing numbers
    if hasattr(value, "__float__") and hasattr(value, "__round__"):
        try:
            return float(value)
        except Exception:
            return None
    return None


MEDIA_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


class Image:
    """An image file logged at a step: ``log({"samples": Image("out/sample.png")})``.

    Kept in the experiment as media/<key>/<step>.<ext> (PNG, JPEG, GIF, SVG, WebP; size caps
    in docs/media-and-artifacts.md). Only at the top level of a log call.
    """

    def __init__(self, data_or_path: Any, caption: Optional[str] = None, **ignored: Any) -> None:
        if not isinstance(data_or_path, str) and not hasattr(data_or_path, "__fspath__"):
            raise GitExpError(
                f"Image({type(data_or_path).__name__}) is not supported yet: save the image to a file "
                "(PNG, JPEG, GIF, SVG or WebP) and give its path",
                2,
            )
        path = os.path.abspath(os.fspath(data_or_path))
        if not path.lower().endswith(MEDIA_EXTENSIONS):
            raise GitExpError(f"Image({path!r}): not one of {', '.join(e[1:] for e in MEDIA_EXTENSIONS)}", 2)
        if not os.path.isfile(path):
            raise GitExpError(f"Image({path!r}): the file does not exist", 3)
        self.path = path
        self.caption = caption


def media_path(v: Any) -> Optional[str]:
    """The file of a media value: an Image, or the protocol's ``{"image": PATH}``."""
    if isinstance(v, Image):
        return v.path
    if isinstance(v, dict) and len(v) == 1 and isinstance(v.get("image"), str):
        return v["image"]
    return None


def clean_metrics(metrics: Any, ignored: Callable[[str, Any], None], prefix: str = "") -> Dict[str, Any]:
    """The metrics as nested dicts of numbers (and None); anything else goes to ``ignored``.

    The common case (a flat dict of str keys and Python numbers) is returned as is, unread
    twice: ``log`` is called in training loops.
    """
    if not isinstance(metrics, dict):
        raise TypeError(f"metrics must be a dict of names to numbers, not {type(metrics).__name__}")
    for k, v in metrics.items():
        t = type(v)
        if (t is not float and t is not int) or type(k) is not str:
            break
    else:
        return metrics
    out: Dict[str, Any] = {}
    for k, v in metrics.items():
        key = k if type(k) is str else str(k)
        t = type(v)
        if t is float or t is int or v is None:
            out[key] = v
        elif not prefix and media_path(v) is not None:
            out[key] = {"image": media_path(v)}
        elif isinstance(v, Image):  # below the top level: the protocol keeps media at the top only
            ignored(prefix + key, v)
        elif isinstance(v, dict):
            sub = clean_metrics(v, ignored, f"{prefix}{key}.")
            if sub:
                out[key] = sub
        else:
            n = number(v)
            if n is None:
                ignored(prefix + key, v)
            else:
                out[key] = n
    return out


class IgnoredValues:
    """Warns once per metric name that a value was not a number and was not recorded."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.seen: Set[str] = set()

    def __call__(self, key: str, value: Any) -> None:
        if key in self.seen:
            return
        self.seen.add(key)
        warn(
            f"{self.where}: {key} is {type(value).__name__}, not a number: not recorded "
            "(said once per metric; log numbers, and record files as outputs)"
        )


def jsonable(value: Any) -> Any:
    """json.dumps' default= for configs: numpy scalars and arrays, paths, namespaces, sets."""
    n = number(value)
    if n is not None:
        return n
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "__fspath__"):
        return str(value.__fspath__())
    if hasattr(value, "__dict__") and type(value).__name__ == "Namespace":
        return vars(value)
    return str(value)


def config_dict(config: Any) -> Dict[str, Any]:
    """A config as a plain JSON-ready dict: a dict, an argparse.Namespace or None."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        if hasattr(config, "__dict__") and not isinstance(config, type):
            config = vars(config)
        else:
            raise TypeError(f"config must be a dict (or an argparse.Namespace), not {type(config).__name__}")
    # Round-trip through JSON: what the run sees is what is recorded.
    return json.loads(json.dumps(config, default=jsonable))


def flatten(d: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    """{"val": {"acc": 1}} -> {"val.acc": 1}: metric key paths as the CLI names them."""
    out: Dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def deep_merge(target: Dict[str, Any], source: Dict[str, Any]) -> None:
    for k, v in source.items():
        cur = target.get(k)
        if isinstance(v, dict) and isinstance(cur, dict):
            deep_merge(cur, v)
        else:
            target[k] = v


def unsupported(module: str, name: str, hint: str) -> AttributeError:
    """What a shim says about a name it does not have: not supported yet, and what to do."""
    return AttributeError(f"{module} has no {name}: not supported yet ({hint})")


def refused_class(what: str, hint: str) -> type:
    """A class whose construction is refused with a GitExpError: never dropped silently."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        raise GitExpError(f"{what} is not supported by git_exp yet: {hint}", 2)

    return type(what.split(" ")[0].split(".")[-1], (), {"__init__": __init__, "__doc__": f"Refused: {what} is not supported yet."})
