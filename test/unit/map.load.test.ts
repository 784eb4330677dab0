import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { dimensionSchema } from '../../src/map/assessment.js';
import { loadMapping, mappingJsonSchema } from '../../src/map/mapping.js';
import { dimensionTypeNames } from '../../src/map/mappingSchema.js';

const dir = mkdtempSync(join(tmpdir(), 'map-load-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function loadError(name: string, text: string): Promise<string> {
  const error = await loadMapping(file(name, text)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('loadMapping', () => {
  it('reads YAML and JSON by extension', async () => {
    const yaml = file('m.yaml', '# yaml-language-server: $schema=../schema/mapping.schema.json\nfields:\n  external_id: 面评编号\n  conclusion: { from: 结论, map: { 通过: 2 }, default: 3 }\n');
    expect(await loadMapping(yaml)).toEqual({ fields: { external_id: '面评编号', conclusion: { from: '结论', map: { 通过: 2 }, default: 3 } } });
    const json = file('m.json', JSON.stringify({ $schema: '../schema/mapping.schema.json', group: { by: 'id' }, dimensions: [{ each: 'rows', type: 'text', answer: 'a' }] }));
    expect(await loadMapping(json)).toMatchObject({ group: { by: 'id' }, dimensions: [{ each: 'rows', type: 'text', answer: 'a' }] });
  });

  it('names the file and the exact path of what is wrong', async () => {
    expect(await loadError('m.yaml', 'fields:\n  conclusion: { from: 结论, map: 通过 }\n')).toBe('m.yaml: fields.conclusion.map: expected an object');
    expect(await loadError('m.yaml', 'fields:\n  usename: who\n')).toBe('m.yaml: fields: unknown key usename');
    expect(await loadError('m.yaml', 'fields:\n  content: { from: a, expr: b }\n')).toBe('m.yaml: fields.content: needs exactly one of from, value, expr (has from, expr)');
    expect(await loadError('m.yaml', 'fields:\n  content: { form: a }\n')).toBe(
      'm.yaml: fields.content: unknown key form\nm.yaml: fields.content: needs exactly one of from, value, expr (has none)',
    );
    expect(await loadError('m.yaml', 'dimensions:\n  - { type: essay, answer: a }\n')).toMatch(/^m\.yaml: dimensions\[0\]\.type: expected a type \(score, single/);
    expect(await loadError('m.yaml', 'dimensions:\n  - { each: { columns: "(" }, type: 1 }\n')).toBe('m.yaml: dimensions[0].each.columns: is not a valid regular expression');
    expect(await loadError('m.json', '{"lookups": {"t": {"file": "a.csv", "key": "k"}}}')).toBe('m.json: lookups.t.value: expected a string');
  });

  it('reports every problem, one per line', async () => {
    expect(await loadError('m.yaml', 'group: { by: 1 }\nfields: { username: true }\n')).toBe(
      'm.yaml: group.by: expected a string\nm.yaml: fields.username: expected a column name, a number, or an object with one of from, value, expr',
    );
  });

  it('refuses unreadable files and bad syntax', async () => {
    expect(await loadError('bad.yaml', 'fields: [\n')).toMatch(/^bad\.yaml: not valid YAML: /);
    expect(await loadError('bad.json', '{')).toMatch(/^bad\.json: not valid JSON: /);
    await expect(loadMapping(join(dir, 'missing.yaml'))).rejects.toThrow(/^cannot read mapping .*missing\.yaml/);
  });
});

describe('the mapping language', () => {
  it('names only dimension types that validation accepts', () => {
    for (const name of dimensionTypeNames) expect(dimensionSchema.shape.assessment_type.safeParse(name).success).toBe(true);
  });
});

describe('the published JSON Schema', () => {
  it('is what the zod schema generates (update with `npx vitest run -u test/unit/map.load.test.ts`)', async () => {
    await expect(`${JSON.stringify(mappingJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../../schema/mapping.schema.json');
  });
});
