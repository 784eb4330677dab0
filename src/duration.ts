/**
 * Durations as people write them on a command line (`30s`, `15m`, `2h`, `1h30m`, `500ms`), parsed into milliseconds
 * and written back the same way, so a message quotes a limit in the form it was given.
 */

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof unitMs;

const wholeDuration = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds, or undefined when the text is not a positive duration with units. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().toLowerCase();
  if (!wholeDuration.test(compact)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of compact.matchAll(part)) ms += Number(amount) * unitMs[unit as Unit];
  return ms > 0 ? Math.round(ms) : undefined;
}

/** `15m`, `6h`, `1h30m`, `2.5s`: the largest units first, none that is zero (`0s` for nothing at all). */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const unit of ['h', 'm'] as const) {
    const whole = Math.floor(rest / unitMs[unit]);
    if (whole > 0) parts.push(`${whole}${unit}`);
    rest -= whole * unitMs[unit];
  }
  if (rest > 0 || parts.length === 0) parts.push(rest >= 1000 || rest === 0 ? `${rest / 1000}s` : `${rest}ms`);
  return parts.join('');
}
