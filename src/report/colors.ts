/**
 * Colour follows the stream it is written to: a Chalk instance per stream, whose level comes from that stream and
 * the environment, never from another stream (chalk's default instance looks at stdout, so a log file that stderr
 * is redirected to from a terminal would fill with escape codes). Report code takes the instance as an argument.
 *
 * The order: `--no-color` wins; then FORCE_COLOR (present and not empty: colour even into a file or pipe, `0` or
 * `false` turns it off, `2`/`3` choose 256 colours/truecolour); then NO_COLOR (present and not empty: no colour);
 * then a terminal gets the colours it says it has (TERM=dumb none) and anything else none.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export type Colors = ChalkInstance;
type Level = 0 | 1 | 2 | 3;

export interface ColorStream {
  isTTY?: boolean;
  /** Bits of colour a terminal supports (1, 4, 8 or 24): Node's tty.WriteStream has it. */
  getColorDepth?(env?: NodeJS.ProcessEnv): number;
}

/** Colours for nobody: tests and machine output. */
export const noColors: Colors = new Chalk({ level: 0 });

/** Pure: the chalk level for writing to `stream`. `colorFlag` is false when `--no-color` was given. */
export function colorLevel(stream: ColorStream, env: NodeJS.ProcessEnv, colorFlag = true): Level {
  if (!colorFlag) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  return terminalLevel(stream, env);
}

function terminalLevel(stream: ColorStream, env: NodeJS.ProcessEnv): Level {
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  // An empty FORCE_COLOR means unset here; Node's own check would take it as "force".
  const depth = stream.getColorDepth?.({ ...env, FORCE_COLOR: undefined }) ?? 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}

export function colorsFor(stream: ColorStream, env: NodeJS.ProcessEnv, colorFlag = true): Colors {
  return new Chalk({ level: colorLevel(stream, env, colorFlag) });
}
