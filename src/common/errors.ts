// The two ways a run stops on the user's account rather than a bug: bad input
// (a file, its line and the reason) and bad usage. The command line turns both
// into a one-line message and exit code 2, never a stack trace.

/** A path as a message shows it: quoted (as JSON) when it holds a control character, a newline would break the line. */
export function shownPath(path: string): string {
  return /[\u0000-\u001f\u007f-\u009f]/.test(path) ? JSON.stringify(path) : path;
}

/** A malformed or unreadable input that stops the run (strict mode, unreadable file, unknown framing). */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${shownPath(file)}:${line}: ${reason}` : `${shownPath(file)}: ${reason}`);
    this.name = 'InputError';
  }
}

/** A command line the tool cannot act on. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
