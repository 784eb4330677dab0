/**
 * Every request body hire-import sends in a whole migration and its updates (look-ups, creates, batch queries, PUT
 * and PATCH), as the sandbox received them, type-checked by tsc against the official SDK's request data types
 * (@larksuiteoapi/node-sdk, a devDependency): each body is written into a .ts file as an object literal typed as
 * its SDK method's `data`, so a field the SDK does not know (an excess property) fails as surely as a wrong type.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tokenPath } from '../../src/endpoints/registry.js';
import { credentialEnv, repoRoot, runCli, workspace } from '../support/cli.js';
import { sandboxSession } from '../support/sandboxSession.js';

const session = sandboxSession();

/** The SDK method whose request data each (method, path) carries; paths with an id end in /{id}. */
const sdkMethods: Record<string, string> = {
  'POST /open-apis/hire/v1/talents/batch_get_id': 'talent.batchGetId',
  'POST /open-apis/hire/v1/talents/combined_create': 'talent.combinedCreate',
  'POST /open-apis/hire/v1/external_applications': 'externalApplication.create',
  'PUT /open-apis/hire/v1/external_applications/{id}': 'externalApplication.update',
  'POST /open-apis/hire/v1/external_interviews': 'externalInterview.create',
  'PUT /open-apis/hire/v1/external_interviews/{id}': 'externalInterview.update',
  'POST /open-apis/hire/v1/external_interviews/batch_query': 'externalInterview.batchQuery',
  'POST /open-apis/hire/v1/external_interview_assessments': 'externalInterviewAssessment.create',
  'PATCH /open-apis/hire/v1/external_interview_assessments/{id}': 'externalInterviewAssessment.patch',
  'POST /open-apis/hire/v1/external_offers': 'externalOffer.create',
  'PUT /open-apis/hire/v1/external_offers/{id}': 'externalOffer.update',
  'POST /open-apis/hire/v1/external_offers/batch_query': 'externalOffer.batchQuery',
  'POST /open-apis/hire/v1/external_background_checks': 'externalBackgroundCheck.create',
  'PUT /open-apis/hire/v1/external_background_checks/{id}': 'externalBackgroundCheck.update',
  'POST /open-apis/hire/v1/external_background_checks/batch_query': 'externalBackgroundCheck.batchQuery',
};

const fixtureFiles = readdirSync(join('fixtures', 'migration'))
  .filter((name) => name !== 'README.md')
  .map((name) => `fixtures/migration/${name}`);

/** A changed copy of a stored record, as a JSONL record of its import (what `--update-changed` then sends). */
const changed: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
  applications: (body) => ({ ...body, job_title: `${String(body.job_title)} (senior)` }),
  interviews: ({ interview_assessments: _carried, ...body }) => ({ ...body, participate_status: body.participate_status === 3 ? 2 : 3 }),
  assessments: (body) => ({ ...body, content: 'revised' }),
  offers: (body) => ({ ...body, owner: 'someone else' }),
  'background-checks': (body) => ({ ...body, result: 'clear after all' }),
};

describe("the bodies on the wire, against the official SDK's request types", () => {
  it('type-checks every body of a migration, a verify and an --update-changed of each resource', async () => {
    const received: Array<{ method: string; path: string; body: string }> = [];
    const sandbox = await session.start({
      parentChecks: 'always',
      talents: [{ name: '李晓彤', email: 'xiaotong.li@example.com' }],
      // The token request is the platform's, not Hire's (and carries the secret): not checked here.
      onRequest: (request) => void (request.body !== '' && request.path !== tokenPath && received.push(request)),
    });
    const folder = workspace(...fixtureFiles);
    const env = credentialEnv(sandbox.url);
    expect((await runCli(['migrate', 'migration.yaml', '--json'], { cwd: folder, env })).code).toBe(1); // the fixture's orphan interview
    expect((await runCli(['verify', 'migration.yaml'], { cwd: folder, env })).code).not.toBe(70);
    for (const [resource, change] of Object.entries(changed)) {
      // An interview with assessments of its own is not updated (its PUT would remove them): one without them is.
      const standAlone = new Set(sandbox.assessments().map((stored) => stored.body.external_interview_id));
      const record = change(sandbox.records(resource).find((stored) => resource !== 'interviews' || !standAlone.has(stored.id))!.body);
      writeFileSync(join(folder, `${resource}.jsonl`), `${JSON.stringify(record)}\n`);
      const run = await runCli([resource, `${resource}.jsonl`, '--update-changed', '--json'], { cwd: folder, env });
      expect(JSON.parse(run.stdout).counts, resource).toMatchObject({ updated: 1 });
    }

    const typed = received.map(({ method, path, body }, index) => {
      const route = `${method} ${path.replace(/\/\d+$/, '/{id}')}`;
      const sdk = sdkMethods[route];
      if (!sdk) throw new Error(`no SDK method listed for ${route}`);
      return `// ${route}\nexport const body${index}: DataOf<Hire['${sdk.split('.')[0]}']['${sdk.split('.')[1]}']> = ${body};`;
    });
    const routes = new Set(received.map(({ method, path }) => `${method} ${path.replace(/\/\d+$/, '/{id}')}`));
    // Each kind of request was sent and checked: look-ups, creates, batch queries, PUT and PATCH.
    expect([...routes].sort()).toEqual(Object.keys(sdkMethods).sort());

    // Inside the repository, so the SDK resolves from its node_modules.
    const dir = join(repoRoot, 'node_modules', '.cache', 'hire-import-sdk-check', String(process.pid));
    mkdirSync(dir, { recursive: true });
    const preamble = [
      "import type { Client } from '@larksuiteoapi/node-sdk';",
      "type Hire = Client['hire'];",
      // The `data` a method's payload takes.
      'type DataOf<Method> = Method extends (payload?: infer Payload, ...rest: never[]) => unknown ? NonNullable<Payload> extends { data?: infer Data } ? Data : never : never;',
    ];
    writeFileSync(join(dir, 'bodies.ts'), [...preamble, ...typed, ''].join('\n'));
    // The control: a body with one field the SDK does not have must fail, or the check proves nothing.
    writeFileSync(join(dir, 'control.ts'), [...preamble, "export const excess: DataOf<Hire['externalApplication']['create']> = { talent_id: '1', not_a_field: 1 };", ''].join('\n'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: [] }, files: ['bodies.ts', 'control.ts'] }),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { maxBuffer: 1 << 24 }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    const errors = checked.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/control\.ts\(\d+,\d+\): error TS2353: .*'not_a_field'/);
    expect(typed.length).toBeGreaterThanOrEqual(Object.keys(sdkMethods).length);
  }, 300_000);
});
