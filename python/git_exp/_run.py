"""Runs: the one `git exp run` started around this process, or one this process records itself.

Both write the metrics protocol of `git exp run`: one JSON object a line, ``{"step": 3,
"loss": 0.4}``, and ``{"final": true, ...}`` for the results. Inside `git exp run` the lines
go to the file named by GIT_EXP_METRICS; a standalone run writes them to a file of its own
and, when it finishes, hands them with one experiment document to `git exp record -`.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

from ._values import GitExpError, IgnoredValues, clean_metrics, media_path, config_dict, deep_merge, jsonable, warn

_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=True).encode

# Buffered lines reach the file at least this often, so `git exp ls --running` and the
# dashboard see a run move; a flush per line would cost as much as the logging itself.
FLUSH_SECONDS = 0.5


class _Sink:
    """An append-only metrics file, opened on the first line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: Any = None
        self._flushed = 0.0

    def write(self, line: str) -> None:
        f = self._file
        if f is None:
            f = self._file = open(self.path, "a", encoding="utf-8")
        f.write(line)
        now = time.monotonic()
        if now - self._flushed > FLUSH_SECONDS:
            f.flush()
            self._flushed = now

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Run:
    """A run: ``log`` metrics, set the ``summary``, ``finish``. Also a context manager."""

    #: The experiment's id once recorded (standalone runs), else None.
    id: Optional[str] = None

    def __init__(self, sink: _Sink, config: Dict[str, Any]) -> None:
        self._sink = sink
        self.config: Dict[str, Any] = config
        self._summary: Dict[str, Any] = {}
        self._ignored = IgnoredValues("git_exp.log")
        self._ignored_summary = IgnoredValues("git_exp.summary")
        self.finished = False

    @property
    def standalone(self) -> bool:
        """True when this process records the run itself (not inside `git exp run`)."""
        return False

    def log(self, metrics: Dict[str, Any], step: Optional[float] = None) -> None:
        """One point of each metric: ``run.log({"loss": 0.4, "val": {"acc": 0.9}}, step=3)``."""
        clean = clean_metrics(metrics, self._ignored)
        if step is not None:
            line = {"step": _step(step)}
            line.update(clean)
            clean = line
        self._sink.write(_encode(clean) + "\n")

    def summary(self, metrics: Dict[str, Any]) -> None:
        """The run's final results; later calls add to (and override) earlier ones."""
        deep_merge(self._summary, clean_metrics(metrics, self._ignored_summary))
        line = {"final": True}
        line.update(self._summary)
        self._sink.write(_encode(line) + "\n")
        self._sink.flush()

    def set_config(self, updates: Dict[str, Any], where: str = "config") -> None:
        """Add parameters: recorded with a standalone run; inside `git exp run` only warned about."""
        deep_merge(self.config, config_dict(updates))

    def finish(self, status: Optional[str] = None, exit_code: Optional[int] = None) -> Optional[str]:
        """End the run. Inside `git exp run` the lines are flushed; the CLI records when the script exits."""
        self._sink.flush()
        self.finished = True
        _forget(self)
        return None

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        status, code = _outcome(exc_type, exc)
        self.finish(status=status, exit_code=code)


class _CommandRun(Run):
    """The run `git exp run` started around this process: its config is already recorded."""

    def set_config(self, updates: Dict[str, Any], where: str = "config") -> None:
        given = config_dict(updates)
        notes: List[str] = []
        _merge_under(self.config, given, "", notes)
        if notes:
            warn(
                f"{where}: git exp run recorded this run's config before the script started, "
                f"so nothing is merged into it: {'; '.join(notes)}. Pass parameters to git exp run "
                "(-p KEY=VALUE or --config FILE) to record them"
            )

    def finish(self, status: Optional[str] = None, exit_code: Optional[int] = None) -> Optional[str]:
        if status not in (None, "completed") or exit_code not in (None, 0):
            warn("inside git exp run, the script's own exit code decides how the run ended; exit with it")
        return super().finish(status, exit_code)


def _merge_under(config: Dict[str, Any], given: Dict[str, Any], prefix: str, notes: List[str]) -> None:
    """Keys the recorded config lacks are seen by the script but not recorded; the recorded values win."""
    for k, v in given.items():
        key = prefix + k
        if k not in config:
            config[k] = v
            notes.append(f"{key} is not recorded")
        elif isinstance(v, dict) and isinstance(config[k], dict):
            _merge_under(config[k], v, key + ".", notes)
        elif config[k] != v:
            notes.append(f"{key}={json.dumps(v, default=jsonable)} is ignored, the run has {json.dumps(config[k], default=jsonable)}")


class StandaloneRun(Run):
    """A run this process records itself, through `git exp record -` when it finishes."""

    def __init__(
        self,
        config: Dict[str, Any],
        name: Optional[str],
        tags: List[str],
        message: Optional[str],
        inputs: List[str],
        outputs: List[str],
        cwd: str,
        tmp: str,
    ) -> None:
        super().__init__(_Sink(os.path.join(tmp, "metrics.jsonl")), config)
        self.name = name
        self.tags = tags
        self.message = message
        #: Files or folders the run read / wrote, checksummed when it is recorded.
        self.inputs = inputs
        self.outputs = outputs
        #: Small files kept in the experiment under artifacts/: name -> bytes.
        self.stored: Dict[str, bytes] = {}
        self._cwd = cwd
        self._tmp = tmp
        self._started = time.time()
        self._clock = time.monotonic()
        self._media = 0

    @property
    def standalone(self) -> bool:
        return True

    def log(self, metrics: Dict[str, Any], step: Optional[float] = None) -> None:
        # The run is recorded at its end: keep each step's image as it was when logged.
        if any(media_path(v) is not None for v in metrics.values()):
            metrics = {k: self._copy(media_path(v)) if media_path(v) is not None else v for k, v in metrics.items()}
        super().log(metrics, step)

    def _copy(self, path: Any) -> Any:
        import shutil

        self._media += 1
        kept = os.path.join(self._tmp, f"media-{self._media}{os.path.splitext(path)[1]}")
        try:
            shutil.copyfile(path, kept)
        except OSError:
            return {"image": path}  # the CLI says it is missing when the run is recorded
        return {"image": kept}

    def store_file(self, name: str, data: bytes) -> None:
        """Keep a small file in the experiment (artifacts/NAME), with its checksum in outputs."""
        self.stored[name] = data

    def finish(self, status: Optional[str] = None, exit_code: Optional[int] = None) -> Optional[str]:
        """Record the run (status ``completed`` unless said) and return the experiment's id."""
        if self.finished:
            return self.id
        self.finished = True
        _forget(self)
        self._sink.close()
        status = status or ("completed" if not exit_code else "failed")
        from ._record import record

        self.id = record(self._document(status, exit_code), self._sink.path, self.inputs, self.outputs, self._cwd, self._tmp)
        return self.id

    def _document(self, status: str, exit_code: Optional[int]) -> Dict[str, Any]:
        meta: Dict[str, Any] = {"status": status, "duration_s": round(time.monotonic() - self._clock, 3)}
        if exit_code is not None:
            meta["exit_code"] = exit_code
        if not os.environ.get("GIT_AUTHOR_DATE"):  # as for a commit, GIT_AUTHOR_DATE fixes the time
            meta["created_at"] = _rfc3339(self._started)
        if self.name is not None:
            meta["name"] = self.name
        if self.tags:
            meta["tags"] = list(dict.fromkeys(self.tags))
        if self.message:
            meta["message"] = self.message
        command = _command()
        if command:
            meta["command"] = command
        doc: Dict[str, Any] = {"experiment": meta, "config": self.config, "results": {}}
        if self.stored:
            import hashlib

            doc["files"] = {"artifacts/" + n.lstrip("/"): _file_entry(d) for n, d in self.stored.items()}
            doc["outputs"] = {n.lstrip("/"): {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in self.stored.items()}
        return doc


def _file_entry(data: bytes) -> Dict[str, str]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        import base64

        return {"base64": base64.b64encode(data).decode("ascii")}


def _rfc3339(t: float) -> str:
    ms = int(t * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def _command() -> Optional[List[str]]:
    """How this script was started, so `git exp repro` can run it again; None in a notebook."""
    main = sys.modules.get("__main__")
    argv = getattr(sys, "argv", None) or []
    if hasattr(sys, "ps1") or not argv or not argv[0] or getattr(main, "__file__", None) is None:
        return None
    if argv[0].endswith("ipykernel_launcher.py") or argv[0] in ("-", "-c") or not os.path.isfile(argv[0]):
        return None
    exe = os.path.basename(sys.executable) or "python3"
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", None):  # python -m module
        return [exe, "-m", spec.name.replace(".__main__", ""), *argv[1:]]
    return [exe, *argv]


def _step(step: Any) -> Any:
    from ._values import number

    n = number(step)
    if n is None:
        raise TypeError(f"step must be a number, not {type(step).__name__}")
    return n


def _outcome(exc_type: Any, exc: Any) -> "tuple[str, Optional[int]]":
    """How a run ended, from the exception that ended it (None: it did not raise)."""
    if exc_type is None:
        return "completed", None
    if issubclass(exc_type, KeyboardInterrupt):
        return "interrupted", 130
    if issubclass(exc_type, SystemExit):
        code = getattr(exc, "code", None)
        if code is None or code == 0:
            return "completed", None
        return "failed", code if isinstance(code, int) else 1
    return "failed", 1


# ---- the current run ------------------------------------------------------------------

_current: Optional[Run] = None
_command_run: Optional[Run] = None
_uncaught: Any = None  # the type of the exception that is ending the interpreter, if any
_hooked = False


def command_run() -> Optional[Run]:
    """The run `git exp run` started around this process, or None outside one."""
    global _command_run
    if _command_run is None:
        metrics = os.environ.get("GIT_EXP_METRICS")
        if not metrics:
            return None
        path = os.environ.get("GIT_EXP_CONFIG")
        config: Dict[str, Any] = {}
        if path:
            with open(path, encoding="utf-8") as f:
                config = json.load(f)
        _command_run = _CommandRun(_Sink(metrics), config)
        atexit.register(_command_run._sink.close)
    return _command_run


def current() -> Optional[Run]:
    """The run metrics go to: a standalone one this process started, else `git exp run`'s."""
    return _current if _current is not None else command_run()


def _forget(run: Run) -> None:
    global _current
    if _current is run:
        _current = None


def start(
    config: Any = None,
    name: Optional[str] = None,
    tags: Optional[List[str]] = None,
    inputs: Optional[List[str]] = None,
    outputs: Optional[List[str]] = None,
    message: Optional[str] = None,
) -> Run:
    """Start a run, or return the one `git exp run` started.

    Outside `git exp run` this process records the run itself when it finishes
    (``run.finish()``, the end of a ``with`` block, or interpreter exit: completed, failed on
    an uncaught exception, interrupted on KeyboardInterrupt). Raises GitExpError at once
    when git exp is not on PATH or the folder is not in a git repository. Inside `git exp
    run` nothing is merged into the config already recorded: keys it lacks are visible to
    the script but not recorded, and a warning says so.
    """
    global _current
    run = command_run()
    if run is not None:
        run.set_config(config_dict(config), "init(config=...)")
        given = [n for n, v in (("name", name), ("tags", tags), ("inputs", inputs), ("outputs", outputs), ("message", message)) if v]
        if given:
            warn(
                f"init({', '.join(given)}=...) inside git exp run is ignored: give them to git exp run "
                "(--name, --tag, --input, --output, --message)"
            )
        return run
    if _current is not None and not _current.finished:
        _current.finish()  # a notebook cell run again starts a new run
    from ._record import check_environment

    cwd = os.getcwd()
    tmp = check_environment(cwd)
    _current = StandaloneRun(
        config_dict(config), name, [str(t) for t in tags or []], message,
        [os.fspath(p) for p in inputs or []], [os.fspath(p) for p in outputs or []], cwd, tmp,
    )
    _install_hooks()
    return _current


def _install_hooks() -> None:
    global _hooked
    if _hooked:
        return
    _hooked = True
    previous = sys.excepthook

    def hook(exc_type: Any, exc: Any, tb: Any) -> None:
        global _uncaught
        _uncaught = (exc_type, exc)
        previous(exc_type, exc, tb)

    sys.excepthook = hook
    atexit.register(_at_exit)


def _at_exit() -> None:
    """An unfinished run is recorded when the interpreter exits, as it ended."""
    run = _current
    if run is None or run.finished:
        return
    status, code = _outcome(*(_uncaught or (None, None)))
    try:
        run.finish(status=status, exit_code=code)
    except GitExpError as e:
        sys.stderr.write(f"git_exp: {e}\n")
