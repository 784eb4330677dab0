/**
 * What Excel shows in a cell: its value rendered with its number format, for the formats that exports use: General,
 * fixed and optional decimals, thousands separators and scaling, percentages, scientific notation, currency and
 * literal text, digits split by literals (phone numbers), and dates and times (elapsed hours, AM/PM, 上午/下午).
 * Colours and locale tags are ignored. Fractions and conditional sections are rendered as General.
 * Built-in format 14 (and 22), which Excel draws in the reader's locale, is drawn as a Chinese-locale Excel does:
 * 2024/3/1 (9:05), which is also the one order nobody misreads.
 */

/** A cell value as exceljs's streaming reader gives it. */
export type CellValue =
  | null
  | undefined
  | string
  | number
  | boolean
  | Date
  | { richText: { text: string }[] }
  | { error: string }
  | { formula?: string; sharedFormula?: string; result?: unknown }
  | { text: unknown; hyperlink: string };

export function cellText(value: CellValue, numFmt: string | undefined, date1904: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value, numFmt, date1904);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return formatNumber(serialOf(value, date1904), numFmt, date1904);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) return cellText(value.text as CellValue, numFmt, date1904);
  return cellText(value.result as CellValue, numFmt, date1904);
}

/** Excel's serial day number for a date exceljs made from one (it reads serials as UTC). */
function serialOf(date: Date, date1904: boolean): number {
  return date.getTime() / DAY_MS + UNIX_EPOCH_SERIAL - (date1904 ? DAYS_1900_TO_1904 : 0);
}

const DAY_MS = 86_400_000;
/** 1970-01-01 in the 1900 date system. */
const UNIX_EPOCH_SERIAL = 25569;
const DAYS_1900_TO_1904 = 1462;

/** What exceljs names built-in formats 14 and 22 (its own text for 22 is garbled), and how they are drawn here. */
const LOCALE_DATE_FORMATS: Record<string, string> = {
  'mm-dd-yy': 'yyyy/m/d',
  'm/d/yy "h":mm': 'yyyy/m/d h:mm',
};

export function formatNumber(value: number, numFmt: string | undefined, date1904: boolean): string {
  const code = numFmt === undefined ? 'General' : (LOCALE_DATE_FORMATS[numFmt] ?? numFmt);
  const sections = splitSections(code).map(tokenize);
  const section = pickSection(sections, value);
  if (section === undefined) return general(value);
  const { tokens, kind } = section.section;
  if (kind === 'date') return value < 0 ? general(value) : formatDate(tokens, value, date1904);
  if (kind === 'general') return section.sign + general(Math.abs(value));
  if (kind === 'literal') return tokens.map((token) => (token.type === 'literal' ? token.text : '')).join('');
  return section.sign + formatDigits(tokens, Math.abs(value));
}

type Token =
  | { type: 'literal'; text: string }
  | { type: 'digit'; char: '0' | '#' | '?' }
  | { type: 'point' }
  | { type: 'comma' }
  | { type: 'percent' }
  | { type: 'exponent'; plus: boolean }
  | { type: 'general' }
  | { type: 'date'; char: 'y' | 'm' | 'd' | 'h' | 's' | 'a'; length: number }
  | { type: 'elapsed'; char: 'h' | 'm' | 's' }
  | { type: 'ampm'; am: string; pm: string }
  | { type: 'unsupported' };

interface Section {
  tokens: Token[];
  kind: 'date' | 'general' | 'number' | 'literal' | 'unsupported';
}

/** Splits on the semicolons that separate sections, not those inside quotes, brackets or after a backslash. */
function splitSections(code: string): string[] {
  const sections: string[] = [];
  let current = '';
  for (let at = 0; at < code.length; at++) {
    const char = code[at]!;
    if (char === '"') {
      const end = code.indexOf('"', at + 1);
      const stop = end === -1 ? code.length : end + 1;
      current += code.slice(at, stop);
      at = stop - 1;
    } else if (char === '\\' || char === '_' || char === '*') {
      current += code.slice(at, at + 2);
      at++;
    } else if (char === '[') {
      const end = code.indexOf(']', at);
      const stop = end === -1 ? code.length : end + 1;
      current += code.slice(at, stop);
      at = stop - 1;
    } else if (char === ';') {
      sections.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  sections.push(current);
  return sections;
}

const AMPM = [
  { text: 'AM/PM', am: 'AM', pm: 'PM' },
  { text: 'am/pm', am: 'am', pm: 'pm' },
  { text: 'A/P', am: 'A', pm: 'P' },
  { text: 'a/p', am: 'a', pm: 'p' },
  { text: '上午/下午', am: '上午', pm: '下午' },
];

function tokenize(code: string): Section {
  const tokens: Token[] = [];
  const literal = (text: string) => tokens.push({ type: 'literal', text });
  for (let at = 0; at < code.length; ) {
    const char = code[at]!;
    const lower = char.toLowerCase();
    const rest = code.slice(at);
    const ampm = AMPM.find((candidate) => rest.startsWith(candidate.text));
    if (char === '"') {
      const end = code.indexOf('"', at + 1);
      const stop = end === -1 ? code.length : end;
      literal(code.slice(at + 1, stop));
      at = stop + 1;
    } else if (char === '\\') {
      literal(code.slice(at + 1, at + 2));
      at += 2;
    } else if (char === '_') {
      literal(' '); // leaves the width of the next character: a space is what a text export shows
      at += 2;
    } else if (char === '*') {
      at += 2; // repeats a character to fill the column: nothing in text
    } else if (char === '[') {
      const end = code.indexOf(']', at);
      const inner = code.slice(at + 1, end === -1 ? code.length : end);
      const elapsed = /^(h+|m+|s+)$/i.exec(inner);
      const currency = /^\$([^-]*)/.exec(inner);
      if (elapsed) tokens.push({ type: 'elapsed', char: elapsed[1]![0]!.toLowerCase() as 'h' | 'm' | 's' });
      else if (currency) literal(currency[1]!);
      else if (/^[<>=]/.test(inner)) tokens.push({ type: 'unsupported' }); // a condition
      // else: a colour, a locale or a calendar, none of which changes the characters shown
      at += inner.length + 2;
    } else if (rest.toLowerCase().startsWith('general')) {
      tokens.push({ type: 'general' });
      at += 'general'.length;
    } else if (ampm) {
      tokens.push({ type: 'ampm', am: ampm.am, pm: ampm.pm });
      at += ampm.text.length;
    } else if (lower === 'e' && /^e[+-]/i.test(rest)) {
      tokens.push({ type: 'exponent', plus: rest[1] === '+' });
      at += 2;
    } else if ('ymdhsae'.includes(lower)) {
      let length = 1;
      while (code[at + length]?.toLowerCase() === lower) length++;
      // 'e' is the year in the Gregorian calendar; 'a' runs are the CJK weekday.
      const dateChar = (lower === 'e' ? 'y' : lower) as 'y' | 'm' | 'd' | 'h' | 's' | 'a';
      tokens.push({ type: 'date', char: dateChar, length: lower === 'e' ? 4 : length });
      at += length;
    } else if (char === '0' || char === '#' || char === '?') {
      tokens.push({ type: 'digit', char });
      at++;
    } else if (char === '.') {
      tokens.push({ type: 'point' });
      at++;
    } else if (char === ',') {
      tokens.push({ type: 'comma' });
      at++;
    } else if (char === '%') {
      tokens.push({ type: 'percent' });
      literal('%');
      at++;
    } else if (char === '/' && tokens.some((token) => token.type === 'digit') && /^\/\s*[0-9#?]/.test(rest)) {
      tokens.push({ type: 'unsupported' }); // a fraction
      at++;
    } else if (char === '@') {
      at++; // the text of a text cell; a number in a text section is shown as General
      tokens.push({ type: 'general' });
    } else {
      literal(char);
      at++;
    }
  }
  return { tokens, kind: kindOf(tokens) };
}

function kindOf(tokens: Token[]): Section['kind'] {
  if (tokens.some((token) => token.type === 'unsupported')) return 'unsupported';
  if (tokens.some((token) => token.type === 'date' || token.type === 'elapsed' || token.type === 'ampm')) return 'date';
  if (tokens.some((token) => token.type === 'general')) return 'general';
  if (tokens.some((token) => token.type === 'digit')) return 'number';
  return 'literal';
}

/** Positive; negative; zero: a section of its own draws the sign itself, the first section gets a minus. */
function pickSection(sections: Section[], value: number): { section: Section; sign: string } | undefined {
  if (sections.some((section) => section.kind === 'unsupported')) return undefined;
  if (value < 0 && sections.length >= 2) return { section: sections[1]!, sign: '' };
  if (value === 0 && sections.length >= 3) return { section: sections[2]!, sign: '' };
  return { section: sections[0]!, sign: value < 0 ? '-' : '' };
}

/** Excel's General: up to 15 significant digits, scientific for very large or small magnitudes. */
export function general(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-9 && magnitude < 1e15) return String(Number(value.toPrecision(15)));
  const [mantissa, exponent] = value.toExponential(14).split('e') as [string, string];
  const digits = mantissa.replace(/\.?0+$/, '');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${digits}E${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** Rounds half away from zero at `decimals`, on the decimal digits (1.005 -> 1.01, as Excel shows it). */
function roundTo(value: number, decimals: number): number {
  return Number(`${Math.round(Number(`${value}e${decimals}`))}e-${decimals}`);
}

function formatDigits(tokens: Token[], magnitude: number): string {
  const exponentAt = tokens.findIndex((token) => token.type === 'exponent');
  const mantissaTokens = exponentAt === -1 ? tokens : tokens.slice(0, exponentAt);
  const pointAt = mantissaTokens.findIndex((token) => token.type === 'point');
  const integerTokens = pointAt === -1 ? mantissaTokens : mantissaTokens.slice(0, pointAt);
  const fractionTokens = pointAt === -1 ? [] : mantissaTokens.slice(pointAt + 1);
  const lastDigit = lastIndexWhere(tokens, (token) => token.type === 'digit');
  // A comma after the last digit divides by 1000; one between integer digits groups thousands.
  const scaling = tokens.filter((token, index) => token.type === 'comma' && index > lastDigit).length;
  const grouping = integerTokens.some((token, index) => token.type === 'comma' && index < lastIndexWhere(integerTokens, (t) => t.type === 'digit'));
  const percents = tokens.filter((token) => token.type === 'percent').length;
  const fractionDigits = fractionTokens.filter((token) => token.type === 'digit').length;

  let value = (magnitude * 100 ** percents) / 1000 ** scaling;
  let exponentText = '';
  if (exponentAt !== -1) {
    const exponentToken = tokens[exponentAt] as { type: 'exponent'; plus: boolean };
    const integerDigits = Math.max(1, integerTokens.filter((token) => token.type === 'digit').length);
    let exponent = value === 0 ? 0 : Math.floor(Math.log10(value));
    if (integerDigits > 1) exponent = Math.floor(exponent / integerDigits) * integerDigits; // engineering (##0.0E+0)
    let mantissa = roundTo(value / 10 ** exponent, fractionDigits);
    if (mantissa >= 10 ** integerDigits) {
      exponent += integerDigits;
      mantissa = roundTo(value / 10 ** exponent, fractionDigits);
    }
    value = mantissa;
    const exponentDigits = tokens.slice(exponentAt + 1).filter((token) => token.type === 'digit').length;
    const sign = exponent < 0 ? '-' : exponentToken.plus ? '+' : '';
    exponentText = `E${sign}${String(Math.abs(exponent)).padStart(exponentDigits, '0')}`;
  }

  const [integerPart, fractionPart = ''] = roundTo(value, fractionDigits).toFixed(fractionDigits).split('.') as [string, string?];
  const integer = renderInteger(integerTokens, integerPart === '0' ? '' : integerPart, grouping);
  const fraction = renderFraction(fractionTokens, fractionPart);
  const point = pointAt === -1 ? '' : '.';
  const exponentLiterals = exponentAt === -1 ? '' : literalsOf(tokens.slice(exponentAt + 1));
  return `${integer}${point}${fraction}${exponentText}${exponentLiterals}`;
}

/** Fills the integer placeholders from the right; the leftmost takes any digits left over. */
function renderInteger(tokens: Token[], digits: string, grouping: boolean): string {
  const placeholders = tokens.filter((token): token is { type: 'digit'; char: '0' | '#' | '?' } => token.type === 'digit');
  if (grouping) {
    const firstZero = placeholders.findIndex((token) => token.char === '0');
    const padded = firstZero === -1 ? digits : digits.padStart(placeholders.length - firstZero, '0');
    const grouped = padded.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const first = tokens.findIndex((token) => token.type === 'digit');
    const last = lastIndexWhere(tokens, (token) => token.type === 'digit');
    return literalsOf(tokens.slice(0, first)) + grouped + literalsOf(tokens.slice(last + 1));
  }
  let remaining = digits;
  let out = '';
  let placeholdersLeft = placeholders.length;
  for (let index = tokens.length - 1; index >= 0; index--) {
    const token = tokens[index]!;
    if (token.type === 'literal') {
      out = token.text + out;
      continue;
    }
    if (token.type !== 'digit') continue;
    placeholdersLeft--;
    if (placeholdersLeft === 0) {
      out = (remaining || (token.char === '0' ? '0' : token.char === '?' ? ' ' : '')) + out;
      remaining = '';
    } else if (remaining !== '') {
      out = remaining.slice(-1) + out;
      remaining = remaining.slice(0, -1);
    } else {
      out = (token.char === '0' ? '0' : token.char === '?' ? ' ' : '') + out;
    }
  }
  return out;
}

/** Fills the decimal placeholders from the left; trailing zeros drop for '#' and become spaces for '?'. */
function renderFraction(tokens: Token[], digits: string): string {
  const placeholders = tokens.filter((token): token is { type: 'digit'; char: '0' | '#' | '?' } => token.type === 'digit');
  const shown = digits.split('');
  for (let index = placeholders.length - 1; index >= 0 && shown[index] === '0'; index--) {
    const char = placeholders[index]!.char;
    if (char === '0') break;
    shown[index] = char === '?' ? ' ' : '';
  }
  let next = 0;
  return tokens.map((token) => (token.type === 'digit' ? shown[next++] : token.type === 'literal' ? token.text : '')).join('');
}

function literalsOf(tokens: Token[]): string {
  return tokens.map((token) => (token.type === 'literal' ? token.text : '')).join('');
}

function lastIndexWhere<T>(items: T[], test: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (test(items[index]!)) return index;
  return -1;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const CJK_WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

function formatDate(tokens: Token[], serial: number, date1904: boolean): string {
  // Seconds are rounded to what is shown (Excel shows 9:04:59.7 as 9:05:00), then every part is read off.
  const fractionDigits = secondFractionDigits(tokens);
  const unit = 1000 / 10 ** fractionDigits;
  const totalMs = Math.round((serial * DAY_MS) / unit) * unit;
  const when = new Date(totalMs + (date1904 ? DAYS_1900_TO_1904 : 0) * DAY_MS - UNIX_EPOCH_SERIAL * DAY_MS);
  const twelveHour = tokens.some((token) => token.type === 'ampm');
  const hours = when.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  const timeTokens = tokens.filter((token) => token.type === 'date' || token.type === 'elapsed');

  let out = '';
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    switch (token.type) {
      case 'literal':
        out += token.text;
        break;
      case 'ampm':
        out += hours < 12 ? token.am : token.pm;
        break;
      case 'elapsed': {
        const unitMs = token.char === 'h' ? 3_600_000 : token.char === 'm' ? 60_000 : 1000;
        out += String(Math.floor(totalMs / unitMs));
        break;
      }
      case 'point':
        if (fractionDigits > 0) {
          out += `.${String(when.getUTCMilliseconds()).padStart(3, '0').slice(0, fractionDigits)}`;
          while (tokens[index + 1]?.type === 'digit') index++;
        } else {
          out += '.';
        }
        break;
      case 'date': {
        const { char, length } = token;
        if (char === 'y') out += length <= 2 ? two(when.getUTCFullYear() % 100) : String(when.getUTCFullYear());
        else if (char === 'd' && length <= 2) out += length === 1 ? when.getUTCDate() : two(when.getUTCDate());
        else if (char === 'd') out += length === 3 ? WEEKDAYS[when.getUTCDay()]!.slice(0, 3) : WEEKDAYS[when.getUTCDay()];
        else if (char === 'a') out += length >= 4 ? `星期${CJK_WEEKDAYS[when.getUTCDay()]}` : CJK_WEEKDAYS[when.getUTCDay()];
        else if (char === 'h') {
          const shown = twelveHour ? hours % 12 || 12 : hours;
          out += length === 1 ? shown : two(shown);
        } else if (char === 's') out += length === 1 ? when.getUTCSeconds() : two(when.getUTCSeconds());
        else if (length <= 2 && isMinute(timeTokens, timeTokens.indexOf(token))) {
          out += length === 1 ? when.getUTCMinutes() : two(when.getUTCMinutes());
        } else {
          const month = when.getUTCMonth();
          out += length === 1 ? month + 1 : length === 2 ? two(month + 1) : length === 3 ? MONTHS[month]!.slice(0, 3) : length === 4 ? MONTHS[month] : MONTHS[month]![0];
        }
        break;
      }
      case 'comma':
        out += ',';
        break;
      default:
        break; // digits only after the seconds' point, handled there
    }
  }
  return out;
}

/** 'm' and 'mm' are minutes right after hours or right before seconds, months otherwise. */
function isMinute(timeTokens: Token[], index: number): boolean {
  const before = timeTokens[index - 1];
  const after = timeTokens[index + 1];
  const isChar = (token: Token | undefined, char: string) => (token?.type === 'date' || token?.type === 'elapsed') && token.char === char;
  return isChar(before, 'h') || isChar(after, 's');
}

/** How many decimals of a second the format shows (ss.00 -> 2), at most 3. */
function secondFractionDigits(tokens: Token[]): number {
  const point = tokens.findIndex((token) => token.type === 'point');
  if (point === -1) return 0;
  let digits = 0;
  while (tokens[point + 1 + digits]?.type === 'digit') digits++;
  return Math.min(3, digits);
}
