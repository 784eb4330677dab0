/** Numbers as Excel shows them: number formats (numfmt) applied to numbers and dates, General as Excel's CSV text. */
import { describe, expect, it } from 'vitest';
import { builtinFormat, formatNumber, general } from '../../src/read/cellText.js';

/** 2024-03-01 in Excel's 1900 date system, and 14:30:00 as a fraction of a day. */
const MARCH_1 = 45352;
const HALF_PAST_TWO = 14.5 / 24;

describe('formatNumber', () => {
  it.each([
    ['General', 4, '4'],
    ['General', 0.5, '0.5'],
    ['General', -12.25, '-12.25'],
    ['General', 0.1 + 0.2, '0.3'],
    ['General', 13800138000, '13800138000'],
    ['0', 3.5, '4'],
    ['0.00', 1.005, '1.01'],
    ['0.00', -2, '-2.00'],
    ['0.0#', 2.5, '2.5'],
    ['0.0#', 2.125, '2.13'],
    ['#,##0', 1234567, '1,234,567'],
    ['#,##0.00', 1234.5, '1,234.50'],
    ['#,##0,"K"', 1234567, '1,235K'],
    ['0%', 0.5, '50%'],
    ['0.00%', 0.125, '12.50%'],
    ['0.00E+00', 12345, '1.23E+04'],
    ['##0.0E+0', 12345, '12.3E+3'],
    ['"¥"#,##0.00', 88.8, '¥88.80'],
    ['[$¥-804]#,##0', 1000, '¥1,000'],
    ['[Red]0.00', 1.5, '1.50'],
    ['#,##0.00;(#,##0.00)', -5, '(5.00)'],
    ['0;-0;"-"', 0, '-'],
    ['000-0000-0000', 13800138000, '138-0013-8000'],
    ['0 "分"', 4, '4 分'],
    ['00000', 42, '00042'],
    ['#.##', 0.5, '.5'],
    ['@', 7, '7'],
    ['# ?/?', 1.5, '1 1/2'],
  ])('%s shows %s as %s', (format, value, shown) => {
    expect(formatNumber(value, format, false)).toBe(shown);
  });

  it.each([
    ['yyyy/m/d', MARCH_1, '2024/3/1'],
    ['yyyy-mm-dd', MARCH_1, '2024-03-01'],
    ['yyyy.mm.dd', MARCH_1, '2024.03.01'],
    ['yyyy"年"m"月"d"日"', MARCH_1, '2024年3月1日'],
    ['d-mmm-yy', MARCH_1, '1-Mar-24'],
    ['dddd, mmmm d', MARCH_1, 'Friday, March 1'],
    ['yyyy/m/d aaaa', MARCH_1, '2024/3/1 星期五'],
    ['yyyy/m/d h:mm', MARCH_1 + HALF_PAST_TWO, '2024/3/1 14:30'],
    ['h:mm AM/PM', HALF_PAST_TWO, '2:30 PM'],
    ['上午/下午h"时"mm"分"', HALF_PAST_TWO, '下午2时30分'],
    ['hh:mm:ss', (9 * 3600 + 4 * 60 + 59.7) / 86400, '09:05:00'],
    ['mm:ss.0', (61.25) / 86400, '01:01.3'],
    ['[h]:mm', 1.5, '36:00'],
    ['yyyy/m/d', MARCH_1 + 0.99999999, '2024/3/2'],
  ])('%s shows %s as %s', (format, serial, shown) => {
    expect(formatNumber(serial, format, false)).toBe(shown);
  });

  it('reads serials in the 1904 date system', () => {
    expect(formatNumber(MARCH_1 - 1462, 'yyyy/m/d', true)).toBe('2024/3/1');
  });
});

describe('general', () => {
  it('shows 15 significant digits, and the digits Excel kept of a number it rounded', () => {
    expect(general(6986199832494934317)).toBe('6.98619983249493E+18');
    expect(general(123456789012345)).toBe('123456789012345');
    expect(general(1e-12)).toBe('1E-12');
  });
});

describe('builtinFormat', () => {
  it('draws the locale formats as a Chinese-locale Excel does', () => {
    expect(formatNumber(MARCH_1, builtinFormat(14), false)).toBe('2024/3/1');
    expect(formatNumber(MARCH_1 + HALF_PAST_TWO, builtinFormat(22), false)).toBe('2024/3/1 14:30');
    expect(formatNumber(MARCH_1, builtinFormat(31), false)).toBe('2024年3月1日');
    expect(formatNumber(HALF_PAST_TWO, builtinFormat(34), false)).toBe('下午2时30分');
    expect(builtinFormat(49)).toBe('@');
  });
});
