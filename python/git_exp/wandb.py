"""A drop-in for the logging calls of Weights & Biases: ``import git_exp.wandb as wandb``.

The script's other lines stay as they are: ``wandb.init(project=..., config=...)``,
``wandb.config.lr``, ``wandb.log({...}, step=..., commit=...)`` with W&B's step rules,
``run.summary[...]``, ``wandb.define_metric(...)``, ``wandb.finish()``. Everything goes to
git exp (inside `git exp run`, or a standalone run recorded at finish). ``wandb.Image`` of a
file is kept as media; tables and artifacts are refused with a message, never dropped silently.
"""

from __future__ import annotations

import atexit
import fnmatch
import math
import sys
from typing import Any, Dict, Iterator, List, Optional

from . import _run
from ._values import GitExpError, IgnoredValues, Image as _Image, clean_metrics, config_dict, flatten, number, refused_class, unsupported, warn

__all__ = [
    "Artifact", "Config", "Histogram", "Image", "Run", "Summary", "Table", "config", "define_metric",
    "finish", "init", "log", "login", "run", "save", "summary", "watch",
]

#: The current run (None before init), as ``wandb.run``.
run: Optional["Run"] = None


class Config:
    """``wandb.config``: attribute and item access, ``update``, and the dict methods."""

    def __init__(self) -> None:
        object.__setattr__(self, "_run", None)
        object.__setattr__(self, "_data", {})

    def _bind(self, core: Optional[_run.Run]) -> None:
        object.__setattr__(self, "_run", core)
        object.__setattr__(self, "_data", core.config if core is not None else {})

    def update(self, d: Any = None, allow_val_change: Optional[bool] = None, **kwargs: Any) -> None:
        values = dict(config_dict(d))
        values.update(config_dict(kwargs))
        core = self._run
        if core is None:
            self._data.update(values)
        else:
            core.set_config(values, "wandb.config.update")

    def setdefaults(self, d: Dict[str, Any]) -> None:
        self.update({k: v for k, v in d.items() if k not in self._data})

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(f"wandb.config has no {key!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self._data:
            self.update({key: default})
        return self._data[key]

    def keys(self) -> Any:
        return self._data.keys()

    def items(self) -> Any:
        return self._data.items()

    def values(self) -> Any:
        return self._data.values()

    def as_dict(self) -> Dict[str, Any]:
        return dict(self._data)

    def __repr__(self) -> str:
        return f"Config({self._data!r})"


class Summary:
    """``run.summary``: the results. Starts as the last value of each metric logged (or the
    aggregate ``define_metric`` asked for); what is set here wins."""

    def __init__(self, owner: "Run") -> None:
        self._owner = owner
        self._set: Dict[str, Any] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        self._set[key] = value

    def __getitem__(self, key: str) -> Any:
        return self._owner._summary_values()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._owner._summary_values()

    def __delitem__(self, key: str) -> None:
        self._set.pop(key, None)
        self._owner._dropped.add(key)

    def update(self, d: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
        self._set.update(d or {})
        self._set.update(kwargs)

    def get(self, key: str, default: Any = None) -> Any:
        return self._owner._summary_values().get(key, default)

    def keys(self) -> Any:
        return self._owner._summary_values().keys()

    def items(self) -> Any:
        return self._owner._summary_values().items()

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self._set[key] = value

    def __getattr__(self, key: str) -> Any:
        try:
            return self._owner._summary_values()[key]
        except KeyError:
            raise AttributeError(key) from None

    def __repr__(self) -> str:
        return f"Summary({self._owner._summary_values()!r})"


_AGGREGATES = ("min", "max", "mean", "best", "last", "first", "copy", "none")


class _Stats:
    __slots__ = ("first", "last", "min", "max", "sum", "count")

    def __init__(self, v: float) -> None:
        self.first = self.last = v
        self.min = self.max = v
        self.sum = 0.0
        self.count = 0
        self._add_finite(v)

    def add(self, v: float) -> None:
        self.last = v
        if v is not None and not math.isnan(v):
            if self.min is None or math.isnan(self.min) or v < self.min:
                self.min = v
            if self.max is None or math.isnan(self.max) or v > self.max:
                self.max = v
        self._add_finite(v)

    def _add_finite(self, v: Optional[float]) -> None:
        if v is not None and math.isfinite(v):
            self.sum += v
            self.count += 1


class _Metric:
    """What ``define_metric`` said about one metric name (or glob)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.aggregates: List[str] = []
        self.goal: Optional[str] = None


class Run:
    """What ``wandb.init`` returns."""

    def __init__(self, core: Optional[_run.Run], project: Optional[str], name: Optional[str],
                 tags: List[str], notes: Optional[str], group: Optional[str]) -> None:
        self._core = core
        self.project = project
        self.name = name
        self.tags = tuple(tags)
        self.notes = notes
        self.group = group
        self.config = config
        self.summary = Summary(self)
        self._step = 0
        self._row: Dict[str, Any] = {}
        self._stats: Dict[str, _Stats] = {}
        self._metrics: Dict[str, _Metric] = {}
        self._dropped: set = set()
        self._ignored = IgnoredValues("wandb.log")
        self._finished = False

    @property
    def id(self) -> Optional[str]:
        return self._core.id if self._core is not None else None

    @property
    def step(self) -> int:
        return self._step

    def log(self, data: Dict[str, Any], step: Optional[int] = None, commit: Optional[bool] = None) -> None:
        """W&B's rules: each call is a new step unless ``commit=False``; ``step=N`` moves to
        step N, keeping what was logged at the previous step, and is committed when a later
        step arrives (or with ``commit=True``); a step below the current one is ignored."""
        if self._finished:
            raise GitExpError("wandb.log after wandb.finish(): start a new run with wandb.init()")
        if not isinstance(data, dict):
            raise TypeError(f"wandb.log takes a dict, not {type(data).__name__}")
        if step is not None:
            s = number(step)
            if s is None:
                raise TypeError(f"step must be a number, not {type(step).__name__}")
            if s < self._step:
                warn(f"wandb.log: step {s} is below the current step {self._step}: these values are not recorded (steps only go forward, as in W&B)")
                return
            if s > self._step:
                self._commit()
                self._step = int(s)
        self._row.update(clean_metrics(data, self._ignored))
        if commit if commit is not None else step is None:
            self._commit()

    def _commit(self) -> None:
        if self._row:
            row = self._row
            self._row = {}
            if self._core is not None:
                self._core.log(row, step=self._step)
            self._track(row)
        self._step += 1

    def _track(self, row: Dict[str, Any]) -> None:
        for key, v in flatten(row).items():
            if type(v) not in (int, float):
                continue  # media and nulls have no summary
            st = self._stats.get(key)
            if st is None:
                self._stats[key] = _Stats(v)
            else:
                st.add(v)

    def define_metric(self, name: str, step_metric: Optional[str] = None, step_sync: Optional[bool] = None,
                      hidden: Optional[bool] = None, summary: Optional[str] = None, goal: Optional[str] = None,
                      overwrite: Optional[bool] = None) -> _Metric:
        """``summary`` ("min", "max", "mean", "best", "last", "first", "none"; repeatable) picks
        what the results keep; ``goal`` ("minimize"/"maximize") is the direction "best" uses."""
        m = self._metrics.setdefault(name, _Metric(name))
        if summary is not None:
            for agg in (a.strip() for a in str(summary).split(",")):
                if agg not in _AGGREGATES:
                    raise ValueError(f"define_metric: summary {agg!r} is not one of {', '.join(_AGGREGATES)}")
                if agg not in m.aggregates:
                    m.aggregates.append(agg)
        if goal is not None:
            if goal not in ("minimize", "maximize"):
                raise ValueError(f"define_metric: goal must be 'minimize' or 'maximize', not {goal!r}")
            m.goal = goal
        if "best" in m.aggregates and m.goal is None:
            raise ValueError(f"define_metric({name!r}, summary='best') needs goal='minimize' or goal='maximize'")
        if step_metric is not None:
            warn(f"define_metric({name!r}, step_metric={step_metric!r}): a custom x axis is not supported yet; "
                 f"the series are indexed by step (log {step_metric!r} as a metric to keep it)")
        return m

    def _definition(self, key: str) -> Optional[_Metric]:
        m = self._metrics.get(key)
        if m is not None:
            return m
        for pattern, d in self._metrics.items():
            if ("*" in pattern or "?" in pattern) and fnmatch.fnmatchcase(key, pattern):
                return d
        return None

    def _summary_values(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        pending = dict(self._stats)
        for key, v in flatten(self._row).items():  # logged, not yet committed
            if type(v) in (int, float):
                pending.setdefault(key, _Stats(v))
        for key, st in pending.items():
            d = self._definition(key)
            aggs = d.aggregates if d is not None and d.aggregates else ["copy"]
            for agg in aggs:
                if agg == "none":
                    continue
                value = _aggregate(st, agg, d.goal if d is not None else None)
                if value is not None or agg in ("copy", "last"):
                    out[key if agg == "copy" else f"{key}.{agg}"] = value
        for key in self._dropped:
            out.pop(key, None)
        for key, v in flatten(self.summary._set).items():
            out[key] = v
        return out

    def finish(self, exit_code: Optional[int] = None, quiet: Optional[bool] = None) -> None:
        """End the run: a non-zero ``exit_code`` marks it failed, as in W&B."""
        self._end("failed" if exit_code else None, exit_code)

    def _end(self, status: Optional[str], exit_code: Optional[int]) -> None:
        global run
        if self._finished:
            return
        self._commit_pending()
        self._finished = True
        if run is self:
            run = None
        if self._core is None:
            return
        results = self._summary_values()
        if results:
            self._core.summary(results)
        self._core.finish(status=status, exit_code=exit_code)

    def _commit_pending(self) -> None:
        if self._row:
            self._commit()

    def log_artifact(self, *args: Any, **kwargs: Any) -> None:
        _refuse("run.log_artifact (W&B Artifacts)")

    def use_artifact(self, *args: Any, **kwargs: Any) -> None:
        _refuse("run.use_artifact (W&B Artifacts)")

    def save(self, path: str, *args: Any, **kwargs: Any) -> None:
        save(path)

    def watch(self, *args: Any, **kwargs: Any) -> None:
        watch(*args, **kwargs)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._end(*_run._outcome(exc_type, exc))


def _aggregate(st: _Stats, agg: str, goal: Optional[str]) -> Optional[float]:
    if agg in ("copy", "last"):
        return st.last
    if agg == "first":
        return st.first
    if agg == "min":
        return st.min
    if agg == "max":
        return st.max
    if agg == "mean":
        return st.sum / st.count if st.count else None
    if agg == "best":
        return st.min if goal == "minimize" else st.max
    return None


config = Config()
#: ``wandb.summary``: the current run's summary.
summary: Any = None


def init(project: Optional[str] = None, entity: Optional[str] = None, config: Any = None,  # noqa: A002
         name: Optional[str] = None, notes: Optional[str] = None, tags: Optional[List[str]] = None,
         group: Optional[str] = None, job_type: Optional[str] = None, mode: Optional[str] = None,
         reinit: Any = None, **ignored: Any) -> Run:
    """Start a run: ``project``, ``group`` and ``job_type`` become tags (``project=NAME``),
    ``notes`` the message; ``mode="disabled"`` records nothing, as in W&B."""
    global run, summary
    if ignored:
        warn(f"wandb.init: {', '.join(sorted(ignored))} not supported by git_exp, ignored")
    if run is not None:
        run.finish()
    all_tags = [str(t) for t in tags or []]
    for key, value in (("project", project), ("group", group), ("job_type", job_type)):
        if value:
            all_tags.append(f"{key}={value}".replace(" ", "_").replace(",", ";"))
    core = None if mode == "disabled" else _run.start(config=config, name=name, tags=all_tags, message=notes)
    globals()["config"]._bind(core)
    if core is None:
        globals()["config"].update(config_dict(config))
    run = Run(core, project, name, all_tags, notes, group)
    summary = run.summary
    _at_exit_once()
    return run


_registered = False


def _at_exit_once() -> None:
    global _registered
    if not _registered:
        _registered = True
        atexit.register(_at_exit)  # runs before the core's own exit handler (registered earlier)


def _at_exit() -> None:
    """A run not finished by the script ends with the interpreter: its pending step and summary are kept."""
    if run is None:
        return
    try:
        run._end(*_run._outcome(*(_run._uncaught or (None, None))))
    except GitExpError as e:
        sys.stderr.write(f"git_exp.wandb: {e}\n")


def _current() -> Run:
    if run is None:
        raise GitExpError("call wandb.init() before logging (as W&B requires)")
    return run


def log(data: Dict[str, Any], step: Optional[int] = None, commit: Optional[bool] = None, sync: Optional[bool] = None) -> None:
    _current().log(data, step=step, commit=commit)


def define_metric(name: str, step_metric: Optional[str] = None, step_sync: Optional[bool] = None,
                  hidden: Optional[bool] = None, summary: Optional[str] = None, goal: Optional[str] = None,
                  overwrite: Optional[bool] = None) -> _Metric:
    return _current().define_metric(name, step_metric, step_sync, hidden, summary, goal, overwrite)


def finish(exit_code: Optional[int] = None, quiet: Optional[bool] = None) -> None:
    if run is not None:
        run.finish(exit_code=exit_code, quiet=quiet)


def login(*args: Any, **kwargs: Any) -> bool:
    """Nothing to log in to: experiments are recorded in the repository."""
    return True


def save(path: str, *args: Any, **kwargs: Any) -> None:
    """``wandb.save(path)``: the file is recorded as an output of the run (its checksum)."""
    core = _current()._core
    if isinstance(core, _run.StandaloneRun):
        core.outputs.append(str(path))
    elif core is not None:
        warn(f"wandb.save({path!r}) inside git exp run: pass --output {path} to git exp run to record it")


def watch(*args: Any, **kwargs: Any) -> None:
    warn("wandb.watch: gradients and parameter histograms are not supported yet; nothing is recorded for them")


_HINT = (
    "only numbers are logged. Save the file and record it as an output (git exp run --output PATH, "
    "or wandb.save(PATH)), and log numbers with wandb.log"
)


def _refuse(what: str) -> None:
    raise GitExpError(f"{what} is not supported by git_exp yet: {_HINT}", 2)


#: Image files are kept as media; arrays and PIL images are refused (save them to a file).
Image = _Image
Table = refused_class("wandb.Table", _HINT)
Artifact = refused_class("wandb.Artifact", _HINT)
Histogram = refused_class("wandb.Histogram", _HINT)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise unsupported("git_exp.wandb", name, "supported: init, config, log, summary, define_metric, finish, save, login")
