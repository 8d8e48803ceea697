/**
 * One class per kind of failure. Each carries the exit code of DESIGN.md section 4 and a
 * stable `code` that tests and library callers match on instead of the message.
 */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  notFound: 3,
  environment: 4,
  /** Stopped by Ctrl-C or SIGTERM, as a shell reports a process ended by SIGINT. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class GitExpError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong flags or arguments on the command line. */
export class UsageError extends GitExpError {
  readonly code = "EUSAGE";
  readonly exitCode = ExitCode.usage;
}

/** A file or document the user gave is not acceptable: bad JSON, schema violation, ... */
export class InvalidInputError extends GitExpError {
  readonly code = "EINVALID";
  readonly exitCode = ExitCode.usage;
  constructor(
    message: string,
    readonly where?: { file?: string; path?: string; line?: number; column?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An experiment, file, metric or ref that does not exist. */
export class NotFoundError extends GitExpError {
  readonly code = "ENOTFOUND";
  readonly exitCode = ExitCode.notFound;
}

/** A prefix or name that matches more than one experiment. */
export class AmbiguousError extends GitExpError {
  readonly code = "EAMBIGUOUS";
  readonly exitCode = ExitCode.notFound;
  constructor(
    readonly spec: string,
    readonly candidates: string[],
  ) {
    super(
      `'${spec}' is ambiguous: it matches ${candidates.length} experiments (${candidates
        .slice(0, 10)
        .join(", ")}${candidates.length > 10 ? ", ..." : ""}); give more of the id`,
    );
  }
}

/** The machine or repository is not usable: not a repository, git missing, read-only .git. */
export class EnvironmentError extends GitExpError {
  readonly code = "EENV";
  readonly exitCode = ExitCode.environment;
}

/** The user stopped the work (Ctrl-C, SIGTERM) before it was done; nothing was recorded. */
export class InterruptedError extends GitExpError {
  readonly code = "EINTR";
  readonly exitCode = ExitCode.interrupted;
}

/**
 * The index file is damaged where a query read it (a bad checksum in a block, a short read,
 * the file gone): the index is a cache, so the command rebuilds it and runs again.
 */
export class IndexDamagedError extends GitExpError {
  readonly code = "EINDEX";
  readonly exitCode = ExitCode.environment;
}

/** The index is held by another process past the timeout. */
export class IndexBusyError extends GitExpError {
  readonly code = "EBUSY";
  readonly exitCode = ExitCode.environment;
}

/** Work given a time limit (a user's SQL, --timeout) ran past it and was stopped. */
export class TimeLimitError extends GitExpError {
  readonly code = "ETIME";
  readonly exitCode = ExitCode.environment;
}

/** Stored data that breaks the format contract (a forged ref, a non-canonical blob). */
export class CorruptDataError extends GitExpError {
  readonly code = "ECORRUPT";
  readonly exitCode = ExitCode.environment;
}

/** A check or comparison said no (like `diff --exit-code`). */
export class CheckFailedError extends GitExpError {
  readonly code = "ECHECK";
  readonly exitCode = ExitCode.checkFailed;
}

export function isGitExpError(e: unknown): e is GitExpError {
  return e instanceof GitExpError;
}
