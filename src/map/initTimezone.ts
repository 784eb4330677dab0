/**
 * The `input.timezone` a drafted mapping starts with, and the comment that says where it came from. Dates written
 * without an offset are read in that zone, so a wrong guess moves every such date by hours: the export's own offsets
 * (`2024-03-01T10:30:00+08:00`) win over the machine's zone, and the comment always says which was used. Pure: the
 * machine's zone is an argument.
 */
import { DateTime, FixedOffsetZone } from 'luxon';

/** A moment written with its offset, as exports write them: ISO 8601 or `2024-03-01 10:30 +08:00`. */
const withOffset = /^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** Offsets (minutes) whose zone is plain: +08:00 is China's one zone, which Feishu's home is. */
const zoneOfOffset: Readonly<Record<number, string>> = { 480: 'Asia/Shanghai' };

export interface TimezoneGuess {
  zone: string;
  /** One line for the comment beside it. */
  why: string;
}

export function guessTimezone(values: Iterable<unknown>, machineZone: string): TimezoneGuess {
  const offsets = new Map<number, number>();
  let when: DateTime | undefined;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const match = withOffset.exec(value.trim());
    if (!match) continue;
    const moment = DateTime.fromISO(value.trim().replace(/\s+(?=[zZ+-]\d*)/, '').replace(' ', 'T'), { setZone: true });
    if (!moment.isValid) continue;
    offsets.set(moment.offset, (offsets.get(moment.offset) ?? 0) + 1);
    when ??= moment;
  }
  const common = [...offsets].sort((a, b) => b[1] - a[1])[0]?.[0];
  const fallback = `this machine's zone; dates without an offset are read in it: set the zone the export was written in (China: Asia/Shanghai)`;
  if (common === undefined || when === undefined) return { zone: machineZone, why: `${fallback}, as the sample's dates carry no offset` };
  const shown = FixedOffsetZone.instance(common).formatOffset(when.toMillis(), 'short');
  const from = `from the ${shown} offsets in the export's dates; dates without an offset are read in this zone`;
  if (when.setZone(machineZone).offset === common) return { zone: machineZone, why: `this machine's zone, ${from}` };
  const known = zoneOfOffset[common];
  if (known !== undefined) return { zone: known, why: from };
  // Etc/GMT zones are whole hours with the sign reversed (Etc/GMT-8 is UTC+08:00).
  if (common % 60 === 0) return { zone: common === 0 ? 'UTC' : `Etc/GMT${common > 0 ? '-' : '+'}${Math.abs(common / 60)}`, why: from };
  return { zone: machineZone, why: `${fallback}; the export's dates carry ${shown}, which no whole-hour zone is` };
}
