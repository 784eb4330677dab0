/**
 * Deterministic benchmark payloads. `makeBody(i)` is the request body record i must become; `csvRow(i)` is the same
 * record in the default CSV layout (two dimensions, labels in the several spellings the layout accepts, quoting,
 * commas, newlines and Chinese text). The CLI reads the CSV; the SDK loop sends makeBody(i): the same payloads.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync } from 'node:fs';

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
