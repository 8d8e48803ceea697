"""Talking to the CLI: a standalone run is recorded by `git exp record -`, so everything
the CLI captures and checks (source commit, dirty patch, environment, redaction, limits)
applies to it as to any other experiment. Imported only when a standalone run starts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Dict, List

from ._values import GitExpError, jsonable


def check_environment(cwd: str) -> str:
    """Refuse now, before the script's work starts, what would refuse the run at the end.

    Returns a new folder for the run's metrics file.
    """
    if shutil.which("git") is None:
        raise GitExpError("git is not installed (no git on PATH): git_exp records runs with git exp, which needs git", 4)
    if shutil.which("git-exp") is None:
        raise GitExpError(
            "git exp is not installed (no git-exp on PATH): install it (npm install -g git-exp) "
            "or add its bin folder to PATH; nothing was recorded",
            4,
        )
    if not _in_repository(cwd):
        raise GitExpError(
            f"{cwd} is not in a git repository: a run is recorded in the repository the script runs in; "
            "start it inside one (or run git init); nothing was recorded",
            4,
        )
    return tempfile.mkdtemp(prefix="git-exp-run-")


def _in_repository(cwd: str) -> bool:
    """Whether git would find a repository from cwd: GIT_DIR, or a .git above it.

    Looked up in the file system rather than with `git rev-parse`: a process less at every
    init(), where a notebook cell waits for it.
    """
    if os.environ.get("GIT_DIR"):
        return True
    d = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return True
        parent = os.path.dirname(d)
        if parent == d:
            return False
        d = parent


def record(doc: Dict[str, Any], metrics: str, inputs: List[str], outputs: List[str], cwd: str, tmp: str) -> str:
    """Record one experiment; returns its id. On failure the run's data is kept and said where."""
    text = json.dumps(doc, default=jsonable, allow_nan=True)
    # git-exp itself rather than `git exp`: the same program, one process less
    args = [shutil.which("git-exp") or "git-exp", "record", "-", "--json", "--capture"]
    if os.path.exists(metrics):
        args += ["--metrics", metrics]
    for p in inputs:
        args += ["--input", p]
    for p in outputs:
        args += ["--output", p]
    env = dict(os.environ)
    env["GIT_EXP_PYTHON"] = sys.executable  # the interpreter whose packages env.json lists
    try:
        r = subprocess.run(args, input=text.encode("utf-8"), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise GitExpError(_kept(f"git exp could not be started ({e})", text, args, tmp), 4) from None
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode != 0:
        message = err.strip().replace("git exp: ", "") or f"git exp record exited with {r.returncode}"
        raise GitExpError(_kept(message, text, args, tmp), r.returncode)
    if err:
        sys.stderr.write(err)
    out = json.loads(r.stdout.decode("utf-8"))
    exp_id = str(out["id"])
    sys.stderr.write(f"git_exp: recorded experiment {exp_id[:12]}{' (' + doc['experiment']['name'] + ')' if doc['experiment'].get('name') else ''}\n")
    shutil.rmtree(tmp, ignore_errors=True)
    return exp_id


def _kept(message: str, text: str, args: List[str], tmp: str) -> str:
    path = os.path.join(tmp, "experiment.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    retry = " ".join(a if a and " " not in a else json.dumps(a) for a in args)
    return f"the run was not recorded: {message}\nIts data is kept in {tmp}; once fixed, record it with: {retry} < {path}"
