/**
 * Which encoding the input was saved in, decided on all the evidence in the 64 KiB sample, never on its first odd
 * byte: a wrong guess turns text into other text ("Zoë" into "Zo毛"), which no later check can notice. So a choice
 * that is not clear stops the run (InputError) naming the lines, and asks for --encoding.
 *
 * - A byte-order mark decides.
 * - UTF-8 when the lines with non-ASCII bytes decode as UTF-8, but for stray bytes on at most one such line in
 *   twenty: the records on those lines are refused later, each by its line.
 * - GB18030 (a superset of GBK) when the lines that are not UTF-8 read as Chinese (GB18030 characters, nearly all
 *   common ones, stray bytes on at most one line in twenty), and chardet does not find another encoding likelier
 *   (EUC-KR and EUC-JP bytes also read as GB18030).
 * - Anything else is refused: lines that disagree (some UTF-8, some not), or bytes that are neither UTF-8 nor
 *   GB18030. A single-byte encoding such as windows-1252 cannot be told from windows-1250 or -1251 by its bytes, so
 *   the message shows how a line reads in windows-1252, with chardet's guess when it is confident, and lets the
 *   user say. A limit: Cyrillic in KOI8-R whose words all pair up into common GB2312 characters can pass for
 *   GB18030 (chardet takes it for GB18030 too); one odd-length word on most lines gives it away.
 */
import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { InputError } from '../errors.js';
import { BOMS, type DetectedEncoding } from './decode.js';
import { cutCharacterLength } from './lines.js';

/** Stray bytes: at most one line in this many with non-ASCII bytes does not decode (as UTF-8, or as GB18030). */
const STRAY_SHARE = 20;
/** Legacy text: at least this many lines that are not UTF-8 for each line that is (a GBK line may be by chance). */
const LEGACY_SHARE = 5;
/**
 * Chinese text is nearly all characters from GB2312's symbol rows and 3,755 common hanzi (or GB18030's four-byte
 * forms); accented Latin letters that happen to pair up as GB18030 mostly do not land there.
 */
const COMMON_SHARE = 0.8;
/** chardet's confidence (0-100) from which its choice is worth naming, or outweighs GB18030. */
const CONFIDENT = 50;
const NEWLINE = 0x0a;

interface Evidence {
  /** Lines with non-ASCII bytes that decode as UTF-8, and those that do not (1-based, ascending). */
  utf8: number[];
  notUtf8: number[];
  /** The first line that is not UTF-8, for the message. */
  firstNotUtf8?: Buffer;
  /** The lines that are not UTF-8, read as GB18030: how many fit, how many do not, and their characters. */
  gb: { lines: number; misfits: number; characters: number; common: number };
}

/** `name` is how messages refer to the input; `forced` is the --encoding label, which skips detection. */
export function detectEncoding(sample: Buffer, name: string, forced?: string): DetectedEncoding {
  const bom = BOMS.find((candidate) => sample.subarray(0, candidate.bytes.length).equals(candidate.bytes));
  if (forced !== undefined) return { encoding: forced, bom: bom?.encoding === forced };
  if (bom) return { encoding: bom.encoding, bom: true };
  // NUL bytes: binary, or UTF-16 without a BOM; no 8-bit encoding to weigh, and the text check says which.
  if (sample.includes(0)) return { encoding: 'utf-8', bom: false };

  const evidence = weigh(sample);
  const { utf8, notUtf8, gb } = evidence;
  if (notUtf8.length * STRAY_SHARE <= utf8.length) return { encoding: 'utf-8', bom: false };
  if (utf8.length * LEGACY_SHARE > notUtf8.length) {
    throw unclear(name, `${lineList(utf8)} ${verb(utf8, 'decodes', 'decode')} as utf-8, ${lineList(notUtf8)} ${verb(notUtf8, 'does', 'do')} not`);
  }
  const guess = chardetGuess(sample);
  if (gb.misfits * STRAY_SHARE <= gb.lines && gb.common >= gb.characters * COMMON_SHARE) {
    if (guess.confident === undefined || guess.confident.confidence <= guess.gb18030) return { encoding: 'gb18030', bom: false };
    const rival = guess.confident.name;
    throw unclear(
      name,
      `${lineList(notUtf8)} ${verb(notUtf8, 'decodes', 'decode')} as gb18030 but ${verb(notUtf8, 'reads', 'read')} more like ${rival}`,
      `pass --encoding ${rival.toLowerCase()} or --encoding gb18030, whichever it was saved in`,
    );
  }
  const reads = iconv.decode(evidence.firstNotUtf8!, 'windows-1252').replace(/\r$/, '');
  const named = guess.confident?.name;
  const other = named !== undefined && named !== 'ISO-8859-1' && named !== 'windows-1252' ? named : undefined;
  throw unclear(
    name,
    `line ${notUtf8[0]} is neither utf-8 nor gb18030: in windows-1252 it reads ${JSON.stringify(shorten(reads))}` +
      (other ? `; chardet guesses ${other}` : ''),
    `pass --encoding windows-1252 if that reads right${other ? `, --encoding ${other.toLowerCase()} if chardet is right` : ''}, ` +
      'else --encoding with the encoding it was saved in',
  );
}

function unclear(name: string, evidence: string, advice = 'pass --encoding with the encoding it was saved in'): InputError {
  return new InputError(`${name}: cannot tell which encoding it was saved in: ${evidence}; ${advice}`);
}

function weigh(sample: Buffer): Evidence {
  const evidence: Evidence = { utf8: [], notUtf8: [], gb: { lines: 0, misfits: 0, characters: 0, common: 0 } };
  for (let start = 0, line = 1; start < sample.length; line++) {
    const newline = sample.indexOf(NEWLINE, start);
    // The sample may end inside a character; the next bytes would complete it.
    const end = newline === -1 ? sample.length - cutCharacterLength(sample) : newline;
    const bytes = sample.subarray(start, end);
    start = newline === -1 ? sample.length : newline + 1;
    if (!bytes.some((byte) => byte >= 0x80)) continue;
    if (isUtf8(bytes)) {
      evidence.utf8.push(line);
      continue;
    }
    evidence.notUtf8.push(line);
    evidence.firstNotUtf8 ??= bytes;
    if (readGb18030(bytes, evidence.gb)) evidence.gb.lines++;
    else evidence.gb.misfits++;
  }
  return evidence;
}

/**
 * Reads one line as GB18030 (a byte below 0x80; lead 0x81-0xFE then 0x40-0xFE but 0x7F; or four bytes), counting
 * its characters and the common ones into `gb`. False when some byte fits no character.
 */
function readGb18030(bytes: Buffer, gb: Evidence['gb']): boolean {
  const within = (at: number, low: number, high: number) => at < bytes.length && bytes[at]! >= low && bytes[at]! <= high;
  let fits = true;
  for (let at = 0; at < bytes.length; ) {
    const lead = bytes[at]!;
    if (lead < 0x80) {
      at++;
    } else if (within(at, 0x81, 0xfe) && within(at + 1, 0x30, 0x39) && within(at + 2, 0x81, 0xfe) && within(at + 3, 0x30, 0x39)) {
      gb.characters++;
      gb.common++; // four-byte forms: GB18030 itself, never accented letters by chance
      at += 4;
    } else if (within(at, 0x81, 0xfe) && within(at + 1, 0x40, 0xfe) && bytes[at + 1] !== 0x7f) {
      gb.characters++;
      // GB2312: symbols in rows 0xA1-0xA9, the common hanzi in 0xB0-0xD7; both bytes 0xA1-0xFE.
      if (((lead >= 0xa1 && lead <= 0xa9) || (lead >= 0xb0 && lead <= 0xd7)) && bytes[at + 1]! >= 0xa1) gb.common++;
      at += 2;
    } else {
      fits = false;
      at++;
    }
  }
  return fits;
}

/** chardet's best guess if it is confident, and its confidence in GB18030. */
function chardetGuess(sample: Buffer): { confident?: { name: string; confidence: number }; gb18030: number } {
  const matches = chardet.analyse(sample);
  const top = matches[0];
  return {
    confident: top !== undefined && top.confidence >= CONFIDENT ? top : undefined,
    gb18030: matches.find((match) => match.name === 'GB18030')?.confidence ?? 0,
  };
}
/** "line 4", "lines 4, 9 and 12", "lines 4, 9, 12, ..." */
function lineList(lines: number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  if (lines.length <= 3) return `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
  return `lines ${lines.slice(0, 3).join(', ')}, ...`;
}

function verb(lines: number[], one: string, many: string): string {
  return lines.length === 1 ? one : many;
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
