"""A drop-in for MLflow's fluent tracking calls: ``import git_exp.mlflow as mlflow``.

``start_run`` / ``end_run`` (or ``with mlflow.start_run():``), ``log_param(s)`` into the
config, ``log_metric(s)`` into series, ``set_tag(s)`` as tags ``key=value``,
``log_artifact`` as an output with its checksum, ``log_dict`` / ``log_text`` as small files
kept in the experiment. As in MLflow, logging without a run starts one.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from typing import Any, Dict, List, Optional

from . import _run
from ._values import GitExpError, IgnoredValues, clean_metrics, number, unsupported, warn

__all__ = [
    "ActiveRun", "active_run", "autolog", "end_run", "log_artifact", "log_artifacts", "log_dict", "log_metric",
    "log_metrics", "log_param", "log_params", "log_text", "set_experiment", "set_tag", "set_tags",
    "set_tracking_uri", "start_run",
]

_STATUS = {"FINISHED": "completed", "FAILED": "failed", "KILLED": "interrupted"}


class RunInfo:
    def __init__(self, owner: "ActiveRun") -> None:
        self._owner = owner

    @property
    def run_id(self) -> Optional[str]:
        return self._owner._core.id

    @property
    def run_name(self) -> Optional[str]:
        core = self._owner._core
        return getattr(core, "name", None)


class ActiveRun:
    """What ``start_run`` returns; a context manager, as in MLflow."""

    def __init__(self, core: _run.Run) -> None:
        self._core = core
        self.info = RunInfo(self)
        self._steps: Dict[str, int] = {}
        self._ignored = IgnoredValues("mlflow.log_metric")

    def _log(self, metrics: Dict[str, Any], step: Optional[int]) -> None:
        clean = clean_metrics(metrics, self._ignored)
        if not clean:
            return
        if step is None:
            # MLflow keeps every value with its time; here each metric counts its own points.
            by_step: Dict[int, Dict[str, Any]] = {}
            for k, v in clean.items():
                s = self._steps.get(k, 0)
                by_step.setdefault(s, {})[k] = v
            for s, part in by_step.items():
                self._write(part, s)
        else:
            self._write(clean, step)

    def _write(self, metrics: Dict[str, Any], step: Any) -> None:
        self._core.log(metrics, step=step)
        s = number(step) or 0
        for k in metrics:
            self._steps[k] = max(self._steps.get(k, 0), int(s) + 1)

    def __enter__(self) -> "ActiveRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        _end(self, *_run._outcome(exc_type, exc))


_active: Optional[ActiveRun] = None
_experiment: Optional[str] = None
_registered = False


def start_run(run_id: Optional[str] = None, experiment_id: Optional[str] = None, run_name: Optional[str] = None,
              nested: bool = False, tags: Optional[Dict[str, Any]] = None, description: Optional[str] = None,
              log_system_metrics: Optional[bool] = None, **ignored: Any) -> ActiveRun:
    """Start a run: ``run_name`` is its name, ``tags`` become tags ``key=value``, ``description`` its message."""
    global _active, _registered
    if _active is not None:
        if nested:
            raise GitExpError("nested runs (start_run(nested=True)) are not supported yet: end the active run first", 2)
        raise GitExpError("a run is already active: end it with mlflow.end_run() first (as MLflow requires)", 2)
    if run_id is not None:
        raise GitExpError("resuming a run (start_run(run_id=...)) is not supported: experiments are written once", 2)
    if ignored:
        warn(f"mlflow.start_run: {', '.join(sorted(ignored))} not supported by git_exp, ignored")
    all_tags = dict(tags or {})
    name = run_name if run_name is not None else all_tags.pop("mlflow.runName", None)
    message = description if description is not None else all_tags.pop("mlflow.note.content", None)
    tag_list = [t for t in (_tag(k, v) for k, v in all_tags.items()) if t]
    if _experiment:
        tag_list.append(_tag("experiment", _experiment) or "experiment")
    core = _run.start(name=name, tags=tag_list, message=message)
    _active = ActiveRun(core)
    if not _registered:
        _registered = True
        atexit.register(_at_exit)
    return _active


def active_run() -> Optional[ActiveRun]:
    return _active


def _ensure() -> ActiveRun:
    return _active if _active is not None else start_run()


def end_run(status: str = "FINISHED") -> None:
    """End the active run: FINISHED (completed), FAILED or KILLED (interrupted)."""
    if _active is None:
        return
    if status not in _STATUS:
        raise ValueError(f"end_run: status must be one of {', '.join(_STATUS)}, not {status!r}")
    _end(_active, _STATUS[status], None if status == "FINISHED" else (1 if status == "FAILED" else 130))


def _end(run: ActiveRun, status: Optional[str], exit_code: Optional[int]) -> None:
    global _active
    if _active is run:
        _active = None
    if not run._core.finished:
        run._core.finish(status=status, exit_code=exit_code)


def _at_exit() -> None:
    if _active is None:
        return
    try:
        _end(_active, *_run._outcome(*(_run._uncaught or (None, None))))
    except GitExpError as e:
        sys.stderr.write(f"git_exp.mlflow: {e}\n")


def log_param(key: str, value: Any) -> Any:
    """A parameter, kept in the config with its type (MLflow would make it a string)."""
    _ensure()._core.set_config({key: value}, "mlflow.log_param")
    return value


def log_params(params: Dict[str, Any]) -> None:
    _ensure()._core.set_config(dict(params), "mlflow.log_params")


def log_metric(key: str, value: Any, step: Optional[int] = None, timestamp: Optional[int] = None, **ignored: Any) -> None:
    """One point of a metric; without ``step``, the metric's own count of points."""
    _ensure()._log({key: value}, step)


def log_metrics(metrics: Dict[str, Any], step: Optional[int] = None, timestamp: Optional[int] = None, **ignored: Any) -> None:
    _ensure()._log(dict(metrics), step)


def _tag(key: str, value: Any) -> Optional[str]:
    """A tag as git exp spells it: ``key=value``, spaces as ``_`` and commas as ``;``."""
    text = f"{key}={value}" if value not in (None, "") else str(key)
    tag = "_".join(text.split()).replace(",", ";")
    if len(tag) > 100:
        warn(f"tag {key}: {tag[:40]}... is over 100 characters and is not recorded; put long text in the description")
        return None
    return tag


def set_tag(key: str, value: Any) -> None:
    """A tag ``key=value``; ``mlflow.runName`` renames and ``mlflow.note.content`` is the message."""
    set_tags({key: value})


def set_tags(tags: Dict[str, Any]) -> None:
    core = _ensure()._core
    if not isinstance(core, _run.StandaloneRun):
        warn("mlflow.set_tag inside git exp run is ignored: give tags to git exp run (--tag key=value)")
        return
    for k, v in tags.items():
        if k == "mlflow.runName":
            core.name = str(v)
        elif k == "mlflow.note.content":
            core.message = str(v)
        else:
            t = _tag(k, v)
            if t:
                core.tags.append(t)


def log_artifact(local_path: str, artifact_path: Optional[str] = None, **ignored: Any) -> None:
    """The file (or folder) is recorded as an output with its checksum."""
    core = _ensure()._core
    if not os.path.exists(local_path):
        raise GitExpError(f"log_artifact: {local_path} does not exist", 3)
    if isinstance(core, _run.StandaloneRun):
        core.outputs.append(os.path.abspath(local_path))
    else:
        warn(f"mlflow.log_artifact({local_path!r}) inside git exp run: pass --output {local_path} to git exp run to record it")


def log_artifacts(local_dir: str, artifact_path: Optional[str] = None, **ignored: Any) -> None:
    log_artifact(local_dir, artifact_path)


def log_text(text: str, artifact_file: str, **ignored: Any) -> None:
    """Kept in the experiment as artifacts/ARTIFACT_FILE (with its checksum in outputs)."""
    _store(artifact_file, text.encode("utf-8"), "log_text")


def log_dict(dictionary: Dict[str, Any], artifact_file: str, **ignored: Any) -> None:
    """Kept as JSON under artifacts/ARTIFACT_FILE (JSON is YAML too, for .yaml names)."""
    from ._values import jsonable

    _store(artifact_file, (json.dumps(dictionary, indent=2, sort_keys=True, default=jsonable) + "\n").encode("utf-8"), "log_dict")


def _store(name: str, data: bytes, what: str) -> None:
    core = _ensure()._core
    if isinstance(core, _run.StandaloneRun):
        core.store_file(name, data)
    else:
        warn(f"mlflow.{what}({name!r}) inside git exp run: write the file and pass --store-output to git exp run to keep it")


def autolog(*args: Any, **kwargs: Any) -> None:
    """Does nothing, and says so: log what you need with log_param / log_metric."""
    warn("mlflow.autolog() does nothing in git_exp: nothing is logged automatically; call log_params / log_metric")


def set_tracking_uri(uri: str) -> None:
    """Experiments are recorded in the repository; there is no tracking server."""


def set_experiment(experiment_name: Optional[str] = None, experiment_id: Optional[str] = None) -> None:
    """Runs started afterwards get the tag ``experiment=NAME``."""
    global _experiment
    _experiment = experiment_name or experiment_id


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise unsupported("git_exp.mlflow", name, "models and flavors such as mlflow.sklearn too: save the model to a file and log_artifact it")
