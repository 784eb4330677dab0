/**
 * The three legacy shapes of fixtures/legacy, each imported by its mapping alone: the exact bodies a strict server
 * must receive, and the exact records refused (line, field, reason).
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { groupRows, indexGroups } from '../../src/map/group.js';
import { compileMapping, loadMapping } from '../../src/map/mapping.js';
import { openSource, type SourceItem } from '../../src/read/source.js';
import { legacyFixtures, type Outcome } from '../support/legacyFixtures.js';

/** What the import would do with each record of a fixture, in line order. */
async function importByMapping(file: string, mappingPath: string): Promise<Outcome[]> {
  const spec = await loadMapping(mappingPath);
  const options = { path: file, format: spec.input?.format, encoding: spec.input?.encoding, delimiter: spec.input?.delimiter };
  const source = await openSource(options);
  const mapper = await compileMapping(spec, { program: 'hire-import', endpoint: assessments, format: source.format, header: source.header, baseDir: dirname(mappingPath), source: file });
  expect(mapper.warnings).toEqual([]);
  let items: AsyncIterable<SourceItem> = source.items();
  if (mapper.group) items = groupRows(items, mapper.group.by, await indexGroups((await openSource(options)).items(), mapper.group.by));
  const outcomes: Outcome[] = [];
  for await (const item of items) {
    if (item.kind === 'problem') throw new Error(`line ${item.line}: ${item.reason}`);
    const mapped = await mapper.map(item);
    const checked = mapped.ok ? mapper.validate(mapped) : mapped;
    outcomes.push(checked.ok ? { line: item.line, body: checked.body } : { line: item.line, problems: checked.problems });
  }
  return outcomes.sort((a, b) => a.line - b.line);
}

describe('fixtures/legacy', () => {
  it('moka-gbk.csv: a GBK wide export with Chinese headers and an interview lookup', async () => {
    const { file, mapping, outcomes } = legacyFixtures.moka;
    expect(await importByMapping(file, mapping)).toEqual(outcomes);
  });

  it('long.csv: one row per dimension, grouped by feedback_id, a group split across the file', async () => {
    const { file, mapping, outcomes } = legacyFixtures.long;
    expect(await importByMapping(file, mapping)).toEqual(outcomes);
  });

  it('greenhouse.jsonl: nested scorecards, typed questions, verdict and rating maps', async () => {
    const { file, mapping, outcomes } = legacyFixtures.greenhouse;
    expect(await importByMapping(file, mapping)).toEqual(outcomes);
  });
});
