/** A plan's exit code: the worst of its steps' codes, by a fixed order of badness. */
import { ExitCode } from '../errors.js';

/** Worst first: a failure of the tool or the machine, then an outside stop, then bad input, then records to fix. */
const worstFirst: readonly number[] = [
  ExitCode.internal,
  ExitCode.logWriteFailed,
  ExitCode.locked,
  ExitCode.unavailable,
  ExitCode.appRefused,
  ExitCode.interrupted,
  ExitCode.usage,
  ExitCode.recordsFailed,
  ExitCode.stoppedOnPurpose,
  ExitCode.ok,
];

/** The worst of `codes` (ok for none); a code outside the order counts as bad as an internal error. */
export function worstExitCode(codes: Iterable<number>): number {
  let worst: number = ExitCode.ok;
  for (const code of codes) if (badness(code) < badness(worst)) worst = code;
  return worst;
}

function badness(code: number): number {
  return Math.max(0, worstFirst.indexOf(code));
}
