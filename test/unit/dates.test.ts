import { describe, expect, it } from 'vitest';
import { dateReader, isZone } from '../../src/validate/dates.js';

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
