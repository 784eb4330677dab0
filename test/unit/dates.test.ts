import { describe, expect, it } from 'vitest';
import { luxonDateFormat } from '../../src/validate/dateFormat.js';
import { dateFormatsTried, dateReader, declaredDateReader, isZone } from '../../src/validate/dates.js';

/** 2024-03-01 10:30 in Shanghai (UTC+8, no DST) is 02:30 UTC. */
const shanghaiMorning = Date.UTC(2024, 2, 1, 2, 30);

describe('dates in the formats exports write', () => {
  const read = dateReader('Asia/Shanghai');

  it('reads wall-clock text in the mapping’s zone', () => {
    expect(read('2024-03-01 10:30')).toBe(shanghaiMorning);
    expect(read('2024-03-01T10:30')).toBe(shanghaiMorning);
    expect(read(' 2024-3-1 10:30:00 ')).toBe(shanghaiMorning);
    expect(read('2024/3/1 10:30')).toBe(shanghaiMorning);
    expect(read('2024/3/1')).toBe(Date.UTC(2024, 1, 29, 16));
    expect(read('2024-03-01')).toBe(Date.UTC(2024, 1, 29, 16));
    expect(read('2024年3月1日')).toBe(Date.UTC(2024, 1, 29, 16));
  });

  it('keeps the offset an ISO 8601 text carries, whatever the zone', () => {
    expect(read('2024-03-01T10:30:00Z')).toBe(Date.UTC(2024, 2, 1, 10, 30));
    expect(read('2024-03-01T10:30:00+08:00')).toBe(shanghaiMorning);
    expect(read('2024-03-01T10:30:00.250-05:00')).toBe(Date.UTC(2024, 2, 1, 15, 30, 0, 250));
  });

  it('tells Unix seconds, Unix milliseconds and Excel serial days apart by size, as numbers or text', () => {
    expect(read(1709260200)).toBe(shanghaiMorning);
    expect(read('1709260200')).toBe(shanghaiMorning);
    expect(read(1709260200000)).toBe(shanghaiMorning);
    expect(read('1709260200000')).toBe(shanghaiMorning);
    // Excel serials are wall-clock days since 1899-12-30, read in the zone.
    expect(read(45352.4375)).toBe(shanghaiMorning);
    expect(read('45352')).toBe(Date.UTC(2024, 1, 29, 16));
  });

  it('refuses what is no date', () => {
    for (const bad of ['2024-13-45', '2024-02-30', 'next Tuesday', '', '12345678', true, null, {}, Number.NaN]) expect(read(bad)).toBeUndefined();
  });

  it('reads the same wall-clock text differently in another zone, across daylight saving', () => {
    const newYork = dateReader('America/New_York');
    expect(newYork('2024-03-01 10:30')).toBe(Date.UTC(2024, 2, 1, 15, 30));
    expect(newYork('2024-07-01 10:00')).toBe(Date.UTC(2024, 6, 1, 14, 0));
    expect(dateReader('UTC')('2024-03-01 10:30')).toBe(Date.UTC(2024, 2, 1, 10, 30));
  });

  it('knows IANA zone names', () => {
    expect(isZone('Asia/Shanghai')).toBe(true);
    expect(isZone('UTC')).toBe(true);
    expect(isZone('Mars/Olympus')).toBe(false);
  });
});

describe('declared date formats', () => {
  const inShanghai = (iso: string) => Date.parse(`${iso}+08:00`);

  it('reads the tokens people write, lenient about zero padding, everything else literal', () => {
    const read = declaredDateReader(['DD.MM.YYYY HH:mm', 'DD/MM/YYYY', 'YYYY年M月D日 HH:mm', 'dd.mm.yyyy', 'M/D/YY h:mm A'], 'Asia/Shanghai');
    expect(read('05.03.2024 14:00')).toBe(inShanghai('2024-03-05T14:00'));
    expect(read('5.3.2024 9:05')).toBe(inShanghai('2024-03-05T09:05'));
    expect(read('31/12/1988')).toBe(inShanghai('1988-12-31T00:00'));
    expect(read('2024年3月5日 14:00')).toBe(inShanghai('2024-03-05T14:00'));
    expect(read('3/5/24 2:05 PM')).toBe(inShanghai('2024-03-05T14:05'));
    expect(read('12/31/1988')).toBeUndefined();
  });

  it("takes Excel's m as the month unless it follows an hour or precedes a second", () => {
    expect(luxonDateFormat('dd.mm.yyyy')).toEqual({ ok: true, luxon: "d'.'M'.'yyyy" });
    expect(luxonDateFormat('yyyy-mm-dd hh:mm:ss')).toEqual({ ok: true, luxon: "yyyy'-'M'-'d' 'H':'m':'s" });
  });

  it('refuses a format without a year, a month or a day', () => {
    expect(luxonDateFormat('HH:mm')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has no month/) });
    expect(luxonDateFormat('DD.MM')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has no year/) });
  });

  it('tries an input-wide format before the common ones, and names it when a value fits none', () => {
    const read = dateReader('Asia/Shanghai', ['DD.MM.YYYY']);
    expect(read('05.03.2024')).toBe(inShanghai('2024-03-05T00:00'));
    expect(read('2024/3/5')).toBe(inShanghai('2024-03-05T00:00'));
    expect(dateFormatsTried(['DD.MM.YYYY'])).toMatch(/^DD\.MM\.YYYY, ISO 8601/);
  });
});
