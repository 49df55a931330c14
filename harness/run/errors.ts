/** Errors of the command line: bad usage (exit 2) and reports that could not be written (exit 3). */

/** Bad flags or inputs: the message says exactly what is wrong; exit status 2. */
export class UsageError extends Error {}

export const EXIT = { passed: 0, failed: 1, usage: 2, report: 3, interrupted: 130 } as const;
