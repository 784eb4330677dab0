/**
 * SpreadsheetML parts as a stream of tag and text events (sax, strict): element names without their namespace
 * prefix (x:row and row alike, as .NET writers and Strict OOXML spell them), text with XML's line ends (LF) in pieces
 * of at most sax's 64 KiB buffer, so that no text node is ever held whole by the parser. Bytes are decoded as UTF-8 across chunk borders.
 */
import sax from 'sax';

export interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

export interface XmlFeed {
  write(chunk: Buffer): void;
  end(): void;
}

export function xmlFeed(handlers: XmlHandlers): XmlFeed {
  // position: true, because sax checks its buffers (and emits a long text in pieces) only when it counts positions.
  const parser = sax.parser(true, { trim: false, normalize: false, position: true });
  let failure: Error | undefined;
  parser.onerror = (error) => {
    failure ??= error;
  };
  const { open, close, text } = handlers;
  if (open) parser.onopentag = (tag) => open(localName(tag.name), tag.attributes as Record<string, string>);
  if (close) parser.onclosetag = (name) => close(localName(name));
  if (text) {
    // XML reads every CRLF and lone CR as LF (a CR the writer meant is written _x000D_); sax leaves them as they are.
    const normalised = (raw: string) => text(raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw);
    parser.ontext = normalised;
    parser.oncdata = normalised;
  }
  const decoder = new TextDecoder('utf-8');
  const check = () => {
    if (failure) throw new Error(failure.message.split('\n')[0]);
  };
  return {
    write(chunk) {
      parser.write(decoder.decode(chunk, { stream: true }));
      check();
    },
    end() {
      parser.write(decoder.decode());
      parser.close();
      check();
    },
  };
}

/** Feeds a whole part through the handlers. */
export async function readXml(chunks: AsyncIterable<Buffer>, handlers: XmlHandlers): Promise<void> {
  const feed = xmlFeed(handlers);
  for await (const chunk of chunks) feed.write(chunk);
  feed.end();
}

export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** An attribute by its local name (r:id, or the same under another prefix). */
export function attribute(attributes: Record<string, string>, local: string): string | undefined {
  if (attributes[local] !== undefined) return attributes[local];
  for (const [name, value] of Object.entries(attributes)) if (localName(name) === local) return value;
  return undefined;
}

/** OOXML escapes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_, a literal "_x" _x005F_x). */
export function unescapeText(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}
