/** A plan's exit code: the worst of its steps' codes, by a fixed order of badness. */
import { ExitCode } from '../errors.js';

/**
 * Every code a step may end with. The ones ExitCode lacks are being added by other branches (an internal error, a
 * disk that fails, another import holding the log, a service that stays down, a run stopped on purpose by
 * --max-duration); once src/errors.ts has them, this reads them from there.
 */
export const StepExitCode = {
  ...ExitCode,
  internal: 70,
  ioError: 74,
  locked: 75,
  unavailable: 69,
  stoppedOnPurpose: 3,
} as const;

/** Worst first: a failure of the tool or the machine, then an outside stop, then bad input, then records to fix. */
const worstFirst: readonly number[] = [
  StepExitCode.internal,
  StepExitCode.ioError,
  StepExitCode.locked,
  StepExitCode.unavailable,
  StepExitCode.interrupted,
  StepExitCode.usage,
  StepExitCode.recordsFailed,
  StepExitCode.stoppedOnPurpose,
  StepExitCode.ok,
];

/** The worst of `codes` (ok for none); a code outside the order counts as bad as an internal error. */
export function worstExitCode(codes: Iterable<number>): number {
  let worst: number = StepExitCode.ok;
  for (const code of codes) if (badness(code) < badness(worst)) worst = code;
  return worst;
}

function badness(code: number): number {
  return Math.max(0, worstFirst.indexOf(code));
}
