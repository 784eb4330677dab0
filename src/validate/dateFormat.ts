/**
 * Declared date formats (`date_format: DD.MM.YYYY` in a mapping) read as people write them: the tokens of moment,
 * dayjs and Excel (YYYY, MM, DD, HH, mm, ss, A; Excel's lower-case yyyy, dd and mm too), everything else literal.
 * Guarantees: a format is translated once into luxon's tokens, lenient about zero padding (DD reads 5 and 05), and
 * a format without a year, a month and a day is refused when the mapping is loaded, not at the first record.
 */

/** The tokens a format may use, for messages. */
export const dateFormatTokens = 'YYYY, YY, MM, M, DD, D, HH, H, hh, h, mm, m, ss, s, SSS, A';

type Token = 'year4' | 'year2' | 'month' | 'day' | 'hour' | 'minute' | 'm' | 'second' | 'fraction' | 'meridiem';

/** Longest first, so YYYY is not read as two YY. `m` is a month or a minute by its neighbours, as in Excel. */
const tokens: ReadonlyArray<[string, Token]> = [
  ['YYYY', 'year4'], ['yyyy', 'year4'], ['YY', 'year2'], ['yy', 'year2'],
  ['MM', 'month'], ['M', 'month'], ['DD', 'day'], ['dd', 'day'], ['D', 'day'], ['d', 'day'],
  ['HH', 'hour'], ['hh', 'hour'], ['H', 'hour'], ['h', 'hour'],
  ['mm', 'm'], ['m', 'm'], ['ss', 'second'], ['s', 'second'], ['SSS', 'fraction'], ['A', 'meridiem'], ['a', 'meridiem'],
];

/** The format in luxon's tokens, or a reason it is no date format. */
export function luxonDateFormat(format: string): { ok: true; luxon: string } | { ok: false; reason: string } {
  const parts: Array<Token | { literal: string }> = [];
  for (let at = 0; at < format.length; ) {
    const token = tokens.find(([text]) => format.startsWith(text, at));
    if (token) {
      parts.push(token[1]);
      at += token[0].length;
      continue;
    }
    const last = parts.at(-1);
    if (typeof last === 'object') last.literal += format[at];
    else parts.push({ literal: format[at]! });
    at++;
  }
  const kinds = parts.filter((part): part is Token => typeof part === 'string');
  const twelveHour = kinds.includes('meridiem');
  // Excel's rule: m right after an hour or right before a second is minutes, else the month.
  const resolved = kinds.map((kind, index) => (kind !== 'm' ? kind : kinds[index - 1] === 'hour' || kinds[index + 1] === 'second' ? 'minute' : 'month'));
  for (const needed of ['month', 'day'] as const) {
    if (!resolved.includes(needed)) return { ok: false, reason: `has no ${needed} (tokens: ${dateFormatTokens})` };
  }
  if (!resolved.includes('year4') && !resolved.includes('year2')) return { ok: false, reason: `has no year (tokens: ${dateFormatTokens})` };
  const luxonOf: Record<Exclude<Token, 'm'>, string> = {
    year4: 'yyyy', year2: 'yy', month: 'M', day: 'd', hour: twelveHour ? 'h' : 'H', minute: 'm', second: 's', fraction: 'SSS', meridiem: 'a',
  };
  let index = 0;
  const luxon = parts
    .map((part) => (typeof part === 'object' ? `'${part.literal.replaceAll("'", "''")}'` : luxonOf[resolved[index++] as Exclude<Token, 'm'>]))
    .join('');
  return { ok: true, luxon };
}
