import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { talents } from '../../src/endpoints/talents.js';
import { ConfigError } from '../../src/errors.js';
import { compileMapping, loadMapping, mappingJsonSchema } from '../../src/map/mapping.js';

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
    expect(await loadError('m.yaml', 'fields:\n  content: { from: a, expr: b }\n')).toBe('m.yaml: fields.content: needs exactly one of from, value, expr (has from, expr)');
    expect(await loadError('m.yaml', 'fields:\n  content: { form: a }\n')).toBe(
      'm.yaml: fields.content: unknown key form\nm.yaml: fields.content: needs exactly one of from, value, expr (has none)',
    );
    expect(await loadError('m.yaml', 'dimensions:\n  - { type: true, answer: a }\n')).toBe(
      'm.yaml: dimensions[0].type: expected a type (a label or number) or an object with one of from, value, expr',
    );
    expect(await loadError('m.yaml', 'input: { timezone: Mars/Olympus }\n')).toBe(
      'm.yaml: input.timezone: is not a time zone (an IANA name such as Asia/Shanghai or UTC)',
    );
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
    await expect(loadMapping(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: no such file \(the mapping\)$/);
  });
});

describe('the mapping language', () => {
  it('is the same for every resource: keys are checked against the resource when compiled, naming the file', async () => {
    const path = file('m.yaml', 'fields:\n  usename: who\n  basic_info.name: 姓名\ndimensions:\n  - { type: essay, answer: a }\n');
    const spec = await loadMapping(path);
    const compileFor = (endpoint: typeof assessments) => compileMapping(spec, { program: 'hire-import', endpoint, format: 'jsonl', baseDir: dir, mappingFile: path });
    await expect(compileFor(assessments)).rejects.toThrow(
      new ConfigError(`${path}: fields.usename: not a field of an external interview assessment (did you mean 'username'?)`),
    );
    await expect(compileFor(talents)).rejects.toThrow(
      new ConfigError(
        `${path}: fields.usename: not a field of a talent (fields: external_id, basic_info, basic_info.name, basic_info.email, basic_info.mobile, ` +
          'basic_info.mobile_country_code, basic_info.gender, basic_info.birthday, basic_info.start_work_time, education_list, career_list, folder_id_list)',
      ),
    );
  });
});

describe('the published JSON Schema', () => {
  it('is what the zod schema generates (update with `npx vitest run -u test/unit/map.load.test.ts`)', async () => {
    await expect(`${JSON.stringify(mappingJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../../schema/mapping.schema.json');
  });
});
