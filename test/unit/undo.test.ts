/**
 * The pure parts of an undo: what the logs say goes and in which order (targets), how long it takes at the delete
 * limits (eta, on a fake clock), the run's order and logging over a scripted client, and the words it uses.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applications } from '../../src/endpoints/applications.js';
import { endpointFor } from '../../src/endpoints/registry.js';
import type { EndpointDescription } from '../../src/endpoints/types.js';
import { ResultLog, type DeletedEntry } from '../../src/log/resultLog.js';
import type { Answer } from '../../src/send/answer.js';
import { Pace } from '../../src/send/pace.js';
import { Sender } from '../../src/send/sender.js';
import { TokenCache } from '../../src/send/tokenCache.js';
import { paceDurationMs, undoEtaMs } from '../../src/undo/eta.js';
import { undoProgressLine } from '../../src/undo/progress.js';
import { runUndo, UndoTally } from '../../src/undo/run.js';
import { confirmQuestion, formatUndoSummary, plannedText, unconfirmedMessage, type UndoSummary } from '../../src/undo/summary.js';
import { deleteCounts, undoTargets, type UndoSource } from '../../src/undo/targets.js';
import { LogWriteError } from '../../src/errors.js';
import { jsonOut, reportUndo } from '../../src/outcome.js';
import { noColors } from '../../src/report/colors.js';
import { fakeClock } from '../support/fakeClock.js';

/** A log's created records: `ids` external_id -> Feishu id; a name in `matched` was found, not made. */
function created(ids: Record<string, string>, matched: string[] = []): Map<string, { id: string; matched?: true }> {
  return new Map(Object.entries(ids).map(([key, id]) => [key, matched.includes(key) ? { id, matched: true } : { id }]));
}

const source = (resource: string, ids: Record<string, string>, matched: string[] = []): UndoSource => ({ resource, log: `${resource}.jsonl`, created: created(ids, matched) });

describe('undo targets', () => {
  const plan = [
    source('talents', { C1: 't1', C2: 't2', C3: 't3' }, ['C3']),
    source('applications', { A1: 'a1', A2: 'a2' }),
    source('interviews', { I1: 'i1', I2: 'i2' }),
    source('assessments', { R1: 'r1', R2: 'r2', R3: 'r3' }),
    source('offers', { O1: 'o1' }),
  ];

  it('deletes children before parents by the API parent chain, whatever the order of the logs, and never a matched record', () => {
    for (const sources of [plan, [...plan].reverse()]) {
      const targets = undoTargets(sources);
      expect(targets.levels.map((level) => level.map(({ endpoint, records }) => `${endpoint.resource}:${records.map((one) => one.id).join(',')}`))).toEqual(
        sources === plan ? [['interviews:i1,i2', 'offers:o1'], ['applications:a1,a2']] : [['offers:o1', 'interviews:i1,i2'], ['applications:a1,a2']],
      );
      expect(targets.carried.map(({ endpoint, parent, records }) => [endpoint.resource, parent, records.length])).toEqual([['assessments', 'interviews', 3]]);
      expect(targets.left).toEqual([{ resource: 'talents', count: 2, reason: 'the API has no delete for talents' }]);
      expect([...targets.matched]).toEqual([['talents', 1]]);
    }
    expect(deleteCounts(undoTargets(plan))).toEqual([
      { resource: 'interviews', count: 2 },
      { resource: 'assessments', count: 3, carriedBy: 'interviews' },
      { resource: 'offers', count: 1 },
      { resource: 'applications', count: 2 },
    ]);
  });

  it('leaves assessments whose interviews are not among the logs, saying how to undo them', () => {
    const targets = undoTargets([source('assessments', { R1: 'r1' })]);
    expect(targets.levels).toEqual([]);
    expect(targets.left).toEqual([
      {
        resource: 'assessments',
        count: 1,
        reason:
          'the API has no delete for external interview assessments: they go with their external interview; undo them with a plan that has the interviews step too, ' +
          'which logs them as deleted once the interviews are',
      },
    ]);
  });

  it('keeps a resource with nothing left to delete as a level, so what it carries can still be logged', () => {
    const targets = undoTargets([source('interviews', {}), source('assessments', { R1: 'r1' })]);
    expect(targets.levels.map((level) => level.map(({ endpoint, records }) => [endpoint.resource, records.length]))).toEqual([[['interviews', 0]]]);
    expect(targets.carried).toHaveLength(1);
  });
});

describe('undo ETA from the delete limits', () => {
  it('spends a minute per twenty external applications (20 per minute), not a second', () => {
    // Batches of 20 starts 50 ms apart, each batch a minute (and the pace's 15 + 100 ms margins) after the one before.
    expect(paceDurationMs({ count: 200, limit: applications.delete!.limit }, 0)).toBe(9 * 60_115 + 19 * 50);
    expect(paceDurationMs({ count: 20, limit: applications.delete!.limit }, 0)).toBe(19 * 50);
    expect(paceDurationMs({ count: 0, limit: applications.delete!.limit }, 0)).toBe(0);
  });

  it('takes the slowest resource of each level, and the levels one after another', () => {
    const interviews = { count: 300, limit: endpointFor('interviews')!.delete!.limit };
    const offers = { count: 30, limit: endpointFor('offers')!.delete!.limit };
    const apps = { count: 200, limit: applications.delete!.limit };
    const level = paceDurationMs(interviews, 0);
    expect(level).toBeGreaterThan(paceDurationMs(offers, 0));
    expect(level).toBeGreaterThanOrEqual(29_900); // 10 per second
    expect(undoEtaMs([[interviews, offers], [apps]], 0)).toBe(level + paceDurationMs(apps, 0));
  });

  it('starts from a live pace: twenty applications just deleted put the next twenty a minute away (fake clock)', async () => {
    const clock = fakeClock({ start: 5_000 });
    const pace = new Pace({ rate: 20, perMinute: 20, clock });
    for (let started = 0; started < 20; started++) await pace.acquire();
    const now = clock.now();
    expect(now).toBe(5_000 + 19 * 50);
    const limit = applications.delete!.limit;
    expect(paceDurationMs({ count: 20, limit }, now)).toBe(19 * 50);
    // The 21st may start a minute (and the margins) after the 1st, at 5_000 + 60_115; the 40th 19 gaps later.
    expect(paceDurationMs({ count: 20, limit, pace: pace.state }, now)).toBe(5_000 + 60_115 + 19 * 50 - now);
    expect(pace.state.started).toBe(20); // the estimate played a copy
  });
});

/** Real senders over a client that answers deletes from `answers` (by id; ok when not named), on a fake clock. */
function scriptedRun(answers: Record<string, Answer> = {}, signal = new AbortController().signal, readBack?: Record<string, true | string>) {
  const clock = fakeClock();
  const asked: string[] = [];
  const tokenCache = new TokenCache(async () => ({ token: 't-1', expire: 7200 }), clock);
  const client = {
    create: () => Promise.reject(new Error('no creates in an undo')),
    update: () => Promise.reject(new Error('no updates in an undo')),
    request: () => Promise.reject(new Error('no lookups in an undo')),
    delete: async (endpoint: EndpointDescription, id: string): Promise<Answer> => {
      asked.push(`${endpoint.resource} ${id}`);
      return answers[id] ?? { kind: 'ok', status: 200, id };
    },
  };
  const folder = mkdtempSync(join(tmpdir(), 'hire-import-undo-'));
  const logs = new Map<string, ResultLog<DeletedEntry>>();
  const senderFor = (endpoint: EndpointDescription) =>
    new Sender({ endpoint, client, tokenCache, clock, random: () => 0.5, maxAttempts: 2, concurrency: 4, signal });
  const logFor = (name: string) => {
    if (!logs.has(name)) logs.set(name, ResultLog.open<DeletedEntry>(join(folder, name), { bytes: 0, missingNewline: false }));
    return logs.get(name)!;
  };
  const run = async (sources: UndoSource[]) => {
    const tally = new UndoTally();
    const isGone = readBack && (async (_endpoint: EndpointDescription, id: string) => readBack[id] ?? 'never asked');
    const outcome = await runUndo({ targets: undoTargets(sources), tally, senderFor, logFor, signal, now: () => new Date(0), ...(isGone ? { isGone } : {}) });
    for (const log of logs.values()) log.close();
    return { tally, outcome };
  };
  /** The lines a log got. */
  const logged = (name: string): DeletedEntry[] => {
    const path = join(folder, name);
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DeletedEntry) : [];
  };
  return { run, asked, logged };
}

describe('undo run', () => {
  const sources = () => [source('applications', { A1: 'a1' }), source('interviews', { I1: 'i1', I2: 'i2' }), source('assessments', { R1: 'r1' })];

  it('deletes level by level, logs each deletion (a record already gone as notFound) and the assessments with their interviews', async () => {
    // i2's delete is refused with the generic parameter error; read back by its id, it is not there.
    const scripted = scriptedRun({ i2: { kind: 'error', status: 400, code: 1002002, msg: 'no such interview' } }, undefined, { i2: true });
    const { tally, outcome } = await scripted.run(sources());
    expect(outcome).toEqual({});
    // The interviews at once (in any order), the application only after both.
    expect([...scripted.asked.slice(0, 2)].sort()).toEqual(['interviews i1', 'interviews i2']);
    expect(scripted.asked.slice(2)).toEqual(['applications a1']);
    expect(Object.fromEntries(tally.byResource)).toEqual({
      interviews: { deleted: 1, notFound: 1, withParent: 0, failed: 0, pending: 0 },
      assessments: { deleted: 0, notFound: 0, withParent: 1, failed: 0, pending: 0 },
      applications: { deleted: 1, notFound: 0, withParent: 0, failed: 0, pending: 0 },
    });
    expect((scripted.logged('interviews.jsonl')).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { resource: 'interviews', external_id: 'I1', status: 'deleted', id: 'i1', how: 'deleted', attempts: 1, at: '1970-01-01T00:00:00.000Z' },
      { resource: 'interviews', external_id: 'I2', status: 'deleted', id: 'i2', how: 'notFound', attempts: 1, at: '1970-01-01T00:00:00.000Z' },
    ]);
    expect(scripted.logged('assessments.jsonl')).toEqual([
      { resource: 'assessments', external_id: 'R1', status: 'deleted', id: 'r1', how: 'withParent', at: '1970-01-01T00:00:00.000Z' },
    ]);
  });

  it('fails a delete refused with the generic 1002002 unless reading it back finds it gone', async () => {
    const refused = { kind: 'error', status: 400, code: 1002002, msg: '参数错误' } as const;
    const unchecked = await scriptedRun({ i2: refused }).run(sources());
    expect(unchecked.tally.problems).toEqual([{ resource: 'interviews', externalId: 'I2', id: 'i2', code: 1002002, msg: '参数错误' }]);
    const stillThere = await scriptedRun({ i2: refused }, undefined, { i2: 'it is still there, read back by its id' }).run(sources());
    expect(stillThere.tally.byResource.get('interviews')).toMatchObject({ deleted: 1, notFound: 0, failed: 1 });
    expect(stillThere.tally.problems).toEqual([{ resource: 'interviews', externalId: 'I2', id: 'i2', code: 1002002, msg: '参数错误 (it is still there, read back by its id)' }]);
  });

  it('holds the parents back, and the assessments unlogged, while an interview could not be deleted', async () => {
    const scripted = scriptedRun({ i2: { kind: 'error', status: 400, code: 1002201, msg: 'refused' } });
    const { tally } = await scripted.run(sources());
    expect([...scripted.asked].sort()).toEqual(['interviews i1', 'interviews i2']);
    expect(tally.byResource.get('applications')).toMatchObject({ deleted: 0, pending: 1 });
    expect(tally.byResource.get('assessments')).toMatchObject({ withParent: 0, pending: 1 });
    expect([...tally.heldBack]).toEqual(['applications']);
    expect(tally.problems).toEqual([{ resource: 'interviews', externalId: 'I2', id: 'i2', code: 1002201, msg: 'refused' }]);
    expect(scripted.logged('assessments.jsonl')).toEqual([]);
  });

  it('starts nothing once interrupted, leaving every record for a rerun', async () => {
    const controller = new AbortController();
    controller.abort();
    const scripted = scriptedRun({}, controller.signal);
    const { tally } = await scripted.run(sources());
    expect(scripted.asked).toEqual([]);
    expect([...tally.byResource].map(([resource, counts]) => [resource, counts.pending])).toEqual([['interviews', 2], ['assessments', 1], ['applications', 1]]);
    expect(tally.heldBack.size).toBe(0);
  });
});

describe('undo words', () => {
  const planned = deleteCounts(undoTargets([source('applications', { A1: 'a1', A2: 'a2' }), source('interviews', { I1: 'i1' }), source('assessments', { R1: 'r1', R2: 'r2' })]));
  const target = { baseUrl: 'https://open.feishu.cn', appId: 'cli_x' };

  it('names the target and the counts when asking, and when refusing without a terminal', () => {
    expect(plannedText(planned)).toBe('1 interview, 2 assessments (with their interviews), 2 applications');
    expect(confirmQuestion(planned, target)).toBe(
      'Delete 1 interview, 2 assessments (with their interviews), 2 applications from https://open.feishu.cn (app cli_x)? Type the app id to confirm: ',
    );
    expect(unconfirmedMessage(planned, target, 61_000)).toBe(
      'undo would delete 1 interview, 2 assessments (with their interviews), 2 applications from https://open.feishu.cn (app cli_x) (about 1m01s); ' +
        'nothing was deleted. To confirm, run the same command with --yes, or in a terminal to be asked; --dry-run shows what would go',
    );
  });

  it('shows the estimate and the per-minute limit that sets it on a dry run', () => {
    const many = deleteCounts(undoTargets([source('applications', Object.fromEntries(Array.from({ length: 45 }, (_, n) => [`A${n}`, `a${n}`])))]));
    const summary: UndoSummary = {
      target, dryRun: true, interrupted: false, etaMs: 121_000, elapsedMs: 3, planned: many, done: {}, heldBack: [], left: [{ resource: 'talents', count: 3, reason: 'the API has no delete for talents' }], mayExist: [],
      matched: { talents: 1 }, problems: [], notes: [], logs: ['applications.jsonl'], unlogged: [],
    };
    expect(formatUndoSummary(summary, noColors)).toBe(
      [
        'undo (dry run: nothing deleted): would delete 45 applications from https://open.feishu.cn (app cli_x)',
        "  about 2m01s at the delete APIs' limits (external applications: 20 per minute)",
        '  talents: 3 left: the API has no delete for talents',
        '  talents: 1 matched (they existed before the import): never deleted',
        '  result log: applications.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('shows, while it runs, what each resource has left and the time left', () => {
    const targets = undoTargets([source('applications', { A1: 'a1', A2: 'a2' }), source('interviews', { I1: 'i1' })]);
    const tally = new UndoTally();
    tally.counts('interviews').deleted = 1;
    tally.level = 1;
    expect(undoProgressLine(targets, tally, 0)).toBe('1/3 deleted · interviews 1/1 · applications 0/2 · about 0.1s left');
    // While an outage pauses the deletes, the line says so first: a narrow terminal cuts from the end.
    const paused = { since: new Date('2026-11-25T12:03:10Z'), forMs: 45_000, nextProbeInMs: 8_000 };
    expect(undoProgressLine(targets, tally, 0, paused)).toBe(
      'paused: Feishu unreachable since 12:03:10 UTC (45s), next probe in 8.0s · 1/3 deleted · interviews 1/1 · applications 0/2 · about 0.1s left',
    );
  });
});

describe('undo exit codes', () => {
  const base: UndoSummary = {
    target: { baseUrl: 'https://open.feishu.cn', appId: 'cli_x' }, dryRun: false, interrupted: false, etaMs: 1_000, elapsedMs: 900,
    planned: [{ resource: 'interviews', count: 2 }], done: { interviews: { deleted: 2, notFound: 0, withParent: 0, failed: 0, pending: 0 } },
    heldBack: [], left: [], mayExist: [], matched: {}, problems: [], notes: [], logs: ['i.jsonl'], unlogged: [],
  };
  const colors = { stdout: noColors, stderr: noColors };
  const quiet = { stdout: () => undefined, stderr: () => undefined, colors };
  const failed = { ...base, done: { interviews: { deleted: 1, notFound: 0, withParent: 0, failed: 1, pending: 0 } } };

  it('is 0 when everything was deleted, 1 when a delete failed, 130 when interrupted, and the stopping error\'s own code', () => {
    expect(reportUndo(base, undefined, quiet)).toBe(0);
    expect(reportUndo({ ...base, dryRun: true, done: {} }, undefined, quiet)).toBe(0);
    expect(reportUndo(failed, undefined, quiet)).toBe(1);
    expect(reportUndo({ ...base, interrupted: true, done: { interviews: { ...base.done.interviews!, deleted: 1, pending: 1 } } }, undefined, quiet)).toBe(130);
    expect(reportUndo({ ...base, stop: new LogWriteError('cannot write the result log i.jsonl: the disk is full') }, undefined, quiet)).toBe(74);
  });

  it('prints the same summary as JSON on stdout with --json', () => {
    let stdout = '';
    const output = { stdout: (text: string) => void (stdout += text), stderr: () => undefined, colors };
    reportUndo(failed, jsonOut(output), output);
    expect(JSON.parse(stdout)).toEqual({ ...failed, ok: false, exitCode: 1 });
  });
});
