/**
 * Problems grouped by what went wrong, so a summary of 300 records refused for the same reason is one line, not
 * 300 rows. The group key is the field and the reason with what is specific to one record abstracted: array
 * indices in the field, quoted values, line numbers and ids (ten digits or more) in the reason. A group counts records
 * (a record's problems arrive together, so a record counts once per group) and keeps its first few lines.
 */

/** One problem of one record: its line, its id if it has one, the field and why. */
export interface RecordProblem {
  line: number;
  external_id?: string;
  field: string;
  reason: string;
}

export interface ProblemGroup {
  /** The field, verbatim when every record of the group has the same one, else with its indices abstracted. */
  field: string;
  /** Likewise the reason: verbatim when it is the same for every record, else with `'…'` for the values. */
  reason: string;
  /** Records with this problem. */
  count: number;
  /** The first lines where it occurs. */
  lines: number[];
  /** The first distinct quoted values, when they differ from record to record. */
  values?: string[];
  /** The file the lines belong to, when problems come from more than one file (a log shared with a rejects file). */
  file?: string;
}

export const linesKept = 5;
const valuesKept = 3;
/** Distinct groups kept; problems of any further kind are counted in one last group, so memory stays bounded. */
export const groupsKept = 100;
const otherKey = '\0other';

const quoted = /'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”/g;

export function abstractField(field: string): string {
  return field.replace(/\[\d+\]/g, '[]');
}

export function abstractReason(reason: string): string {
  return reason
    .replace(quoted, "'…'")
    .replace(/\blines? \d+/g, (match) => `${match.split(' ')[0]} …`)
    .replace(/\d{10,}/g, '…'); // ids; error codes (7 digits) stay
}

interface Group extends ProblemGroup {
  values: string[];
  /** The reason differs between records: `reason` is the abstracted one, and `values` says which values. */
  varied: boolean;
  /** The group of every kind beyond `groupsKept`. */
  other: boolean;
  lastLine: number;
}

export class ProblemGroups {
  readonly #groups = new Map<string, Group>();

  add(problem: RecordProblem & { file?: string }): void {
    const key = `${problem.file ?? ''}\0${abstractField(problem.field)}\0${abstractReason(problem.reason)}`;
    const group = this.#groups.get(key) ?? this.#open(key, problem);
    if (!group.other) {
      if (group.field !== problem.field) group.field = abstractField(problem.field);
      if (group.reason !== problem.reason) {
        group.reason = abstractReason(problem.reason);
        group.varied = true;
      }
      for (const value of problem.reason.match(quoted) ?? []) {
        if (group.values.length < valuesKept && !group.values.includes(value)) group.values.push(value);
      }
    }
    if (group.lastLine === problem.line) return; // another problem of the same record
    group.lastLine = problem.line;
    group.count++;
    if (group.lines.length < linesKept) group.lines.push(problem.line);
  }

  #open(key: string, problem: RecordProblem & { file?: string }): Group {
    const other = this.#groups.size >= groupsKept;
    const existing = other ? this.#groups.get(otherKey) : undefined;
    if (existing) return existing;
    const group: Group = other
      ? { field: '*', reason: 'other reasons (see the result log)', count: 0, lines: [], values: [], varied: false, other, lastLine: -1 }
      : { field: problem.field, reason: problem.reason, count: 0, lines: [], values: [], varied: false, other, lastLine: -1, file: problem.file };
    this.#groups.set(other ? otherKey : key, group);
    return group;
  }

  /** The groups, most records first (then by first line). */
  list(): ProblemGroup[] {
    return [...this.#groups.values()]
      .sort((a, b) => b.count - a.count || (a.lines[0] ?? 0) - (b.lines[0] ?? 0))
      .map(({ field, reason, count, lines, values, varied, file }) => ({
        field,
        reason,
        count,
        lines,
        ...(varied && values.length > 0 ? { values } : {}),
        ...(file !== undefined ? { file } : {}),
      }));
  }
}
