/**
 * Dates as exports write them, read into epoch milliseconds in one time zone: ISO 8601 with or without an offset,
 * `2024-03-01 10:30`, `2024/3/1`, Unix seconds or milliseconds, Excel serial days. Parsing is luxon's; what is
 * decided here is only which reading a value gets. A moment with its own offset (ISO with `+08:00` or `Z`, Unix
 * time) keeps it; everything else is wall-clock time in the zone.
 */
import { DateTime, IANAZone } from 'luxon';
import { luxonDateFormat } from './dateFormat.js';

export const dateFormats = 'ISO 8601, 2024-03-01 10:30, 2024/3/1, Unix seconds or ms, Excel serial';

/** Wall-clock layouts besides ISO 8601, tried in order (luxon format tokens; M and d take one or two digits). */
const layouts = [
  'yyyy-M-d H:mm', 'yyyy-M-d H:mm:ss', 'yyyy-M-d',
  'yyyy/M/d H:mm', 'yyyy/M/d H:mm:ss', 'yyyy/M/d',
  'yyyy.M.d H:mm', 'yyyy.M.d H:mm:ss', 'yyyy.M.d',
  'yyyy年M月d日 H:mm', 'yyyy年M月d日 H:mm:ss', 'yyyy年M月d日',
];

/** Numbers are told apart by size: Excel serials (days since 1899-12-30) stay below 100000 (the year 2173). */
const excelSerialBelow = 100_000;
/** Unix seconds from 1973 (1e8) until Unix milliseconds would be from 1973 too (1e11). */
const secondsFrom = 1e8;
const millisecondsFrom = 1e11;
const msPerDay = 86_400_000;
const numeric = /^-?\d+(\.\d+)?$/;

export type DateReader = (value: unknown) => number | undefined;

/** Whether a zone name is one luxon (and so the machine's ICU) knows: `Asia/Shanghai`, `UTC`. */
export function isZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/** The formats a value was tried in, for the message that refuses it: the declared ones first. */
export function dateFormatsTried(declared: readonly string[] = []): string {
  return [...declared, dateFormats].join(', ');
}

/**
 * The reader of values in declared formats only (`DD.MM.YYYY`, see dateFormat.ts), in one zone: epoch milliseconds,
 * or undefined when the text fits none of them. The formats must have been checked (the mapping schema does).
 */
export function declaredDateReader(formats: readonly string[], zone?: string): (text: string) => number | undefined {
  const options = { zone: zone ?? 'system', locale: 'en-US' };
  const parsers = formats.map((format) => {
    const translated = luxonDateFormat(format);
    if (!translated.ok) throw new Error(`date format ${format} ${translated.reason}`);
    return DateTime.buildFormatParser(translated.luxon, { locale: 'en-US' });
  });
  return (text) => {
    const trimmed = text.trim();
    for (const parser of parsers) {
      const parsed = DateTime.fromFormatParser(trimmed, parser, options);
      if (parsed.isValid) return parsed.toMillis();
    }
    return undefined;
  };
}

/**
 * Compiles the reader of one zone (an IANA name; undefined: the machine's zone), trying the `declared` formats (an
 * input's `date_format`) first. It returns whole epoch milliseconds, or undefined when the value is no date in a
 * known format.
 */
export function dateReader(zone?: string, declared: readonly string[] = []): DateReader {
  const options = { zone: zone ?? 'system' };
  const parsers = layouts.map((layout) => DateTime.buildFormatParser(layout, { locale: 'en-US' }));
  const first = declared.length > 0 ? declaredDateReader(declared, zone) : undefined;
  const excelEpoch = DateTime.fromObject({ year: 1899, month: 12, day: 30 }, { zone: 'utc' });

  const fromNumber = (number: number): number | undefined => {
    if (number < 0 || number >= millisecondsFrom) return Math.round(number);
    if (number >= secondsFrom) return Math.round(number * 1000);
    if (number >= 1 && number < excelSerialBelow) {
      // The serial is wall-clock time: its calendar fields, read in the zone.
      const wall = excelEpoch.plus({ milliseconds: Math.round(number * msPerDay) });
      const local = DateTime.fromObject(
        { year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute, second: wall.second, millisecond: wall.millisecond },
        options,
      );
      return local.isValid ? local.toMillis() : undefined;
    }
    return undefined;
  };

  const fromText = (text: string): number | undefined => {
    const iso = DateTime.fromISO(text, options);
    if (iso.isValid) return iso.toMillis();
    for (const parser of parsers) {
      const parsed = DateTime.fromFormatParser(text, parser, { ...options, locale: 'en-US' });
      if (parsed.isValid) return parsed.toMillis();
    }
    return undefined;
  };

  return (value) => {
    if (typeof value === 'number') return Number.isFinite(value) ? fromNumber(value) : undefined;
    if (typeof value !== 'string') return undefined;
    const text = value.trim();
    const fromDeclared = first?.(text);
    if (fromDeclared !== undefined) return fromDeclared;
    // A number-shaped text is read by size, unless no size fits (20240301 is ISO's basic form).
    return (numeric.test(text) ? fromNumber(Number(text)) : undefined) ?? fromText(text);
  };
}
