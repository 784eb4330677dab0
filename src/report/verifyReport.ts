/**
 * A verify's report file: a CSV of every record that is not `ok`, one row per differing field (one row for a record
 * missing, not imported or not checked; one for all the records of a resource Feishu cannot read back), with its file
 * and line in the export, so it can be opened in a spreadsheet next to the export. A time is shown as its date in the
 * step's zone beside its milliseconds. Pure: the command writes the text.
 */
import { DateTime } from 'luxon';
import { endpointFor } from '../endpoints/registry.js';
import { leafPaths } from '../map/bodyFields.js';
import type { RecordCheck } from '../readBack/verifyStep.js';

export const reportColumns = ['resource', 'file', 'line', 'external_id', 'id', 'status', 'field', 'export_value', 'server_value', 'detail'] as const;

/**
 * The report file's text: a UTF-8 BOM (so spreadsheets read Chinese right), the header, one row per finding. A time
 * is shown as its date in the step's zone beside its milliseconds: `1709618400000 (2024-03-05 14:00:00 +08:00)`.
 */
export function verifyReportCsv(checks: readonly RecordCheck[], zones: ReadonlyMap<string, string>): string {
  const rows: string[][] = [[...reportColumns]];
  for (const check of checks) {
    const base = [check.resource, check.file, check.records ? '' : String(check.line), check.external_id ?? '', check.id ?? '', check.status];
    if (check.differences?.length) {
      const times = timeFields(check.resource);
      const cell = (field: string, value: unknown) => (times.has(field) ? timeCell(value, zones.get(check.step)) : cellValue(value));
      for (const difference of check.differences) rows.push([...base, difference.field, cell(difference.field, difference.export), cell(difference.field, difference.server), '']);
    } else {
      rows.push([...base, '', '', '', check.detail ?? '']);
    }
  }
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The paths of a resource's time fields (epoch milliseconds, as a number or as digits). */
function timeFields(resource: string): Set<string> {
  const endpoint = endpointFor(resource);
  return new Set(endpoint ? leafPaths(endpoint.fields).filter(({ field }) => field.type.kind === 'ms' || field.type.kind === 'msString').map(({ path }) => path) : []);
}

/** A time's milliseconds with its date in `zone` beside them; anything that is no time as it is. */
function timeCell(value: unknown, zone: string | undefined): string {
  const text = cellValue(value);
  if (!/^-?\d+$/.test(text)) return text;
  const date = DateTime.fromMillis(Number(text), { zone });
  return date.isValid ? `${text} (${date.toFormat('yyyy-MM-dd HH:mm:ss ZZ')})` : text;
}

/** A value as a cell: text as it is, anything else as JSON, no value as an empty cell. */
function cellValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180 quoting: a cell with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
