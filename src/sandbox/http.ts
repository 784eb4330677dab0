/** The two node:http chores the sandbox server needs. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_REQUEST_BYTES, sizeText } from '../limits.js';

/** A body over MAX_REQUEST_BYTES: refused before it is read whole (by its declared length, else as it streams). */
export class BodyTooLarge extends Error {
  constructor() {
    super(`request body is larger than ${sizeText(MAX_REQUEST_BYTES)}`);
  }
}

export async function readBody(request: IncomingMessage): Promise<string> {
  if (Number(request.headers['content-length']) > MAX_REQUEST_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // Past the bound the rest is drained, not kept, so the answer can still be sent on this connection.
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_REQUEST_BYTES) throw new BodyTooLarge();
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a JSON answer unless the client is already gone. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}
