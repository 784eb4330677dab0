/**
 * Typed errors. Commands throw these; `src/main.ts` is the one place that turns them into a message and an exit
 * code, so no command ever calls process.exit.
 */

/** Exit codes, documented in --help and the README. */
export const ExitCode = {
  ok: 0,
  recordsFailed: 1,
  usage: 2,
  interrupted: 130,
} as const;

/** Bad arguments or options: the command line itself is wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad configuration: credentials, a mapping file, a permission the app lacks. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Input that cannot be read at all (binary, wrong encoding, not CSV): nothing is sent. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Another import holds the result log. */
export class LockedError extends Error {
  override name = 'LockedError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError || error instanceof LockedError) {
    return ExitCode.usage;
  }
  return ExitCode.recordsFailed;
}
