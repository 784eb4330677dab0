/**
 * Verifies one export against Feishu: every record is read through its mapping again (the body it was sent as), the
 * records the result log says were created are read back by their Feishu ids, and each record gets one status:
 * - `ok`: on Feishu, with the export's content;
 * - `missing`: the log says created, Feishu does not have it;
 * - `differs`: on Feishu with other content (the fields that differ, with both values);
 * - `not imported`: in the export, not created according to the log (invalid, failed, blocked, never sent);
 * - `not checked`: verify cannot compare it: its resource cannot be read back (talents), its row in the export is
 *   invalid although the log says it was created (from a corrected copy), or reading it back failed.
 * Records stream through in windows of `windowSize`: memory holds one window, and each window's reads are all
 * under way at once.
 */
import { endpointFor } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { inputHash } from '../import/identity.js';
import { openMappedInput, prepare, rawRows } from '../import/records.js';
import { readResultLog, type LogLine } from '../log/resultLog.js';
import { checkLogTarget, type Target } from '../log/target.js';
import type { StepLogs } from '../map/lookup.js';
import { loadMapping } from '../map/mapping.js';
import { plural } from '../report/format.js';
import type { Format } from '../read/source.js';
import { carriedFields, differences, type Difference } from './compare.js';
import type { ReadBack } from './readBack.js';
import { checkStatuses, type CheckStatus } from './checkStatus.js';


export interface RecordCheck {
  /** The plan step (the resource, for a single export). */
  step: string;
  resource: string;
  file: string;
  /** Where the record starts in the export. */
  line: number;
  external_id: string | null;
  /** The Feishu id the log names. */
  id?: string;
  status: CheckStatus;
  differences?: Difference[];
  /** Why it is not imported or not checked. */
  detail?: string;
  /** Not checked because reading it back failed (which, unlike the others, fails the verify). */
  readFailed?: true;
  /** One row for this many records alike (talents Feishu cannot read back): no line, no ids. */
  records?: number;
}

export interface StepToVerify {
  name: string;
  resource: string;
  file: string;
  mapping?: string;
  log: string;
  format?: Format;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  /** The log each `{ step }` lookup of the mapping reads: a plan's steps', or the resources' own. */
  stepLogs?: StepLogs;
}

export interface StepVerification {
  step: string;
  resource: string;
  file: string;
  log: string;
  counts: Record<CheckStatus, number>;
  /** Records not checked because reading them back failed. */
  readFailures: number;
  /** The IANA zone of the export's dates (the mapping's input.timezone, else the machine's): the report shows times in it. */
  zone: string;
}

export interface VerifyContext {
  readBack: ReadBack;
  /** Where the records were imported: a log that names another target (its header) is refused. */
  target: Target;
  signal: AbortSignal;
  /** Every record that is not `ok`, as it is settled. */
  onCheck(check: RecordCheck): void;
  windowSize?: number;
  /** The program as the user runs it: the commands a message suggests start with it. */
  program: string;
}

/** Enough ids for many requests at once (50 batch queries of 20), few enough to keep memory flat. */
const defaultWindowSize = 1000;

interface Created {
  line: number;
  externalId: string;
  id: string;
  body: Record<string, unknown>;
}

export async function verifyStep(step: StepToVerify, context: VerifyContext): Promise<StepVerification> {
  const endpoint = endpointFor(step.resource)!;
  const windowSize = context.windowSize ?? defaultWindowSize;
  const counts = Object.fromEntries(checkStatuses.map((status) => [status, 0])) as Record<CheckStatus, number>;
  const spec = step.mapping === undefined ? undefined : await loadMapping(step.mapping);
  const zone = spec?.input?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const summary: StepVerification = { step: step.name, resource: step.resource, file: step.file, log: step.log, counts, readFailures: 0, zone };
  const settle = (check: Omit<RecordCheck, 'step' | 'resource' | 'file'>) => {
    counts[check.status]++;
    if (check.readFailed) summary.readFailures++;
    if (check.status !== 'ok') context.onCheck({ step: step.name, resource: step.resource, file: step.file, ...check });
  };

  // Why each record the log does not count as created was not: its last other outcome.
  const lastProblem = new Map<string, LogLine>();
  const history = await readResultLog(step.log, {
    keep: { ids: true, hashes: false },
    onEntry: (entry) => {
      if (entry.external_id !== null && !['created', 'updated', 'matched', 'differs'].includes(entry.status)) lastProblem.set(entry.external_id, entry);
    },
  });
  checkLogTarget(step.log, history.header, context.target, step.resource);
  const notImported = (externalId: string) => {
    const problem = lastProblem.get(externalId);
    if (problem?.status === 'deleted') return 'deleted by hire-import undo';
    if (problem) return `${problem.status}${problem.code === undefined ? '' : ` (${problem.code})`}: ${problem.msg ?? 'see the result log'}`;
    if (history.intents.has(externalId)) return 'sent, but the import stopped before its answer was logged: the next import finds it on Feishu or sends it';
    return 'not sent yet';
  };

  const cleanup: Array<() => unknown> = [];
  try {
    const { mapper, records } = await openMappedInput({ ...step, spec, endpoint, signal: context.signal, program: context.program }, cleanup);
    /** Records Feishu cannot read back at all: one report row for them, not one each. */
    let unreadable = 0;
    let window: Created[] = [];
    for await (const item of await records()) {
      if (context.signal.aborted) break;
      const prepared = await prepare(item, mapper);
      const { line } = item;
      if (!prepared.ok) {
        const reasons = prepared.problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
        const externalId = prepared.externalId ?? null;
        const known = externalId === null ? undefined : history.known.created(externalId);
        if (known) settle({ line, external_id: externalId, id: known.id, status: 'not checked', detail: `created from a corrected copy; this row is invalid (${reasons})` });
        // A plan logged a child whose parent was not imported as blocked: verify uses the same word for it.
        else if (externalId !== null && lastProblem.get(externalId)?.status === 'blocked') settle({ line, external_id: externalId, status: 'not imported', detail: notImported(externalId) });
        else settle({ line, external_id: externalId, status: 'not imported', detail: `invalid: ${reasons}` });
        continue;
      }
      const { externalId, body } = prepared;
      const earlier = history.known.firstSeen(externalId, line, inputHash(rawRows(item)));
      if (earlier?.sameInput) continue; // an exact duplicate row: the import counted the record once
      if (earlier !== undefined) {
        settle({ line, external_id: externalId, status: 'not imported', detail: `invalid: ${endpoint.externalId}: '${externalId}' already appears at line ${earlier.line}, with other content` });
        continue;
      }
      const known = history.known.created(externalId);
      if (!known) {
        settle({ line, external_id: externalId, status: 'not imported', detail: notImported(externalId) });
        continue;
      }
      if (!endpoint.readBack) {
        counts['not checked']++;
        unreadable++;
        continue;
      }
      window.push({ line, externalId, id: known.id, body });
      if (window.length >= windowSize) {
        await checkWindow(endpoint, window, context, settle);
        window = [];
      }
    }
    await checkWindow(endpoint, window, context, settle);
    if (unreadable > 0) {
      const detail = `${plural(unreadable, 'record')} created: Feishu has no way to read ${endpoint.title}s back by id`;
      context.onCheck({ step: step.name, resource: step.resource, file: step.file, line: 0, external_id: null, status: 'not checked', detail, records: unreadable });
    }
  } finally {
    for (const release of cleanup.reverse()) await release();
  }
  return summary;
}

/** Reads a window's records back, all at once, and settles each. */
async function checkWindow(
  endpoint: EndpointDescription,
  window: readonly Created[],
  context: VerifyContext,
  settle: (check: Omit<RecordCheck, 'step' | 'resource' | 'file'>) => void,
): Promise<void> {
  if (window.length === 0) return;
  const parentField = endpoint.parent?.field;
  const read = await context.readBack.byIds(
    endpoint,
    window.map(({ id, body }) => {
      const parent = parentField === undefined ? undefined : body[parentField];
      return { id, ...(typeof parent === 'string' ? { parent } : {}) };
    }),
  );
  const carried = carriedFields(endpoint);
  for (const { line, externalId, id, body } of window) {
    const base = { line, external_id: externalId, id };
    const why = read.unread.get(id);
    if (why !== undefined) {
      settle({ ...base, status: 'not checked', detail: why, readFailed: true });
      continue;
    }
    const server = read.found.get(id);
    if (!server) {
      settle({ ...base, status: 'missing', detail: `the log says it was created as ${id}; Feishu has no such ${endpoint.title}` });
      continue;
    }
    const differing = differences(endpoint, body, server, carried);
    settle(differing.length === 0 ? { ...base, status: 'ok' } : { ...base, status: 'differs', differences: differing });
  }
}

