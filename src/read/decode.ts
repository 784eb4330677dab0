/**
 * Decoding (detection is detect.ts). Parsers downstream always see UTF-8: UTF-8 input passes through as bytes
 * (csv-parse decodes each field itself, which is faster than decoding the whole stream first); any other
 * encoding is decoded by iconv-lite into strings. Either way InputLines learns which lines do not decode, so the
 * readers refuse those records instead of importing U+FFFD in place of their text.
 */
import iconv from 'iconv-lite';
import { UsageError } from '../errors.js';
import type { InputLines } from './lines.js';

export interface DetectedEncoding {
  /** Canonical name ('utf-8', 'utf-16le', 'utf-16be', 'gb18030') or the label the user gave. */
  encoding: string;
  /** The input starts with this encoding's byte-order mark. */
  bom: boolean;
}

export const BOMS: { encoding: string; bytes: Buffer }[] = [
  { encoding: 'utf-8', bytes: Buffer.from([0xef, 0xbb, 0xbf]) },
  { encoding: 'utf-16le', bytes: Buffer.from([0xff, 0xfe]) },
  { encoding: 'utf-16be', bytes: Buffer.from([0xfe, 0xff]) },
];

const UTF8_BOM_LENGTH = 3;

const CANONICAL: Record<string, string> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  ucs2: 'utf-16le',
  utf16be: 'utf-16be',
  gb18030: 'gb18030',
};

/** Validates an --encoding label; UsageError for one iconv-lite does not know. */
export function resolveEncodingLabel(label: string): string {
  if (!iconv.encodingExists(label)) {
    throw new UsageError(
      `unknown encoding "${label}" for --encoding; try utf-8, gb18030, gbk, big5, shift_jis or utf-16le`,
    );
  }
  return CANONICAL[label.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? label;
}

/** The sample as text, BOM stripped and any character cut off at its end dropped. */
export function decodeSample(sample: Buffer, detected: DetectedEncoding): string {
  if (detected.encoding === 'utf-8') {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(withoutUtf8Bom(sample, detected), { stream: true });
  }
  return iconv.getDecoder(detected.encoding).write(sample);
}

/**
 * The input as parser-ready chunks: UTF-8 bytes, or decoded strings; the BOM is stripped either way. `lines` has
 * read each chunk before it is handed on.
 */
export async function* decodeChunks(
  chunks: AsyncIterable<Buffer>,
  detected: DetectedEncoding,
  lines: InputLines,
): AsyncIterable<Buffer | string> {
  if (detected.encoding === 'utf-8') {
    let bomLeft = detected.bom ? UTF8_BOM_LENGTH : 0;
    for await (const chunk of chunks) {
      // Stdin may deliver even the BOM in pieces.
      const cut = Math.min(bomLeft, chunk.length);
      bomLeft -= cut;
      const piece = cut === 0 ? chunk : chunk.subarray(cut);
      if (piece.length === 0) continue;
      lines.readUtf8(piece);
      yield piece;
    }
    lines.end();
    return;
  }
  const decoder = iconv.getDecoder(detected.encoding);
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    if (!text) continue;
    lines.readText(text);
    yield text;
  }
  const rest = decoder.end();
  if (rest) {
    lines.readText(rest);
    yield rest;
  }
  lines.end();
}

/** Text encoded back into the input's encoding, for writing rejects. */
export function encodeText(text: string, encoding: string): Buffer {
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
}

function withoutUtf8Bom(bytes: Buffer, detected: DetectedEncoding): Buffer {
  return detected.bom ? bytes.subarray(UTF8_BOM_LENGTH) : bytes;
}
