"""git_exp: record machine-learning runs with git exp, from Python.

Inside ``git exp run -- python train.py``::

    import git_exp
    config = git_exp.config()                 # the run's parameters ({} outside a run)
    git_exp.log({"loss": 0.4, "val": {"acc": 0.9}}, step=3)
    git_exp.summary({"test_acc": 0.93})       # the final results

In a notebook or a script started without ``git exp run``::

    with git_exp.init(config={"lr": 0.1}, name="baseline") as run:
        run.log({"loss": 0.4})
    # recorded by `git exp record -` when the block ends (or at exit, or at run.finish())

Standard library only; the CLI must be on PATH for standalone runs. See docs/python.md.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import _run
from ._run import Run
from ._values import GitExpError, GitExpWarning, Image

__all__ = ["GitExpError", "GitExpWarning", "Image", "Run", "config", "finish", "init", "log", "running", "summary"]
__version__ = "0.1.0"


def config() -> Dict[str, Any]:
    """The run's config (its parameters): ``{}`` outside a run."""
    run = _run.current()
    return run.config if run is not None else {}


def log(metrics: Dict[str, Any], step: Optional[float] = None) -> bool:
    """Log one point of each metric (nested dicts are groups: ``{"val": {"acc": 0.9}}``).

    Without ``step`` points are numbered 0, 1, 2, ... per call. numpy and torch scalars are
    converted; NaN and infinities are kept; other values are left out with one warning per
    metric. Outside a run it does nothing and returns False.
    """
    run = _run._current
    if run is None:
        run = _run.command_run()
        if run is None:
            return False
    run.log(metrics, step)
    return True


def summary(metrics: Dict[str, Any]) -> bool:
    """Set the run's final results (instead of the last value of each metric)."""
    run = _run.current()
    if run is None:
        return False
    run.summary(metrics)
    return True


def running() -> bool:
    """True inside `git exp run` or while a standalone run is open: logging is recorded."""
    return _run.current() is not None


init = _run.start


def finish(status: Optional[str] = None, exit_code: Optional[int] = None) -> Optional[str]:
    """Finish the current run; returns the recorded experiment's id (standalone runs)."""
    run = _run.current()
    return run.finish(status=status, exit_code=exit_code) if run is not None else None
