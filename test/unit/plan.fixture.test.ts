/**
 * fixtures/migration, the README's worked example: the plan loads, its order comes from the mappings' { step }
 * lookups, and its files chain as the README says, with exactly one record whose parent is missing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { prepare } from '../../src/import/records.js';
import { compileMapping, loadMapping } from '../../src/map/mapping.js';
import { mappingSchema } from '../../src/map/mappingSchema.js';
import { planOrder, stepLookups } from '../../src/plan/order.js';
import { loadPlan } from '../../src/plan/planFile.js';
import { openSource } from '../../src/read/source.js';

const dir = resolve('fixtures/migration');
const planPath = join(dir, 'migration.yaml');

function rows(file: string): Array<Record<string, string>> {
  return parseCsv(readFileSync(join(dir, file)), { columns: true }) as Array<Record<string, string>>;
}

/** A mapping's lookups, read with the mapping language's own lookup schema (its fields need every resource's). */
function lookupsOf(mapping: string) {
  const document = parseYaml(readFileSync(mapping, 'utf8')) as { lookups?: unknown };
  return mappingSchema.shape.lookups.parse(document.lookups);
}

describe('fixtures/migration', () => {
  it('is a plan of six steps whose order comes from the { step } lookups', async () => {
    const plan = await loadPlan(planPath, ({ input }) => `${input}.results.jsonl`);
    expect(plan.steps.map((step) => [step.name, step.input.slice(dir.length + 1), step.mapping.slice(dir.length + 1)])).toEqual([
      ['talents', 'candidates.csv', 'talents.yaml'],
      ['applications', 'applications.csv', 'applications.yaml'],
      ['interviews', 'interviews.csv', 'interviews.yaml'],
      ['assessments', 'assessments.csv', 'assessments.yaml'],
      ['offers', 'offers.csv', 'offers.yaml'],
      ['background-checks', 'checks.csv', 'checks.yaml'],
    ]);
    const order = planOrder(plan, new Map(plan.steps.map((step) => [step.name, stepLookups({ lookups: lookupsOf(step.mapping) })])));
    expect(order.levels).toEqual([['talents'], ['applications'], ['interviews', 'offers', 'background-checks'], ['assessments']]);
  });

  it('has an assessments mapping the mapping language reads and maps today (the interviews step stood in for by a table)', async () => {
    const spec = await loadMapping(join(dir, 'assessments.yaml'));
    expect(spec.lookups).toEqual({ interviews: { step: 'interviews' } });
    const tables = mkdtempSync(join(tmpdir(), 'migration-'));
    writeFileSync(join(tables, 'interviews.csv'), `legacy,feishu\n${[...Array(9).keys()].map((n) => `I300${n + 1},70${n + 1}`).join('\n')}\n`);
    spec.lookups = { interviews: { file: 'interviews.csv', key: 'legacy', value: 'feishu' } };
    const source = await openSource({ path: join(dir, 'assessments.csv') });
    const mapper = await compileMapping(spec, { program: 'hire-import', endpoint: assessments, format: source.format, header: source.header, baseDir: tables, source: 'assessments.csv' });
    const bodies = [];
    for await (const item of source.items()) {
      if (item.kind === 'problem') throw new Error(item.reason);
      const checked = await prepare(item, mapper);
      if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
      bodies.push(checked.body);
    }
    await source.close();
    const score = (title: string, value: number) => ({ assessment_type: 1, title, score: value });
    expect(bodies).toHaveLength(9);
    expect(bodies[2]).toEqual({
      external_id: 'F4003',
      external_interview_id: '702',
      username: '王强',
      conclusion: 3,
      content: '技术深度尚可,性能优化需再评估',
      assessment_dimension_list: [score('专业能力', 3), score('沟通能力', 4)],
    });
  });

  it('chains every record to a parent in its parent file, except exactly one interview (whose assessment then has none)', () => {
    const keys = (file: string, column: string) => new Set(rows(file).map((row) => row[column]));
    const orphans = (file: string, column: string, parents: Set<string | undefined>) =>
      rows(file)
        .filter((row) => !parents.has(row[column]))
        .map((row) => `${file}: ${row[column]}`);
    const candidates = keys('candidates.csv', '候选人编号');
    const applications = keys('applications.csv', '投递编号');
    const interviews = keys('interviews.csv', '面试编号');
    expect([
      ...orphans('applications.csv', '候选人编号', candidates),
      ...orphans('interviews.csv', '投递编号', applications),
      ...orphans('assessments.csv', '面试编号', interviews),
      ...orphans('offers.csv', '投递编号', applications),
      ...orphans('checks.csv', '投递编号', applications),
    ]).toEqual(['interviews.csv: A2099']);
    expect([candidates.size, applications.size, interviews.size, rows('assessments.csv').length, rows('offers.csv').length, rows('checks.csv').length]).toEqual([
      8, 9, 9, 9, 4, 3,
    ]);
  });
});
