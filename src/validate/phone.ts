/**
 * Phone numbers as people write them (+86 138-0013-8000, 138 0013 8000, +1 (415) 555-0100, 0086 13800138000),
 * read with libphonenumber-js into a dialling code and a national number of digits only: what Feishu's talent
 * look-up takes (one dialling code per request) and its create stores. A number without an international prefix
 * is read in the default region (CN unless the mapping's input.phone_region says otherwise). Text that is no
 * possible number of its region is refused here, as a problem of its line, never sent to a look-up.
 */
import { shown } from './problem.js';

/** The region a number without +code or 00code is read in, unless the mapping says otherwise. */
export const defaultPhoneRegion = 'CN';

export type ParsedPhone = { ok: true; diallingCode: string; national: string } | { ok: false; reason: string };

export type PhoneReader = (value: unknown) => ParsedPhone;

/**
 * The reader for numbers of `region` (an ISO 3166 code: CN, US, HK). libphonenumber-js and its metadata load here,
 * so only runs that read a phone pay for them. Throws for a region it does not know.
 */
export async function phoneReader(region: string = defaultPhoneRegion): Promise<PhoneReader> {
  const { parsePhoneNumberFromString, isSupportedCountry } = await import('libphonenumber-js/min');
  if (!isSupportedCountry(region)) throw new RangeError(`${JSON.stringify(region)} is not a region phone numbers are known for (an ISO 3166 code such as CN, US, HK)`);
  return (value) => {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string') return { ok: false, reason: `${shown(value)} is not a phone number` };
    const parsed = parsePhoneNumberFromString(text, region);
    if (!parsed?.isPossible()) {
      return { ok: false, reason: `${shown(value)} is not a phone number (read in region ${region} unless it starts with +code or 00code)` };
    }
    return { ok: true, diallingCode: parsed.countryCallingCode, national: parsed.nationalNumber };
  };
}

/** Where the dialling code of the phone at `path` is kept beside the body (it keys the look-up; it is not sent). */
export function diallingCodeAt(path: string): string {
  return `${path}@dialling_code`;
}
