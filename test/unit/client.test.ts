/** The client against a local HTTP server: the paths, methods and bodies the descriptions imply, and answers parsed. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applications } from '../../src/endpoints/applications.js';
import { assessments } from '../../src/endpoints/assessments.js';
import { talents } from '../../src/endpoints/talents.js';
import { HireClient } from '../../src/send/client.js';

const seen: Array<{ method: string; url: string; body: string; authorization?: string }> = [];
/** The next answers, by request: status, headers, body. */
const replies: Array<{ status: number; headers?: Record<string, string>; body: unknown }> = [];
let server: Server;
let client: HireClient;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, body, authorization: request.headers.authorization });
      const reply = replies.shift() ?? { status: 200, body: { code: 0 } };
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new HireClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, appId: 'cli_a', appSecret: 'test-secret-Zq8vN3', connections: 2, timeoutMs: 5000 });
});
afterAll(async () => {
  await client.close();
  server.close();
});

describe('HireClient', () => {
  it('creates at the description\'s path and reads the new id where it says, keeping the request log id', async () => {
    replies.push({ status: 200, headers: { 'x-tt-logid': 'L-1' }, body: { code: 0, data: { external_application: { id: '7001' } } } });
    expect(await client.create(applications, { external_id: 'AP-1', talent_id: '6' }, 't-1')).toEqual({ kind: 'ok', status: 200, id: '7001', logId: 'L-1' });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: applications.create.path, body: '{"external_id":"AP-1","talent_id":"6"}', authorization: 'Bearer t-1' });

    replies.push({ status: 200, body: { code: 0, data: { talent_id: '6001' } } });
    expect(await client.create(talents, { external_id: 'C-1', basic_info: { name: 'x' } }, 't-1')).toMatchObject({ kind: 'ok', id: '6001' });
    expect(seen.at(-1)?.body).toBe('{"basic_info":{"name":"x"}}'); // the legacy key stays home

    replies.push({ status: 200, body: { code: 0, data: {} } });
    expect(await client.create(applications, {}, 't-1')).toMatchObject({ kind: 'error', code: 200, msg: 'success without an id at data.external_application.id' });
  });

  it('updates with the description\'s method at <create path>/<id>, deletes there, and sends plain requests', async () => {
    await client.update(applications, '70 01', { talent_id: '6' }, 't-1');
    await client.update(assessments, '80', { conclusion: 1 }, 't-1');
    expect(await client.delete(applications, '7001', 't-1')).toEqual({ kind: 'ok', status: 200, id: '7001' });
    replies.push({ status: 200, body: { code: 0, data: { talent_list: [{ talent_id: '6' }] } } });
    expect(await client.request('POST', talents.match!.path, { email_list: ['a'] }, 't-1')).toEqual({
      kind: 'ok',
      status: 200,
      body: { code: 0, data: { talent_list: [{ talent_id: '6' }] } },
    });
    expect(seen.slice(-4).map(({ method, url, body }) => ({ method, url, body }))).toEqual([
      { method: 'PUT', url: `${applications.create.path}/70%2001`, body: '{"talent_id":"6"}' },
      { method: 'PATCH', url: `${assessments.create.path}/80`, body: '{"conclusion":1}' },
      { method: 'DELETE', url: `${applications.create.path}/7001`, body: '' },
      { method: 'POST', url: talents.match!.path, body: '{"email_list":["a"]}' },
    ]);
  });

  it('reads an error with its code, message, rate-limit headers and request log id', async () => {
    replies.push({
      status: 429,
      headers: { 'x-ogw-ratelimit-reset': '2', 'x-ogw-ratelimit-limit': '10', 'x-tt-logid': 'L-9' },
      body: { code: 99991400, msg: 'request trigger frequency limit' },
    });
    expect(await client.create(assessments, {}, 't-1')).toEqual({
      kind: 'error',
      status: 429,
      code: 99991400,
      msg: 'request trigger frequency limit',
      resetSeconds: 2,
      serverLimit: 10,
      logId: 'L-9',
    });
    replies.push({ status: 502, body: '<html>bad gateway</html>' });
    expect(await client.request('POST', '/x', {}, 't-1')).toMatchObject({ kind: 'error', status: 502, code: 502, msg: 'HTTP 502 without a JSON body' });
  });
});
