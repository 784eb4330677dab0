/**
 * --max-errors: how many invalid or failed records a run may meet before it stops reading. Only errors that are new
 * count: a record an earlier run already logged as invalid or failed is known (its line is in the log and in the
 * rejects file), so a nightly job does not stop at the same known-bad line every night. The limit is a number of
 * records (`50`) or a share of the records read (`5%`); a share is judged over at least `shareFloor` records, so
 * the first error of a run is not 100% of it.
 */

export type MaxErrors = { count: number } | { share: number };

const shareFloor = 100;

/** `50` or `5%`; undefined for anything else (zero, negative, fractional counts, a share above 100%). */
export function parseMaxErrors(text: string): MaxErrors | undefined {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (share) {
    const percent = Number(share[1]);
    return percent > 0 && percent <= 100 ? { share: percent / 100 } : undefined;
  }
  const count = Number(text);
  return text.trim() !== '' && Number.isInteger(count) && count >= 1 ? { count } : undefined;
}

export function maxErrorsText(limit: MaxErrors): string {
  return 'count' in limit ? String(limit.count) : `${Number((limit.share * 100).toFixed(4))}%`;
}

/**
 * The key an error is known by across runs: the record's external_id, or for a record too broken to have one, its
 * file and line.
 */
export function errorKey(externalId: string | null | undefined, file: string, line: number): string {
  return typeof externalId === 'string' ? externalId : `${file}\n${line}`;
}

export class ErrorBudget {
  /** Errors of this run that no earlier run had logged, and those it had. */
  newErrors = 0;
  knownErrors = 0;
  readonly #limit: MaxErrors | undefined;
  readonly #known: ReadonlySet<string>;

  constructor(limit: MaxErrors | undefined, known: ReadonlySet<string>) {
    this.#limit = limit;
    this.#known = known;
  }

  /** An invalid or failed record of this run, by `errorKey`. */
  note(key: string): void {
    if (this.#known.has(key)) this.knownErrors++;
    else this.newErrors++;
  }

  /** Why reading stops now that `read` records were read, or null to go on. */
  exceeded(read: number): string | null {
    const limit = this.#limit;
    if (!limit) return null;
    const allowed = 'count' in limit ? limit.count - 1 : limit.share * Math.max(read, shareFloor);
    if (this.newErrors <= allowed) return null;
    const known = this.knownErrors > 0 ? `; ${this.knownErrors} more were already in the log from earlier runs` : '';
    return `reached --max-errors ${maxErrorsText(limit)}: ${this.newErrors} of ${read} records read were invalid or failed anew${known}`;
  }
}
