import { writeFileSync } from 'node:fs';

/** A default-layout CSV of `count` valid records with external ids `prefix-0` ... */
export function writeAssessmentsCsv(path: string, count: number, prefix = 'R'): string[] {
  const ids: string[] = [];
  const rows = ['external_id,external_interview_id,username,conclusion,content,dim1_type,dim1_title,dim1_score,dim2_type,dim2_title,dim2_content'];
  for (let n = 0; n < count; n++) {
    const id = `${prefix}-${n}`;
    ids.push(id);
    rows.push(`${id},69861998324949${String(n).padStart(5, '0')},interviewer${n % 7},${(n % 3) + 1},"notes for ${id}",score,Coding,${n % 5},text,Summary,"fine, ${n}"`);
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
  return ids;
}
