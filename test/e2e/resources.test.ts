/**
 * Every resource's import command, end to end: the real CLI as a subprocess against a small fake Feishu written
 * here (node:http on 127.0.0.1) that answers each endpoint's create path from the endpoint descriptions and records
 * what arrived, and answers talents/batch_get_id from the talents it holds. JSONL records are request bodies.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endpoints, tokenPath } from '../../src/endpoints/registry.js';
import { talents } from '../../src/endpoints/talents.js';
import { credentialEnv, readLog, runCli, stateLog, workspace } from '../support/cli.js';

interface Talent {
  talent_id: string;
  email?: string;
  mobile_number?: string;
}

interface FakeFeishu {
  url: string;
  /** Create bodies that arrived, per resource, in order, with the id each was given. */
  created: Record<string, Array<{ id: string; body: Record<string, unknown> }>>;
  /** talents/batch_get_id bodies that arrived. */
  lookups: Array<Record<string, unknown>>;
  /** Requests other than for a token. */
  requests: number;
  close(): Promise<void>;
}

/**
 * A Feishu that accepts every create. `existing` talents are there before the run; a talent create whose name is in
 * `resetAfterStore` is stored and then answered with a connection reset, as when an answer is lost on the way back.
 */
async function fakeFeishu(options: { existing?: Talent[]; resetAfterStore?: string[] } = {}): Promise<FakeFeishu> {
  const directory: Talent[] = [...(options.existing ?? [])];
  const created: FakeFeishu['created'] = Object.fromEntries(endpoints.map((endpoint) => [endpoint.resource, []]));
  const byPath = new Map(endpoints.map((endpoint) => [endpoint.create.path, endpoint]));
  const fake = { created, lookups: [] as Array<Record<string, unknown>>, requests: 0 };
  let nextId = 7_100_000_000_000_000_000n;

  const answer = (response: ServerResponse, body: unknown) => {
    response.writeHead(200, { 'content-type': 'application/json', 'x-tt-logid': `log-${fake.requests}` });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (request.url === tokenPath) return answer(response, { code: 0, msg: 'ok', tenant_access_token: 't-fake', expire: 7200 });
      fake.requests++;
      if (request.url === talents.match!.path) {
        fake.lookups.push(body);
        const emails = (body.email_list as string[] | undefined) ?? [];
        const mobiles = (body.mobile_number_list as string[] | undefined) ?? [];
        const talent_list = directory.filter((talent) => emails.includes(talent.email!) || mobiles.includes(talent.mobile_number!));
        return answer(response, { code: 0, msg: 'success', data: { talent_list } });
      }
      const endpoint = byPath.get(request.url ?? '');
      if (!endpoint || request.method !== 'POST') return answer(response, { code: 404, msg: `no ${request.method} ${request.url} here` });
      const id = String(nextId++);
      created[endpoint.resource]!.push({ id, body });
      if (endpoint === talents) {
        const info = body.basic_info as { name: string; email?: string; mobile?: string };
        directory.push({ talent_id: id, email: info.email, mobile_number: info.mobile });
        const reset = options.resetAfterStore?.indexOf(info.name) ?? -1;
        if (reset >= 0) {
          options.resetAfterStore!.splice(reset, 1);
          return request.socket.resetAndDestroy();
        }
      }
      // { data: { external_application: { id } } }, or for talents { data: { talent_id } }: where idAt says.
      const data = endpoint.create.idAt.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), id) as Record<string, unknown>;
      answer(response, { code: 0, msg: 'success', ...data });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

let feishu: FakeFeishu | undefined;
afterEach(async () => {
  await feishu?.close();
  feishu = undefined;
});

/** Writes the records as JSONL into a fresh folder and imports them; the summary is parsed from --json. */
async function importRecords(resource: string, records: Array<Record<string, unknown>>, folder = workspace()) {
  writeFileSync(join(folder, `${resource}.jsonl`), records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  const run = await runCli([resource, `${resource}.jsonl`, '--json', '--rate', '200'], { cwd: folder, env: credentialEnv(feishu!.url) });
  return { run, folder, summary: JSON.parse(run.stdout), log: readLog(stateLog(folder, feishu!.url, resource)) };
}

const examples: Record<string, Array<Record<string, unknown>>> = {
  talents: [
    { external_id: 'C-1', basic_info: { name: '张伟', email: 'zhangwei@example.com', mobile: '13800000001', gender: 1 } },
    { external_id: 'C-2', basic_info: { name: 'Li Na', email: 'lina@example.com' }, career_list: [{ company: 'ACME', title: 'Engineer' }] },
  ],
  applications: [
    { external_id: 'AP-1', talent_id: '7001', job_title: '后端工程师', delivery_type: 2, create_time: 1709251200000 },
    { external_id: 'AP-2', talent_id: '7002', job_recruitment_type: 1, stage: 'offer' },
  ],
  interviews: [
    { external_id: 'IV-1', external_application_id: '7101', participate_status: 2, begin_time: 1709254800000, end_time: 1709258400000 },
    { external_id: 'IV-2', external_application_id: '7102', interview_assessments: [{ username: 'wang', conclusion: 2, content: 'good' }] },
  ],
  assessments: [
    { external_id: 'AS-1', external_interview_id: '7201', username: 'zhao', conclusion: 2, assessment_dimension_list: [{ assessment_type: 1, title: 'Coding', score: 4 }] },
    { external_id: 'AS-2', external_interview_id: '7202', conclusion: 1, content: 'not yet' },
  ],
  offers: [
    { external_id: 'OF-1', external_application_id: '7101', biz_create_time: '1709251200000', owner: 'Chen', offer_status: 'accepted' },
    { external_id: 'OF-2', external_application_id: '7102', attachment_id_list: ['a1', 'a2'] },
  ],
  'background-checks': [
    { external_id: 'BC-1', external_application_id: '7101', date: 1709251200000, name: 'standard', result: 'clear' },
    { external_id: 'BC-2', external_application_id: '7102', name: 'education' },
  ],
};

describe.each(endpoints.map((endpoint) => endpoint.resource))('hire-import %s', (resource) => {
  it('creates each record with its exact body on the wire, logs its id, and a rerun sends nothing', async () => {
    feishu = await fakeFeishu();
    const records = examples[resource]!;
    const { run, summary, log, folder } = await importRecords(resource, records);
    expect(run.code).toBe(0);
    expect(summary).toMatchObject({ resource, counts: { read: 2, created: 2, matched: 0, invalid: 0, failed: 0 } });
    expect(run.stderr).toContain(`${resource}: 2 records from ${resource}.jsonl`);
    // A talent's external_id is the legacy key: it keys the log and is not sent.
    const wire = records.map((record) => (resource === 'talents' ? Object.fromEntries(Object.entries(record).filter(([name]) => name !== 'external_id')) : record));
    const arrived = feishu.created[resource]!;
    expect(arrived.map((create) => create.body).sort(byJson)).toEqual([...wire].sort(byJson));
    const idOf = new Map(arrived.map((create) => [JSON.stringify(create.body), create.id]));
    expect(log.map(({ resource: logged, external_id, status, id }) => ({ logged, external_id, status, id })).sort(byJson)).toEqual(
      records.map((record, index) => ({ logged: resource, external_id: record.external_id, status: 'created', id: idOf.get(JSON.stringify(wire[index])) })).sort(byJson),
    );
    expect(Object.entries(feishu.created).filter(([other, bodies]) => other !== resource && bodies.length > 0)).toEqual([]);

    const requestsBefore = feishu.requests;
    const again = await importRecords(resource, records, folder);
    expect(again.run.code).toBe(0);
    expect(again.summary).toMatchObject({ requests: 0, counts: { created: 0, skipped: 2 } });
    expect(feishu.requests).toBe(requestsBefore);
  });
});

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('hire-import talents, matching before creating', () => {
  it('reuses a talent found by email, or by mobile when the email misses, and creates only when nothing matches', async () => {
    feishu = await fakeFeishu({
      existing: [
        { talent_id: '6001', email: 'known@example.com' },
        { talent_id: '6002', mobile_number: '13900000002' },
      ],
    });
    const { run, summary, log } = await importRecords('talents', [
      { external_id: 'C-1', basic_info: { name: 'Known by email', email: 'known@example.com', mobile: '13900000009' } },
      { external_id: 'C-2', basic_info: { name: 'Known by mobile', email: 'new-address@example.com', mobile: '13900000002' } },
      { external_id: 'C-3', basic_info: { name: 'New', email: 'new@example.com', mobile: '13900000003' } },
    ]);
    expect(run.code).toBe(0);
    expect(summary.counts).toMatchObject({ read: 3, created: 1, matched: 2, failed: 0 });
    expect(run.stderr).toContain('created 1 · matched 2');
    expect(feishu.created.talents!.map((create) => create.body)).toEqual([{ basic_info: { name: 'New', email: 'new@example.com', mobile: '13900000003' } }]);
    expect(log.map(({ external_id, status, id }) => ({ external_id, status, id })).sort(byJson)).toEqual([
      { external_id: 'C-1', status: 'matched', id: '6001' },
      { external_id: 'C-2', status: 'matched', id: '6002' },
      { external_id: 'C-3', status: 'created', id: feishu.created.talents![0]!.id },
    ]);
    // One kind per request; each key asked for once; the mobile only where the email missed.
    const asked = (param: string) => feishu!.lookups.flatMap((lookup) => (lookup[param] as string[] | undefined) ?? []).sort();
    expect(feishu.lookups.every((lookup) => !(lookup.email_list && lookup.mobile_number_list))).toBe(true);
    expect(asked('email_list')).toEqual(['known@example.com', 'new-address@example.com', 'new@example.com']);
    expect(asked('mobile_number_list')).toEqual(['13900000002', '13900000003']);
  });

  it('looks a create whose answer was lost up again instead of creating it twice; without email or mobile, fails it', async () => {
    feishu = await fakeFeishu({ resetAfterStore: ['Lost', 'Lost without keys'] });
    const { run, summary, log } = await importRecords('talents', [
      { external_id: 'C-1', basic_info: { name: 'Lost', email: 'lost@example.com' } },
      { external_id: 'C-2', basic_info: { name: 'Lost without keys' } },
    ]);
    expect(run.code).toBe(1);
    expect(summary.counts).toMatchObject({ created: 1, failed: 1 });
    const made = feishu.created.talents!;
    expect(made.map((create) => (create.body.basic_info as { name: string }).name).sort()).toEqual(['Lost', 'Lost without keys']);
    const lost = made.find((create) => (create.body.basic_info as { name: string }).name === 'Lost')!;
    expect(log.find((entry) => entry.external_id === 'C-1')).toMatchObject({ resource: 'talents', status: 'created', id: lost.id });
    expect(feishu.lookups.filter((lookup) => (lookup.email_list as string[] | undefined)?.includes('lost@example.com'))).toHaveLength(2);
    expect(log.find((entry) => entry.external_id === 'C-2')).toMatchObject({
      status: 'failed',
      code: expect.stringMatching(/^(ECONNRESET|UND_ERR_SOCKET)$/), // how the reset reads depends on its timing
      msg: 'answer lost and no email or mobile to look it up by; check Feishu before rerunning',
    });
  });
});

describe('a CSV without a mapping', () => {
  it('imports columns named like the body fields (the default layout), a date with its offset as epoch ms', async () => {
    feishu = await fakeFeishu();
    const folder = workspace();
    writeFileSync(join(folder, 'applications.csv'), 'external_id,talent_id,job_title,delivery_type,create_time\nAP-1,7001,后端工程师,2,2024-03-01T10:30:00+08:00\n');
    const run = await runCli(['applications', 'applications.csv', '--rate', '200'], { cwd: folder, env: credentialEnv(feishu.url) });
    expect(run.code).toBe(0);
    expect(feishu.created.applications!.map(({ body }) => body)).toEqual([
      { external_id: 'AP-1', talent_id: '7001', job_title: '后端工程师', delivery_type: 2, create_time: 1709260200000 },
    ]);
  });
});
