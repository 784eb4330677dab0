/**
 * Deterministic benchmark payloads. `makeBody(i)` is the request body record i must become; `csvRow(i)` is the same
 * record in the default CSV layout (two dimensions, labels in the several spellings the layout accepts, quoting,
 * commas, newlines and Chinese text). The CLI reads the CSV; the SDK loop sends makeBody(i): the same payloads.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const names = ['zhangwei', 'lina', 'wangfang', 'liuyang', 'chenjing', 'alex.smith', '赵磊'];
const notes = [
  'Strong systems design, clear communication.',
  'Solid coding round',
  'Struggled with the "scaling" question,\nbut honest about gaps.',
  '沟通清晰，项目经验丰富，推荐进入下一轮。',
  'Good fundamentals; needs more depth in distributed systems.',
];
const conclusionWords = [
  ['fail', 'pass', 'pending'],
  ['不通过', '通过', '待定'],
];
/** Spellings of assessment_type 1..4, by style: the number, English, Chinese. */
const typeWords = [
  ['1', '2', '3', '4'],
  ['score', 'single', 'text', 'multi'],
  ['打分题', '单选题', '描述题', '多选题'],
];
const dimensionColumns = ['type', 'title', 'description', 'score', 'option', 'options', 'content'];

export const csvHeader = [
  'external_id', 'external_interview_id', 'username', 'conclusion', 'content',
  ...[1, 2].flatMap((n) => dimensionColumns.map((column) => `dim${n}_${column}`)),
];

/** The second dimension cycles through single choice, text and multiple choice. */
function secondDimension(i) {
  const variant = Math.floor(i / 3) % 3;
  switch (i % 3) {
    case 0: return { assessment_type: 2, title: '推荐等级', option: ['强烈推荐', '推荐', '不推荐'][variant] };
    case 1: return { assessment_type: 3, title: 'Notes', description: 'Free text', content: notes[(i + 1) % notes.length] };
    default: return { assessment_type: 4, title: '亮点', options: ['算法', '沟通', '项目经验'].slice(0, 1 + variant) };
  }
}

/** The request body of record i (1-based). */
export function makeBody(i) {
  const first = { assessment_type: 1, title: 'System design', score: 1 + (i % 5) };
  if (i % 2 === 0) first.description = 'Architecture and trade-offs';
  return {
    external_id: `B-${i}`,
    external_interview_id: `69861998${String(i).padStart(11, '0')}`,
    username: names[i % names.length],
    conclusion: 1 + (i % 3),
    content: notes[i % notes.length],
    assessment_dimension_list: [first, secondDimension(i)],
  };
}

/** The i of makeBody(i) that has this external_id. */
export const recordNumber = (externalId) => Number(String(externalId).slice('B-'.length));

function csvCell(value) {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Record i in the default CSV layout, as one CSV record with its line ending. */
export function csvRow(i) {
  const body = makeBody(i);
  const style = Math.floor(i / 2) % typeWords.length;
  const conclusion = i % 4 === 0 ? String(body.conclusion) : conclusionWords[i % 2][body.conclusion - 1];
  const dimensions = body.assessment_dimension_list.flatMap((d) => [
    typeWords[style][d.assessment_type - 1], d.title, d.description, d.score, d.option, d.options?.join('|'), d.content,
  ]);
  return `${[body.external_id, body.external_interview_id, body.username, conclusion, body.content, ...dimensions].map(csvCell).join(',')}\n`;
}

/** Writes records 1..count to `path` (via a temporary file, so a crash never leaves a short file). */
export async function writeCsv(path, count) {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  out.write(`${csvHeader.join(',')}\n`);
  const batch = 5000;
  for (let start = 1; start <= count; start += batch) {
    let chunk = '';
    for (let i = start; i < Math.min(start + batch, count + 1); i++) chunk += csvRow(i);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(partial, path);
  return path;
}

/** The file, written only if it is not there yet (the 1M-row file is reused between runs). */
export async function ensureCsv(path, count) {
  if (!existsSync(path)) await writeCsv(path, count);
  return path;
}

/**
 * The whole-migration example of issue 8, as exports and mappings: `candidates` candidates (every 4th already in
 * Feishu, seeded by email), one application each, `interviews` interviews (one per application, then a second on
 * the first ones), one assessment per interview, `offers` offers and `checks` background checks on the first
 * applications (every 3rd). Row i of a child names its parent's legacy key, so the plan chains them by `{ step }`
 * lookups and single imports by `{ log }` lookups on the earlier steps' logs.
 */
export const migrationSteps = [
  { resource: 'talents', input: 'candidates.csv', parent: null },
  { resource: 'applications', input: 'applications.csv', parent: { lookup: 'talents', column: 'candidate_id', field: 'talent_id' } },
  { resource: 'interviews', input: 'interviews.csv', parent: { lookup: 'applications', column: 'application_id', field: 'external_application_id' } },
  { resource: 'assessments', input: 'assessments.csv', parent: { lookup: 'interviews', column: 'interview_id', field: 'external_interview_id' } },
  { resource: 'offers', input: 'offers.csv', parent: { lookup: 'applications', column: 'application_id', field: 'external_application_id' } },
  { resource: 'background-checks', input: 'checks.csv', parent: { lookup: 'applications', column: 'application_id', field: 'external_application_id' } },
];

/** The talents "already in Feishu" of the example, as startSandbox's `talents` option takes them. */
export function seededTalents(size) {
  return candidateNumbers(size).filter((i) => i % 4 === 0).map((i) => ({ name: `Seeded ${i}`, email: candidateEmail(i) }));
}

const candidateNumbers = (size) => Array.from({ length: size.candidates }, (_, n) => n + 1);
const candidateEmail = (i) => `candidate.${i}@example.com`;

/** The CSV rows (header first) of each input file. */
function migrationRows(size) {
  const applicationOf = (n) => `A${((n - 1) % size.candidates) + 1}`;
  const day = (n) => `2024-03-${String(1 + (n % 28)).padStart(2, '0')} ${String(9 + (n % 9)).padStart(2, '0')}:30`;
  const list = (count) => Array.from({ length: count }, (_, n) => n + 1);
  return {
    'candidates.csv': [['candidate_id', 'name', 'email', 'mobile', 'gender'],
      ...candidateNumbers(size).map((i) => [`C${i}`, `${names[i % names.length]} ${i}`, candidateEmail(i), `138${String(i).padStart(8, '0')}`, i % 2 ? '男' : '女'])],
    'applications.csv': [['application_id', 'candidate_id', 'job_title', 'recruitment_type', 'applied_at'],
      ...candidateNumbers(size).map((i) => [`A${i}`, `C${i}`, '高级后端工程师', '社招', day(i)])],
    'interviews.csv': [['interview_id', 'application_id', 'attended', 'begin', 'end'],
      ...list(size.interviews).map((n) => [`I${n}`, applicationOf(n), '参与', day(n), day(n).replace(':30', ':59')])],
    'assessments.csv': [['assessment_id', 'interview_id', 'interviewer', 'conclusion', 'comment', 'professional', 'communication'],
      ...list(size.interviews).map((n) => [`F${n}`, `I${n}`, names[n % names.length], ['fail', 'pass', 'pending'][n % 3], notes[n % notes.length], 1 + (n % 5), 1 + ((n + 2) % 5)])],
    'offers.csv': [['offer_id', 'application_id', 'offered_at'],
      ...list(size.offers).map((n) => [`O${n}`, applicationOf(3 * n), day(n)])],
    'checks.csv': [['check_id', 'application_id', 'name', 'checked_at'],
      ...list(size.checks).map((n) => [`B${n}`, applicationOf(3 * n), '入职背景调查', day(n)])],
  };
}

/** Each step's own fields (the parent reference is added by writeMigration). */
const migrationFields = {
  talents: ['fields:', '  external_id: candidate_id', '  basic_info.name: name', '  basic_info.email: email', '  basic_info.mobile: mobile', '  basic_info.gender: gender'],
  applications: ['fields:', '  external_id: application_id', '  job_title: job_title', '  job_recruitment_type: recruitment_type', '  create_time: applied_at'],
  interviews: ['fields:', '  external_id: interview_id', '  participate_status: attended', '  begin_time: begin', '  end_time: end'],
  assessments: ['fields:', '  external_id: assessment_id', '  username: interviewer', '  conclusion: conclusion', '  content: comment',
    'dimensions:', '  - each: { columns: "^(professional|communication)$" }', '    type: score', '    title: title', '    answer: value'],
  offers: ['fields:', '  external_id: offer_id', '  biz_create_time: offered_at'],
  'background-checks': ['fields:', '  external_id: check_id', '  name: name', '  date: checked_at'],
};

/**
 * Writes the example into `dir`: the inputs, `plan/<step>.yaml` mappings with `{ step }` lookups and `migration.yaml`
 * (each step's log in `logs/plan-<step>.jsonl`), and `single/<step>.yaml` mappings whose `{ log }` lookups read
 * `logs/single-<parent>.jsonl`. Returns the absolute paths of the plan and of each step's input, mapping and logs.
 */
export function writeMigration(dir, size) {
  const root = resolve(dir);
  for (const sub of ['plan', 'single', 'logs']) mkdirSync(join(root, sub), { recursive: true });
  for (const [file, rows] of Object.entries(migrationRows(size))) {
    writeFileSync(join(root, file), rows.map((row) => `${row.map(csvCell).join(',')}\n`).join(''));
  }
  const timezone = ['input:', '  timezone: Asia/Shanghai'];
  const steps = migrationSteps.map((step) => {
    const paths = {
      ...step, name: step.resource, input: join(root, step.input),
      planMapping: join(root, 'plan', `${step.resource}.yaml`), singleMapping: join(root, 'single', `${step.resource}.yaml`),
      planLog: join(root, 'logs', `plan-${step.resource}.jsonl`), singleLog: join(root, 'logs', `single-${step.resource}.jsonl`),
    };
    const mapping = (lookup) => {
      if (!step.parent) return [...timezone, ...migrationFields[step.resource]].join('\n');
      const [fieldsLine, ...fields] = migrationFields[step.resource];
      return [...timezone, 'lookups:', `  ${step.parent.lookup}: ${lookup}`, fieldsLine,
        `  ${step.parent.field}: { from: ${step.parent.column}, lookup: ${step.parent.lookup} }`, ...fields].join('\n');
    };
    writeFileSync(paths.planMapping, `${mapping(`{ step: ${step.parent?.lookup} }`)}\n`);
    writeFileSync(paths.singleMapping, `${mapping(`{ log: ${JSON.stringify(join(root, 'logs', `single-${step.parent?.lookup}.jsonl`))} }`)}\n`);
    return paths;
  });
  const plan = join(root, 'migration.yaml');
  writeFileSync(plan, `steps:\n${steps.map((s) => `  - { resource: ${s.resource}, input: ${s.input}, mapping: ${s.planMapping}, log: ${s.planLog} }`).join('\n')}\n`);
  return { plan, steps };
}
