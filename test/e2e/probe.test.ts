/**
 * `hire-import probe`, end to end in-process: against the sandbox in the docs' reading (--sandbox) and in the SDK's
 * (a sandbox started here, named by FEISHU_BASE_URL, with --yes), the findings differ exactly where the two readings
 * differ; they are recorded privately in the target's state folder; the throwaway records that have a delete are
 * gone afterwards; and a target that is not the sandbox is refused without --yes before any request.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLogPath, targetOf } from '../../src/log/target.js';
import { credentialEnv, credentials, runCli, workspace } from '../support/cli.js';
import { sandboxSession } from '../support/sandboxSession.js';

const sandbox = sandboxSession();

type Findings = Record<string, unknown>;

function findingsOf(stdout: string): Findings {
  const result = JSON.parse(stdout) as { findings: Array<{ id: string; value: unknown }> };
  return Object.fromEntries(result.findings.map((finding) => [finding.id, finding.value]));
}

/** probe.json in the state folder of the target `baseUrl` names (or the sandbox's). */
function recorded(folder: string, baseUrl?: string): { findings: Findings; mode: number } {
  const log = defaultLogPath(targetOf({ sandbox: baseUrl === undefined, baseUrl: baseUrl ?? '', appId: credentials.appId }), 'talents');
  const file = join(folder, log.replace(/talents\.results\.jsonl$/, 'probe.json'));
  return { findings: findingsOf(readFileSync(file, 'utf8')), mode: statSync(file).mode & 0o777 };
}

describe('hire-import probe', () => {
  it("finds, under each reading, what that reading answers: the findings differ exactly where the readings do", async () => {
    const docsFolder = workspace();
    const docs = await runCli(['probe', '--sandbox', '--json'], { cwd: docsFolder });
    expect(docs.stderr).not.toContain('hire-import:');
    expect(docs.code).toBe(0);

    const server = await sandbox.start({ reading: 'sdk' });
    const sdkFolder = workspace();
    const sdk = await runCli(['probe', '--yes', '--json'], { cwd: sdkFolder, env: credentialEnv(server.url) });
    expect(sdk.code).toBe(0);

    const [byDocs, bySdk] = [findingsOf(docs.stdout), findingsOf(sdk.stdout)];
    expect(byDocs).toEqual({
      externalIdEchoed: false,
      standaloneAssessmentListed: true,
      interviewPutKeepsAssessments: false,
      duplicateExternalId: 'same',
      deleteOfDeleted: 1002002,
      mobileUnderOtherCode: false,
    });
    expect(bySdk).toEqual({ ...byDocs, externalIdEchoed: true, interviewPutKeepsAssessments: true });

    // Recorded beside the state, private, as printed.
    expect(recorded(docsFolder)).toEqual({ findings: byDocs, mode: 0o600 });
    expect(recorded(sdkFolder, server.url)).toEqual({ findings: bySdk, mode: 0o600 });
    // What has a delete is gone (the interview's assessment with it); the talent, which has none, stays and is named.
    expect(server.records('applications')).toEqual([]);
    expect(server.records('interviews')).toEqual([]);
    expect(server.assessments()).toEqual([]);
    expect(server.records('talents')).toHaveLength(1);
    expect((JSON.parse(sdk.stdout) as { left: string[] }).left).toContainEqual(expect.stringMatching(/^talent \S+: no delete in the API, it stays$/));
  });

  it('prints the findings as a table', async () => {
    const run = await runCli(['probe', '--sandbox'], { cwd: workspace() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}batch_query items echo external_id +no$/m);
    expect(run.stdout).toMatch(/^ {2}an interview PUT keeps the assessments created on their own +no: no longer listed with its id$/m);
    expect(run.stdout).toMatch(/^ {2}a DELETE of an id already deleted +refused: 1002002: /m);
    expect(run.stdout).toContain('recorded in hire-import-state/sandbox/probe.json');
    // The probe's sandbox is its own, not the rehearsals' one.
    expect(run.stderr).toMatch(/^sandbox: a local emulator at \S+, empty, kept in memory for this run only \(nothing reaches Feishu\)$/m);
  });

  it('refuses a target that is not the sandbox without --yes, before any request (exit 2)', async () => {
    const server = await sandbox.start();
    const run = await runCli(['probe', '--json'], { cwd: workspace(), env: credentialEnv(server.url) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Run it against a rehearsal tenant only, and say so with --yes; nothing was sent');
    expect((JSON.parse(run.stdout) as { error: { kind: string } }).error.kind).toBeDefined();
    expect(server.stats().requests).toBe(0);
  });
});
