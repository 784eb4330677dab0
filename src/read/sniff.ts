/** Checks on the decoded sample: is it text at all, which delimiter and line ending does it use. */
import { InputError, UsageError } from '../errors.js';

const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Throws InputError for input that must not be imported: empty, binary (NUL characters), or text that does not
 * decode in the chosen encoding (more than 1% replacement characters, and at least a few).
 */
export function assertReadableText(sample: string, name: string, encoding: string): void {
  if (sample.trim() === '') throw new InputError(`${name}: is empty`);
  if (sample.includes('\0')) {
    throw new InputError(
      `${name}: looks binary (NUL bytes in the first 64 KiB); hire-import reads CSV or JSONL text ` +
        '(UTF-16 without a byte-order mark? pass --encoding utf-16le or utf-16be)',
    );
  }
  const undecodable = countOf(sample, REPLACEMENT_CHARACTER);
  if (undecodable >= 4 && undecodable * 100 >= sample.length) {
    throw new InputError(
      `${name}: ${undecodable} of the first ${sample.length} characters do not decode as ${encoding}; ` +
        'pass --encoding with the encoding the file was saved in',
    );
  }
}

/** A .json export is often one JSON array rather than JSON Lines; say so instead of failing every line. */
export function assertJsonLines(sample: string, name: string): void {
  if (sample.trimStart().startsWith('[')) {
    throw new InputError(`${name}: holds a JSON array; hire-import reads JSON Lines (one JSON object per line)`);
  }
}

/**
 * CSV read as JSON Lines, or JSON Lines read as CSV, would fail on every line: the first line tells, so stop there
 * with one message. JSON Lines starts with "{"; a CSV header never starts with '{"'.
 */
export function assertFormatFits(sample: string, format: 'csv' | 'jsonl', name: string): void {
  const blank = /^(?:[ \t]*\r?\n)*/.exec(sample)![0];
  const line = blank.split('\n').length;
  const first = sample.slice(blank.length).split(/\r?\n/, 1)[0]!;
  const excerpt = JSON.stringify(first.length > 40 ? `${first.slice(0, 40)}…` : first);
  if (format === 'jsonl' && !first.trimStart().startsWith('{')) {
    throw new InputError(`${name}: line ${line} is not a JSON object (${excerpt}), so this is not JSON Lines; if it is CSV, pass --format csv`);
  }
  if (format === 'csv' && /^\s*\{\s*"/.test(first)) {
    throw new InputError(`${name}: line ${line} is a JSON object (${excerpt}), so this is JSON Lines, not CSV; pass --format jsonl`);
  }
}

const DELIMITER_CANDIDATES = [',', '\t', ';'];

/** The candidate that occurs most often outside quotes in the first record; comma on a tie or when none occurs. */
export function detectDelimiter(sample: string): string {
  const counts = new Map(DELIMITER_CANDIDATES.map((candidate) => [candidate, 0]));
  const text = sample.replace(/^[\r\n]+/, '');
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === '\n' || char === '\r') break;
    else if (counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = DELIMITER_CANDIDATES[0]!;
  for (const candidate of DELIMITER_CANDIDATES) if (counts.get(candidate)! > counts.get(best)!) best = candidate;
  return best;
}

/** The line ending of the first line; '\n' when there is none. */
export function detectNewline(sample: string): '\n' | '\r\n' {
  const end = sample.indexOf('\n');
  return end > 0 && sample[end - 1] === '\r' ? '\r\n' : '\n';
}

/** Validates a --delimiter value: one character; 'tab' and a typed backslash-t mean a tab. */
export function parseDelimiterOption(value: string): string {
  const delimiter = value === 'tab' || value === '\\t' ? '\t' : value;
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw new UsageError(`--delimiter takes one character that can separate cells, got ${JSON.stringify(value)}; use e.g. ",", ";", "|" or tab`);
  }
  return delimiter;
}

function countOf(text: string, char: string): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) count++;
  return count;
}
