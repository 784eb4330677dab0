import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { init } from '../../src/commands/init.js';
import { preview } from '../../src/commands/preview.js';
import { UsageError } from '../../src/errors.js';
import { draftMapping } from '../../src/map/init.js';
import { compileMapping, loadMapping } from '../../src/map/mapping.js';
import { openSource } from '../../src/read/source.js';

const quiet = { stderr: () => {} };

/** Copies a fixture into a fresh folder, so init writes its mapping there. */
function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'map-init-'));
  const path = join(dir, fixture.split('/').at(-1)!);
  copyFileSync(fixture, path);
  return path;
}

/** The draft init writes must load and compile against the very file it came from. */
async function initAndCompile(file: string) {
  const written = await init({ file }, quiet);
  const spec = await loadMapping(written.path);
  const source = await openSource({ path: file, encoding: spec.input?.encoding });
  await compileMapping(spec, { format: source.format, header: source.header, baseDir: join(written.path, '..') });
  return { written, spec, text: readFileSync(written.path, 'utf8') };
}

describe('init', () => {
  it('guesses the Chinese wide export, writes its encoding, and lists the other columns as hints', async () => {
    const file = copyOf('fixtures/legacy/moka-gbk.csv');
    const { written, spec, text } = await initAndCompile(file);
    expect(written).toEqual({ path: file.replace(/\.csv$/, '.mapping.yaml'), fields: 5, dimensions: 0 });
    expect(spec.input).toEqual({ format: 'csv', encoding: 'gb18030' });
    expect(spec.fields).toEqual({ external_id: '面评编号', external_interview_id: '面试编号', username: '面试官', conclusion: '面试结论', content: '综合评价' });
    expect(text).toMatch(/^# yaml-language-server: \$schema=.*schema\/mapping\.schema\.json$/m);
    expect(text).toContain(
      [
        '# These columns hold whole numbers: uncomment the ones that are scores.',
        '# dimensions:',
        '#   - { type: score, title: { value: 专业能力 }, answer: 专业能力 }   # e.g. "4", "2", "3", "5", "优秀"',
        '#   - { type: score, title: { value: 沟通能力 }, answer: 沟通能力 }   # e.g. "5", "3", "4", "2"',
        '#   - { type: score, title: { value: 学习能力 }, answer: 学习能力 }   # e.g. "4", "3", "5"',
        '',
        '# Not mapped yet:',
        '#   备注: e.g. "可以进入下一轮", "建议加面", "薪资期望偏高"',
      ].join('\n'),
    );
    // Uncommenting the hints (an editor's toggle removes "# ") gives a mapping that imports the scores.
    const uncommented = text.replace(/^# (dimensions:|  - .*)$/gm, '$1');
    writeFileSync(written.path, uncommented);
    expect((await loadMapping(written.path)).dimensions).toHaveLength(3);
  });

  it('maps a long export’s verdicts it can guess and lists the ones it cannot', async () => {
    const { spec } = await initAndCompile(copyOf('fixtures/legacy/long.csv'));
    expect(spec.fields).toEqual({
      external_id: 'feedback_id',
      external_interview_id: 'interview_id',
      username: 'interviewer',
      conclusion: { from: 'verdict', map: { hire: 2, no_hire: 1, hold: 3 } },
    });
  });

  it('finds nested fields and arrays of rated items in JSON records', async () => {
    const file = copyOf('fixtures/legacy/greenhouse.jsonl');
    const { written, spec, text } = await initAndCompile(file);
    expect(written.dimensions).toBe(2);
    expect(spec.fields).toEqual({
      external_id: 'id',
      external_interview_id: 'application.interview_id',
      username: 'interviewer.name',
      conclusion: { from: 'overall_recommendation', map: { strong_yes: 2, no: 1, no_decision: 3, definitely_not: 1, maybe: 3 } },
      content: 'notes',
    });
    expect(spec.dimensions).toEqual([
      { each: { from: 'scorecard.attributes' }, type: { from: 'type', map: { score: 1 } }, title: 'name', answer: 'rating' },
      {
        each: { from: 'questions' },
        type: { from: 'type', map: { dropdown: 2, 'multiple-select': 4, textarea: 3, 'multiple-choice': 2, text: 3, score: 1 } },
        title: 'question',
        answer: 'answer',
      },
    ]);
    expect(text).toContain('#   scorecard.rating: e.g. "4 - Strong Hire"');
    expect(text).toContain('#   application.id: e.g. "501"');
    // The draft already imports the file, but for the verdict 'maybe', which it guessed as pending.
    let out = '';
    const shown = await preview({ file, mapping: written.path, n: 10 }, { stdout: (more) => (out += more), stderr: () => {} });
    expect(shown).toEqual({ shown: 5, invalid: 0 });
    expect(out).toContain('"title": "Which team fits best?",\n      "option": "Platform"');
  });

  it('refuses to overwrite a mapping unless forced', async () => {
    const file = copyOf('fixtures/legacy/long.csv');
    await init({ file }, quiet);
    await expect(init({ file }, quiet)).rejects.toThrow(UsageError);
    await expect(init({ file, force: true }, quiet)).resolves.toMatchObject({ fields: 4 });
  });
});

describe('draftMapping', () => {
  it('keeps the default layout, says external_interview_id is missing, and lists values it could not map', () => {
    const draft = draftMapping({
      format: 'csv',
      name: 'x.csv',
      header: ['id', 'verdict', 'dim1_type', 'dim1_score'],
      records: [{ id: '1', verdict: 'hire' }, { id: '2', verdict: 'lukewarm' }],
    });
    expect(draft.text).toBe(
      [
        '# A starting mapping for x.csv, written by `hire-import init`: check every line.',
        'input: { format: csv }',
        'fields:',
        '  external_id: id',
        '  conclusion: { from: verdict, map: { hire: 2 } }',
        '  # external_interview_id is required: the Feishu id of the external interview, e.g.',
        '  #   { from: <column>, lookup: <a table under lookups> }',
        'dimensions:',
        '  - omitWhen: empty',
        '    type: { from: dim1_type }',
        '    score: { from: dim1_score }',
        '',
        '# Values to add to a map above (until then, records holding them are invalid):',
        '#   "lukewarm" in fields.conclusion (1 fail, 2 pass, 3 pending)',
        '',
      ].join('\n'),
    );
    expect(draft).toMatchObject({ fields: 2, dimensions: 1 });
  });
});

describe('preview', () => {
  it('prints the first bodies and the problems, sending nothing', async () => {
    let out = '';
    const result = await preview(
      { file: 'fixtures/legacy/moka-gbk.csv', mapping: 'fixtures/legacy/moka-gbk.mapping.yaml', n: 5 },
      { stdout: (text) => (out += text), stderr: () => {} },
    );
    expect(result).toEqual({ shown: 5, invalid: 2 });
    expect(out).toContain('line 2:\n{\n  "external_id": "MK-001",\n  "external_interview_id": "7010000000000001001",');
    expect(out).toContain("line 5: invalid\n  external_interview_id: 'I-9999' is not a key of lookup interviews in interviews.csv (from column 面试编号)\n");
    expect(out).toContain('line 6: invalid\n  assessment_dimension_list[0].score: must be an integer (from column 专业能力)\n');
    expect(out).not.toContain('line 7');
  });

  it('groups long files and uses the default layout without a mapping', async () => {
    let out = '';
    const io = { stdout: (text: string) => (out += text), stderr: () => {} };
    expect(await preview({ file: 'fixtures/legacy/long.csv', mapping: 'fixtures/legacy/long.mapping.yaml', n: 2 }, io)).toEqual({ shown: 2, invalid: 0 });
    expect(out).toMatch(/^line 5:\n/);
    out = '';
    expect(await preview({ file: 'fixtures/assessments.csv', n: 1 }, io)).toEqual({ shown: 1, invalid: 0 });
    expect(JSON.parse(out.slice(out.indexOf('\n')))).toMatchObject({ external_id: 'A-1001', conclusion: 2 });
  });
});
