/**
 * The input's physical lines as the decoder hands the text on: how many have been read, and which hold bytes that do
 * not decode in the chosen encoding. The readers ask it about each record's lines, so a record with such bytes is
 * refused by line instead of imported with U+FFFD in place of its text. Lines are counted by '\n' from the first
 * byte, as the readers count them.
 */
import { isUtf8 } from 'node:buffer';

const NEWLINE = 0x0a;
const REPLACEMENT_CHARACTER = '\uFFFD';

export class InputLines {
  /** The line the next character belongs to. */
  private line = 1;
  /** Nothing read yet, or the last character read was a newline. */
  private atLineStart = true;
  /** Lines holding undecodable bytes, ascending; lines before the record last asked about are forgotten. */
  private readonly undecodable: number[] = [];
  /** UTF-8 bytes of a character cut off at the end of the last piece, checked once the rest arrives. */
  private carry: Buffer = Buffer.alloc(0);

  constructor(readonly encoding: string) {}

  /** The last line read so far (a final newline opens no line). */
  get last(): number {
    return this.atLineStart ? this.line - 1 : this.line;
  }

  /** Why lines from..to cannot be read as they are, if they hold undecodable bytes. Asked in line order. */
  undecodableIn(from: number, to: number): string | undefined {
    const lines = this.undecodable;
    while (lines.length > 0 && lines[0]! < from) lines.shift();
    const first = lines[0];
    return first !== undefined && first <= to ? `bytes at line ${first} do not decode as ${this.encoding}` : undefined;
  }

  /** A piece of UTF-8 input, in order. Checked natively; only a piece that fails is checked line by line. */
  readUtf8(piece: Buffer): void {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, piece]) : piece;
    const end = bytes.length - cutCharacterLength(bytes);
    this.carry = Buffer.from(bytes.subarray(end));
    const whole = bytes.subarray(0, end);
    this.advance(whole, isUtf8(whole) ? undefined : (start, stop) => isUtf8(whole.subarray(start, stop)));
  }

  /** Text another decoder made, in order: U+FFFD is where its bytes did not decode. */
  readText(text: string): void {
    const decodes = (start: number, stop: number) => {
      const at = text.indexOf(REPLACEMENT_CHARACTER, start);
      return at === -1 || at >= stop;
    };
    this.advance(text, decodes(0, text.length) ? undefined : decodes);
  }

  /** The input ended: a character still cut off never will be whole. */
  end(): void {
    if (this.carry.length > 0) this.mark(this.line);
    this.carry = Buffer.alloc(0);
  }

  /** Counts the newlines in `data`; with `decodes`, marks each line part for which it returns false. */
  private advance(data: Buffer | string, decodes?: (start: number, stop: number) => boolean): void {
    if (data.length === 0) return;
    const nextNewline = typeof data === 'string' ? (from: number) => data.indexOf('\n', from) : (from: number) => data.indexOf(NEWLINE, from);
    let start = 0;
    for (let at = nextNewline(0); at !== -1; at = nextNewline(start)) {
      if (decodes && !decodes(start, at)) this.mark(this.line);
      this.line++;
      start = at + 1;
    }
    if (decodes && start < data.length && !decodes(start, data.length)) this.mark(this.line);
    this.atLineStart = start === data.length;
  }

  private mark(line: number): void {
    if (this.undecodable[this.undecodable.length - 1] !== line) this.undecodable.push(line);
  }
}

/** How many bytes at the end of `bytes` start a UTF-8 character that the next piece may complete (0 to 3). */
export function cutCharacterLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if (byte < 0x80) return 0;
    if (byte < 0xc0) continue; // a continuation byte: its lead is further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return length > back ? back : 0;
  }
  return 0;
}
