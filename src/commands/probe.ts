/**
 * `hire-import probe`: settles, on a rehearsal tenant, what the docs leave open (feishu-hire-api.md, "Not
 * documented"), by creating one throwaway talent and its chain (application, interview, assessment) and asking.
 * Guarantees:
 * - nothing is sent anywhere but the sandbox without --yes: the refusal (exit 2) comes before any request;
 * - every request goes through the senders and read-back the imports use: every path, field and limit comes from the
 *   endpoint descriptions;
 * - what it created and the API can delete is deleted again however the probe ends, children before parents (as
 *   undo deletes); what cannot be (the talent, which has no delete) is named in the result;
 * - the findings are returned and written to probe.json in the target's state folder, private to the user.
 */
import { renameSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { applications } from '../endpoints/applications.js';
import { assessments } from '../endpoints/assessments.js';
import { interviews } from '../endpoints/interviews.js';
import { endpointFor } from '../endpoints/registry.js';
import { talents } from '../endpoints/talents.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { ConfigError, UsageError } from '../errors.js';
import { checkStatePath, createOwned } from '../log/owned.js';
import { describeTarget, makeStateFolder, stateFolder, targetOf, targetSlug } from '../log/target.js';
import { compilePath } from '../map/path.js';
import { ReadBack, readRequests, type Item } from '../readBack/readBack.js';
import type { QueryResult } from '../send/matcher.js';
import type { DeleteResult, SendJob, SendResult, Sender } from '../send/sender.js';
import { diallingCodeAt } from '../validate/phone.js';
import { checkConnectionOptions, connect, newSender, type Connection, type ConnectionOptions, type ImportIO } from './import.js';

export interface ProbeOptions extends ConnectionOptions {
  /** Probe a sandbox started for this run (its reading: the docs'). */
  sandbox: boolean;
  /** Create and delete on a tenant that is not the sandbox. */
  yes: boolean;
}

export type ProbeIO = Pick<ImportIO, 'stderr' | 'signal' | 'clock' | 'random'>;

/** One question the docs leave open, and what the tenant answered. */
export interface Finding {
  id: 'externalIdEchoed' | 'standaloneAssessmentListed' | 'interviewPutKeepsAssessments' | 'duplicateExternalId' | 'deleteOfDeleted' | 'mobileUnderOtherCode';
  question: string;
  /** For the table: the answer in words. */
  answer: string;
  /** For later runs: true / false, or the code answered; null when the probe could not tell. */
  value: boolean | number | string | null;
}

export interface ProbeResult {
  target: string;
  probedAt: string;
  findings: Finding[];
  /** What was deleted again, and what stays (with why). */
  removed: string[];
  left: string[];
  /** Where the findings were recorded. */
  file: string;
}

/** The file beside the state of a target that holds its findings. */
export const probeFile = 'probe.json';
/** A dialling code the probe's talent is not under: its mobile is looked up under this one too. */
const otherDiallingCode = '1';

export async function probe(options: ProbeOptions, io: ProbeIO): Promise<ProbeResult> {
  checkConnectionOptions({ ...options, rate: undefined });
  const target = targetOf(options);
  if (!options.sandbox && !options.yes) {
    throw new UsageError(
      `probe creates a throwaway talent, external application, interview and assessment in ${describeTarget(target)}, and deletes what the API can ` +
        '(the talent cannot be deleted: it stays). Run it against a rehearsal tenant only, and say so with --yes; nothing was sent. A rehearsal: --sandbox',
    );
  }
  const file = join(stateFolder, targetSlug(target), probeFile);
  checkStatePath(file, 'the probe findings');
  makeStateFolder(file);
  const connection = await connect(options, io);
  const session = new Session(connection, options, io);
  try {
    // The wall clock (the times of the throwaway interview, and the names, unique by it), not the run's monotonic one.
    const now = Date.now();
    const findings = await ask(session, now);
    const result: ProbeResult = { target: describeTarget(target), probedAt: new Date(now).toISOString(), findings, ...(await session.removeAll()), file };
    record(file, result);
    return result;
  } catch (error) {
    for (const left of (await session.removeAll()).left) io.stderr(`left: ${left}\n`);
    throw error;
  } finally {
    await connection.close();
  }
}

/** The probe's requests, in order; each finding from the answers. */
async function ask(session: Session, now: number): Promise<Finding[]> {
  const stamp = `hire-import-probe-${now.toString(36)}`;
  const mobile = `139${String(now % 1e8).padStart(8, '0')}`;
  const phoneKey = talents.match!.keys.find((key) => key.diallingCode)!;
  const ownCode = phoneKey.diallingCode!.default;
  const talentId = await session.create(
    talents,
    { external_id: stamp, basic_info: { name: `hire-import probe ${stamp}`, email: `${stamp}@example.com`, mobile } },
    { [diallingCodeAt(phoneKey.field)]: ownCode },
  );
  const applicationBody = { external_id: `${stamp}-application`, talent_id: talentId, job_title: 'hire-import probe' };
  const applicationId = await session.create(applications, applicationBody);
  const interviewBody = { external_id: `${stamp}-interview`, external_application_id: applicationId, participate_status: 2, begin_time: now - 3_600_000, end_time: now };
  const interviewId = await session.create(interviews, interviewBody);
  const assessmentId = await session.create(assessments, { external_id: `${stamp}-assessment`, external_interview_id: interviewId, username: 'hire-import probe', conclusion: 2, content: 'hire-import probe' });

  const findings: Finding[] = [];
  const before = await session.readInterview(interviewId);
  const echoed = before === undefined ? null : before.external_id === interviewBody.external_id;
  findings.push({
    id: 'externalIdEchoed',
    question: 'batch_query items echo external_id',
    answer: echoed === null ? 'not known: the interview was not read back' : echoed ? 'yes' : 'no',
    value: echoed,
  });
  const listed = before === undefined ? null : holds(before, assessmentId);
  findings.push({
    id: 'standaloneAssessmentListed',
    question: "an interview's batch_query lists an assessment created on its own",
    answer: listed === null ? 'not known: the interview was not read back' : listed ? 'yes' : 'no',
    value: listed,
  });

  const put = await session.send(interviews, { action: 'update', id: interviewId, body: interviewBody });
  const after = put.status === 'updated' && listed ? await session.readInterview(interviewId) : undefined;
  const kept = after === undefined ? null : holds(after, assessmentId);
  findings.push({
    id: 'interviewPutKeepsAssessments',
    question: 'an interview PUT keeps the assessments created on their own',
    answer:
      put.status !== 'updated'
        ? `not known: the PUT was refused (${refusal(put)})`
        : kept === null
          ? 'not known: the assessment was not listed before the PUT, or the interview not read back after it'
          : kept
            ? 'yes: still listed with its id'
            : 'no: no longer listed with its id',
    value: kept,
  });

  const again = await session.send(applications, { action: 'create', body: applicationBody });
  if (again.status === 'created' && again.id !== applicationId) session.keep(applications, again.id);
  findings.push({
    id: 'duplicateExternalId',
    question: 'a second create with the same external_id within 24 h',
    answer:
      again.status !== 'created' ? `refused: ${refusal(again)}` : again.id === applicationId ? 'answers the first record (its id), creates nothing' : `creates a second record (${again.id})`,
    value: again.status !== 'created' ? codeOf(again) : again.id === applicationId ? 'same' : 'new',
  });

  await session.remove({ endpoint: interviews, id: interviewId });
  const twice = await session.delete(interviews, interviewId);
  findings.push({
    id: 'deleteOfDeleted',
    question: 'a DELETE of an id already deleted',
    answer: twice.status === 'deleted' ? 'succeeds' : `refused: ${refusal(twice)}`,
    value: twice.status === 'deleted' ? 0 : codeOf(twice),
  });

  const under = (code: string) => session.lookUp({ [phoneKey.diallingCode!.param]: code, [phoneKey.param]: [mobile] }, talentId);
  const [own, other] = [await under(ownCode), await under(otherDiallingCode)];
  findings.push({
    id: 'mobileUnderOtherCode',
    question: `a mobile looked up under another dialling code (+${otherDiallingCode}) matches`,
    answer:
      typeof other !== 'boolean'
        ? `refused: ${other}`
        : `${other ? 'yes' : 'no'}${own === true ? `; under its own (+${ownCode}) it matches` : `; but under its own (+${ownCode}) it did not match either: not telling`}`,
    value: typeof other === 'boolean' && own === true ? other : null,
  });
  return findings;
}

/** Whether an interview as read back lists the assessment with this id. */
function holds(interview: Item, assessmentId: string): boolean {
  const carried = assessments.readBack?.kind === 'insideParent' ? interview[assessments.readBack.field] : undefined;
  return Array.isArray(carried) && carried.some((element: Item) => element?.id === assessmentId);
}

function refusal(result: SendResult | DeleteResult): string {
  return 'code' in result ? `${result.code}: ${result.msg}` : result.status;
}

function codeOf(result: SendResult | DeleteResult): number | string | null {
  return 'code' in result ? result.code : null;
}

/** The findings, written whole or not at all (a new private file renamed over the last one). */
function record(file: string, result: ProbeResult): void {
  const next = `${file}.next`;
  rmSync(next, { force: true });
  const fd = createOwned(next);
  try {
    writeSync(fd, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(next, file);
}

/** The probe's senders (one per endpoint), its read-back, and what it created, in the order it was created. */
class Session {
  readonly #created: Array<{ endpoint: EndpointDescription; id: string }> = [];
  readonly #senders = new Map<string, Sender>();
  readonly #readBack: ReadBack;
  #removed: string[] = [];
  #left: string[] = [];

  constructor(
    readonly connection: Connection,
    readonly options: ProbeOptions,
    readonly io: ProbeIO,
  ) {
    this.#readBack = new ReadBack(readRequests((endpoint) => this.sender(endpoint)));
  }

  sender(endpoint: EndpointDescription): Sender {
    let sender = this.#senders.get(endpoint.resource);
    if (!sender) {
      sender = newSender(endpoint, this.connection, { ...this.options, rate: undefined }, this.io);
      this.#senders.set(endpoint.resource, sender);
    }
    return sender;
  }

  async send(endpoint: EndpointDescription, job: SendJob): Promise<SendResult> {
    const sender = this.sender(endpoint);
    return new Promise<SendResult>((resolve) => void sender.submit(job, resolve));
  }

  async delete(endpoint: EndpointDescription, id: string): Promise<DeleteResult> {
    const sender = this.sender(endpoint);
    return new Promise<DeleteResult>((resolve) => void sender.submitDelete(id, resolve));
  }

  /** Creates one record of the chain and keeps its id for removal; a refusal stops the probe. */
  async create(endpoint: EndpointDescription, body: Record<string, unknown>, local?: Record<string, unknown>): Promise<string> {
    const result = await this.send(endpoint, { action: 'create', body, local });
    if (result.status !== 'created') {
      throw new ConfigError(`probe: creating its ${endpoint.title} was refused (${refusal(result)}), so the probe stopped there; what it created is deleted where the API can`);
    }
    this.keep(endpoint, result.id);
    return result.id;
  }

  /** A record this probe created, to be deleted again. */
  keep(endpoint: EndpointDescription, id: string): void {
    this.#created.push({ endpoint, id });
  }

  /** The interview with this id as its batch_query answers it; undefined when it is not there or could not be read. */
  async readInterview(id: string): Promise<Item | undefined> {
    return (await this.#readBack.byIds(interviews, [{ id }])).found.get(id);
  }

  /** Whether the talent look-up with this body finds `talentId`, or why it was refused. */
  async lookUp(body: Record<string, unknown>, talentId: string): Promise<boolean | string> {
    const answer: QueryResult = await this.sender(talents).lookUp(body);
    if (answer.kind !== 'ok') return answer.kind === 'pending' ? 'interrupted' : `${answer.code}: ${answer.msg}`;
    const match = talents.match!;
    const list = compilePath(match.itemsAt)(answer.body);
    return Array.isArray(list) && list.some((item: Record<string, unknown>) => item?.[match.idField] === talentId);
  }

  /** Deletes one record created here (records the API cannot delete are left, with why). */
  async remove(record: { endpoint: EndpointDescription; id: string }): Promise<void> {
    const at = this.#created.findIndex((one) => one.endpoint === record.endpoint && one.id === record.id);
    if (at !== -1) this.#created.splice(at, 1);
    const { endpoint, id } = record;
    if (!endpoint.delete) {
      const carrier = endpoint.parent && endpointFor(endpoint.parent.resource);
      this.#left.push(carrier?.delete ? `${endpoint.title} ${id}: no delete in the API, it goes with its ${carrier.title}` : `${endpoint.title} ${id}: no delete in the API, it stays`);
      return;
    }
    const result = await this.delete(endpoint, id);
    if (result.status === 'deleted') this.#removed.push(`${endpoint.title} ${id}`);
    else this.#left.push(`${endpoint.title} ${id}: its delete was refused (${refusal(result)}): delete it in Feishu`);
  }

  /** Deletes what is left, the last created first: children before parents. */
  async removeAll(): Promise<{ removed: string[]; left: string[] }> {
    while (this.#created.length > 0) await this.remove(this.#created.at(-1)!);
    return { removed: this.#removed, left: this.#left };
  }
}

/** The findings as a table, then what was removed and what stays. */
export function formatProbe(result: ProbeResult): string {
  const width = Math.max(...result.findings.map((finding) => finding.question.length));
  const rows = result.findings.map((finding) => `  ${finding.question.padEnd(width)}  ${finding.answer}`);
  const lines = [`probe of ${result.target}, ${result.probedAt}:`, `  ${'question'.padEnd(width)}  answer`, ...rows];
  if (result.removed.length > 0) lines.push(`deleted again: ${result.removed.join(', ')}`);
  for (const left of result.left) lines.push(`left: ${left}`);
  lines.push(`recorded in ${result.file}`);
  return `${lines.join('\n')}\n`;
}
