/**
 * What Excel shows in a cell whose value is a number: the value rendered with its number format by numfmt, as a
 * Chinese-locale Excel draws it (built-in format 14 is 2024/3/1, the one order nobody misreads), with month and day
 * names in English unless the format asks for the Chinese weekday (aaaa) or 上午/下午. General is Excel's text for a
 * number, the 15 significant digits its CSV export writes, not numfmt's column-width General.
 */
import { format, getFormatFromId, isDateFormat } from 'numfmt';

/**
 * ECMA-376's zh-CN forms of the built-in formats Excel draws per locale (27-36, 50-58), which numfmt's table gives as
 * plain dates; the other ids are numfmt's zh-CN table.
 */
const LOCALE_FORMATS: Record<number, string> = {
  27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: 'm-d-yy', 31: 'yyyy"年"m"月"d"日"',
  32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
  36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: 'm"月"d"日"',
  55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
};

/** The code of a built-in number format the file names by id only; General for an id Excel does not define. */
export function builtinFormat(id: number): string {
  return LOCALE_FORMATS[id] ?? (getFormatFromId(id, 'zh-CN') || 'General');
}

const CHINESE_AMPM = '上午/下午';
const SECONDS_PER_DAY = 86_400;
/** Days from 1900-01-00 to 1904-01-01: a 1904-system serial plus this is the 1900-system serial numfmt reads. */
const DAYS_1900_TO_1904 = 1462;

/** A number as its format shows it; General (also for a format numfmt cannot read). */
export function formatNumber(value: number, code: string, date1904: boolean): string {
  if (/^(general|@)$/i.test(code.trim())) return general(value);
  const chinese = code.includes(CHINESE_AMPM) || /a{3}/i.test(code.replace(/"[^"]*"/g, ''));
  const pattern = code.replaceAll(CHINESE_AMPM, 'AM/PM');
  try {
    const date = isDateFormat(pattern);
    if (date && value < 0) return general(value);
    // A time a writer computed in floating point (14:29:59.99999) is the second it is closest to, as Excel shows it.
    const serial = date && date1904 ? value + DAYS_1900_TO_1904 : value;
    const shown = date && !/s\.0/i.test(pattern) ? Math.round(serial * SECONDS_PER_DAY) / SECONDS_PER_DAY : serial;
    return format(pattern, shown, { locale: chinese ? 'zh-CN' : 'en', throws: true });
  } catch {
    return general(value);
  }
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
