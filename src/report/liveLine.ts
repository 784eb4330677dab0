/**
 * The live progress line on a terminal, drawn by ora: a spinner and one line of text, redrawn in place, cut to the
 * terminal's width as it is now (CJK counted as two columns), so it never wraps into a second line. Only for a
 * terminal that reports its width (see progressMode): ora would spin forever clearing lines of a zero-width one. The cursor is
 * hidden while it spins and shown again however the process ends: stop() on a normal end, an error or the first
 * Ctrl-C/SIGTERM (the command's cleanup calls it), and ora's exit hook (signal-exit) on process.exit, a second
 * Ctrl-C or a crash. Stdin is left alone: it may be the input, and Ctrl-C must stay a signal.
 */
import ora, { spinners } from 'ora';
import type { Colors } from './colors.js';
import type { ProgressView } from './progress.js';
import { fitWidth } from './width.js';

/** Redraws of the text; ora animates the spinner at its own pace. */
const everyMs = 200;
/** The spinner and the space after it, plus the last column, which some terminals wrap at. */
const reservedColumns = 3;

export function liveLine(stream: NodeJS.WriteStream, colors: Colors): ProgressView {
  const { frames, interval } = spinners.dots;
  const spinner = ora({
    stream,
    spinner: { frames: frames.map((frame) => colors.cyan(frame)), interval },
    color: false, // ora's own colour follows stdout; the frames are coloured for stderr above
    hideCursor: true,
    discardStdin: false,
    isEnabled: true,
  });
  return {
    everyMs,
    start(heading) {
      stream.write(`${heading}\n`); // whole: it names the log, and it stays put
      spinner.start();
    },
    update(line) {
      spinner.text = fitWidth(line, stream.columns - reservedColumns); // read each time: the window may have been resized
    },
    stop() {
      spinner.stop();
    },
  };
}
