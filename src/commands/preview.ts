/** `hire-import preview FILE [--mapping M] [-n 5]`: the bodies the first records would become. Nothing is sent. */
import { basename, dirname } from 'node:path';
import { UsageError } from '../errors.js';
import type { Validated } from '../map/assessment.js';
import { groupRows, indexGroups } from '../map/group.js';
import { compileMapping, loadMapping, validateMapped, type Mapper } from '../map/mapping.js';
import { openSource, type SourceItem } from '../read/source.js';

export interface PreviewOptions {
  file: string;
  mapping?: string;
  /** How many records to show. */
  n: number;
  format?: 'csv' | 'jsonl';
  encoding?: string;
  delimiter?: string;
}

export async function preview(
  options: PreviewOptions,
  io: { stdout(text: string): void; stderr(text: string): void },
): Promise<{ shown: number; invalid: number }> {
  if (!Number.isInteger(options.n) || options.n < 1) throw new UsageError(`-n must be a positive whole number, got ${options.n}`);
  const spec = options.mapping ? await loadMapping(options.mapping) : undefined;
  const openOptions = {
    path: options.file,
    format: options.format ?? spec?.input?.format,
    encoding: options.encoding ?? spec?.input?.encoding,
    delimiter: options.delimiter ?? spec?.input?.delimiter,
  };
  const source = await openSource(openOptions);
  const mapper = await compileMapping(spec, {
    format: source.format,
    header: source.header,
    baseDir: options.mapping ? dirname(options.mapping) : process.cwd(),
    source: basename(options.file),
  });
  let items: AsyncIterable<SourceItem> = source.items();
  if (mapper.group) {
    // Rows of a group may be far apart: index the file first, as the import does.
    const lastLines = options.file === '-' ? undefined : await indexGroups((await openSource(openOptions)).items(), mapper.group.by);
    items = groupRows(items, mapper.group.by, lastLines);
  }

  let shown = 0;
  let invalid = 0;
  for await (const item of items) {
    const checked = await check(item, mapper);
    if (checked.ok) {
      io.stdout(`line ${item.line}:\n${JSON.stringify(checked.body, null, 2)}\n\n`);
    } else {
      invalid++;
      io.stdout(`line ${item.line}: invalid\n${checked.problems.map((problem) => `  ${problem.field}: ${problem.reason}\n`).join('')}\n`);
    }
    if (++shown === options.n) break;
  }
  io.stderr(`${shown} record(s) shown, ${invalid} invalid; nothing was sent\n`);
  return { shown, invalid };
}

/** The body the record would be sent as, or why it would not be sent. */
async function check(item: SourceItem, mapper: Mapper): Promise<Validated> {
  if (item.kind === 'problem') return { ok: false, problems: [{ field: item.field ?? '(row)', reason: item.reason }] };
  const mapped = await mapper.map(item);
  return mapped.ok ? validateMapped(mapped) : mapped;
}
