/**
 * Typed errors mapped to the exit codes every CLI of this workspace uses:
 * 0 ok, 1 failure (a stage could not do its work), 2 bad input (file, column, row, field or config is wrong).
 */
export const ExitCode = { ok: 0, failure: 1, badInput: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class MlopsError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Something the user gave us is wrong: a file, a column, a row, a field, a parameter. Exit code 2. */
export class InputError extends MlopsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.badInput, options);
  }
}

/** The input was fine but the work failed (a remote is down, a check did not pass). Exit code 1. */
export class FailureError extends MlopsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failure, options);
  }
}

/** The exit code an error maps to: typed errors carry their own, anything else is a failure. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof MlopsError ? error.exitCode : ExitCode.failure;
}

/** Narrow a caught value to a Node.js system error with a code (ENOENT, EACCES…). */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}
