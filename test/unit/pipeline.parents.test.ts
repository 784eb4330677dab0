/**
 * The pipeline inside a plan: records of a mapping with a `{ step }` lookup are sent with their parent's Feishu id,
 * parked (without stopping the reading) while it is unknown, blocked when the parent step finishes without it, left
 * for a rerun when the parent step stopped; on a dry run a parent that would be created stands in with a placeholder.
 * In-process, with a real ParentIds as the parent step and a fake sender, log and rejects file.
 */
import { describe, expect, it } from 'vitest';
import { interviews } from '../../src/endpoints/interviews.js';
import type { LogEntry, ResultLog } from '../../src/log/resultLog.js';
import { KnownIds } from '../../src/import/knownIds.js';
import { runPipeline, type PipelineOutcome } from '../../src/import/pipeline.js';
import { compileMapping } from '../../src/map/mapping.js';
import { ParentIds, type ParentOutcome } from '../../src/plan/parentIds.js';
import type { RejectsWriter } from '../../src/read/rejects.js';
import type { SourceItem } from '../../src/read/source.js';
import { Tally } from '../../src/report/tally.js';
import type { Sender, SendJob } from '../../src/send/sender.js';
import { row } from './map.helpers.js';

const mapping = {
  lookups: { applications: { step: 'applications' } },
  fields: { external_id: 'id', external_application_id: { from: 'application', lookup: 'applications' }, participate_status: 'status' },
};

/** Records yielded one by one, noting how far the pipeline has read. */
async function* records(rows: Array<Record<string, unknown>>, read: string[]): AsyncIterable<SourceItem> {
  for (const [index, fields] of rows.entries()) {
    read.push(String(fields.id));
    yield row(fields, index + 2);
  }
}

/** Lets every pending callback run. */
const settle = () => new Promise((done) => setImmediate(done));

interface Run {
  /** Jobs the sender got, in order. */
  sent: SendJob[];
  logged: LogEntry[];
  rejected: string[];
  /** What the step told its own ids (as its children would see them). */
  told: ParentOutcome[];
  /** Record ids the reader has pulled so far. */
  read: string[];
  tally: Tally;
  done: Promise<PipelineOutcome>;
}

function run(rows: Array<Record<string, unknown>>, parent: ParentIds, options: { dryRun?: boolean; known?: KnownIds; signal?: AbortSignal } = {}): Run {
  const sent: SendJob[] = [];
  const logged: LogEntry[] = [];
  const rejected: string[] = [];
  const told: ParentOutcome[] = [];
  const read: string[] = [];
  const tally = new Tally();
  let nextId = 900;
  const sender = {
    fatal: undefined,
    submit: async (job: SendJob, onResult: (result: unknown) => void) => {
      sent.push(job);
      onResult({ status: 'created', id: String(nextId++), attempts: 1 });
    },
    drain: async () => undefined,
    stop: () => undefined,
  } as unknown as Sender;
  const resultLog = { append: (entry: LogEntry) => logged.push(entry), failure: undefined } as unknown as ResultLog;
  const rejects = { write: (item: { raw: string }) => rejected.push(item.raw), close: async () => rejected.length } as unknown as RejectsWriter;
  const done = compileMapping(mapping, { program: 'hire-import', endpoint: interviews, format: 'jsonl', baseDir: '.', steps: true }).then((mapper) =>
    runPipeline({
      endpoint: interviews,
      file: 'interviews.jsonl',
      items: records(rows, read),
      mapper,
      known: options.known ?? new KnownIds(),
      updateChanged: false,
      sender: options.dryRun ? undefined : sender,
      resultLog: options.dryRun ? undefined : resultLog,
      rejects: options.dryRun ? undefined : rejects,
      tally,
      signal: options.signal ?? new AbortController().signal,
      parents: new Map([['applications', parent]]),
      own: { record: (outcome) => told.push(outcome) },
    }),
  );
  return { sent, logged, rejected, told, read, tally, done };
}

function applications(options: { logged?: Record<string, string>; parkLimit?: number; now?: () => number } = {}): ParentIds {
  const logged = options.logged ?? {};
  return new ParentIds({ step: 'applications', logged: { created: (key) => (key in logged ? { id: logged[key]! } : undefined) }, now: options.now ?? (() => 0), parkLimit: options.parkLimit });
}

describe('the pipeline inside a plan', () => {
  it('sends a child with its parent id at once when known, and parks one whose parent comes later without pausing the reading', async () => {
    const parent = applications({ logged: { 'A-1': '701' } });
    const step = run([{ id: 'I-1', application: 'A-2', status: 2 }, { id: 'I-2', application: 'A-1' }], parent);
    await settle();
    expect(step.read).toEqual(['I-1', 'I-2']);
    expect(step.sent).toEqual([{ action: 'create', body: { external_id: 'I-2', external_application_id: '701' }, local: {} }]);
    expect(parent.parked).toBe(1);
    parent.record({ external_id: 'A-2', status: 'created', id: '702' });
    parent.finish('complete');
    const outcome = await step.done;
    // Created in this run moments ago: the sender may retry a "parent missing" answer for it.
    expect(step.sent[1]).toEqual({ action: 'create', body: { external_id: 'I-1', external_application_id: '702', participate_status: 2 }, local: {}, parentCreatedRecently: true });
    expect(step.logged.map((entry) => [entry.external_id, entry.status, entry.id])).toEqual([
      ['I-2', 'created', '900'],
      ['I-1', 'created', '901'],
    ]);
    expect(step.told.map((entry) => [entry.external_id, entry.status, entry.id])).toEqual([
      ['I-2', 'created', '900'],
      ['I-1', 'created', '901'],
    ]);
    expect(outcome.pending).toBe(0);
  });

  it('logs blocked, rejects and counts a child whose parent step finished without its key; nothing is sent for it', async () => {
    const parent = applications();
    const step = run([{ id: 'I-9', application: 'A-99' }], parent);
    await settle();
    parent.record({ external_id: 'A-1', status: 'created', id: '701' });
    parent.finish('complete');
    await step.done;
    expect(step.sent).toEqual([]);
    expect(step.logged).toEqual([
      expect.objectContaining({
        external_id: 'I-9',
        status: 'blocked',
        line: 2,
        field: 'external_application_id',
        msg: "parent 'A-99' not found in step applications (the step has finished without it)",
      }),
    ]);
    expect(step.rejected).toEqual([JSON.stringify({ id: 'I-9', application: 'A-99' })]);
    expect(step.tally.counts).toMatchObject({ read: 1, blocked: 1, created: 0 });
    // Its own children learn why it has no id.
    expect(step.told).toEqual([expect.objectContaining({ external_id: 'I-9', status: 'blocked' })]);
  });

  it('leaves a child unsent and unlogged, for a rerun, when its parent step stopped early', async () => {
    const parent = applications();
    const step = run([{ id: 'I-3', application: 'A-3' }], parent);
    await settle();
    parent.finish('stopped');
    const outcome = await step.done;
    expect([step.sent, step.logged, outcome.pending]).toEqual([[], [], 1]);
  });

  it('skips a child created by an earlier run without waiting for its parent', async () => {
    const known = new KnownIds();
    known.recordCreated('I-4', '804');
    const step = run([{ id: 'I-4', application: 'A-4' }], applications(), { known });
    await step.done;
    expect([step.sent, step.tally.counts.skipped]).toEqual([[], 1]);
  });

  it('stops reading while the parent step has parkLimit children waiting, and reads on when they are answered', async () => {
    const parent = applications({ parkLimit: 1 });
    const step = run([{ id: 'I-5', application: 'A-5' }, { id: 'I-6', application: 'A-6' }], parent);
    await settle();
    expect(step.read).toEqual(['I-5']);
    parent.record({ external_id: 'A-5', status: 'created', id: '705' });
    await settle();
    expect(step.read).toEqual(['I-5', 'I-6']);
    parent.record({ external_id: 'A-6', status: 'created', id: '706' });
    parent.finish('complete');
    await step.done;
    expect(step.sent.map((job) => job.body.external_application_id)).toEqual(['705', '706']);
  });

  it('says a parent created more than a minute ago is not recent', async () => {
    let now = 0;
    const parent = applications({ now: () => now });
    parent.record({ external_id: 'A-7', status: 'created', id: '707' });
    now = 61_000;
    const step = run([{ id: 'I-7', application: 'A-7' }], parent);
    parent.finish('complete');
    await step.done;
    expect(step.sent).toEqual([{ action: 'create', body: { external_id: 'I-7', external_application_id: '707' }, local: {} }]);
  });

  it('on a dry run checks a child of a parent that would be created, and tells its own children a placeholder', async () => {
    const parent = applications();
    const step = run([{ id: 'I-8', application: 'A-8', status: 'not a status' }, { id: 'I-9', application: 'A-9' }], parent, { dryRun: true });
    await settle();
    parent.record({ external_id: 'A-9', status: 'created', id: '(dry run: A-9)' });
    parent.finish('complete');
    const outcome = await step.done;
    expect(outcome.wouldCreate).toBe(1);
    expect(step.tally.counts).toMatchObject({ invalid: 1, blocked: 0 });
    expect(step.told).toEqual([
      expect.objectContaining({ external_id: 'I-8', status: 'invalid' }),
      { external_id: 'I-9', status: 'created', id: '(dry run: I-9)' },
    ]);
  });
});
