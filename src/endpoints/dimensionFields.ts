/** An interview assessment's dimension list: shared by assessments and by the assessments inside an interview. */
import type { Field, Fields } from './types.js';

export const conclusionLabels = { 1: ['不通过', 'fail'], 2: ['通过', 'pass'], 3: ['待定', 'pending'] } as const;

const dimension: Fields = {
  assessment_type: {
    type: { kind: 'int', labels: { 1: ['打分题', 'score'], 2: ['单选题', 'single'], 3: ['描述题', 'text'], 4: ['多选题', 'multi'] } },
    required: true,
    description: 'the dimension type: 1 score, 2 single choice, 3 text, 4 multiple choice',
    hints: ['type', 'kind', 'field type'],
    // Field types of ATS forms (Lever, Greenhouse).
    labelHints: {
      1: ['rating', 'scale'],
      2: ['multiple choice', 'dropdown', 'choice', 'radio'],
      3: ['textarea', 'comment', 'paragraph'],
      4: ['multiple select', 'checkboxes', 'checkbox'],
    },
  },
  title: { type: { kind: 'string' }, description: 'the dimension title', hints: ['name', 'question', 'label', 'dimension', 'text'] },
  description: { type: { kind: 'string' }, description: 'the dimension description' },
  score: { type: { kind: 'int' }, description: 'the score (type 1)' },
  option: { type: { kind: 'string' }, description: 'the option chosen (type 2)' },
  content: { type: { kind: 'string' }, description: 'the text answer (type 3)' },
  options: { type: { kind: 'strings' }, description: 'the options chosen (type 4)' },
};

export const dimensionList: Field = {
  type: { kind: 'list', of: dimension, answer: { by: 'assessment_type', fieldFor: { 1: 'score', 2: 'option', 3: 'content', 4: 'options' } } },
  description: 'the assessment dimensions',
};

/** The fields of an assessment's content, without its own keys. */
export const assessmentContent: Fields = {
  username: { type: { kind: 'string' }, description: 'the interviewer name', hints: ['interviewer', 'interviewer name', '面试官', '评估人', 'reviewer'] },
  conclusion: {
    type: { kind: 'int', labels: conclusionLabels },
    description: 'the conclusion: 1 fail, 2 pass, 3 pending',
    hints: ['面试结论', '结论', 'recommendation', 'overall recommendation', 'verdict', 'result', 'decision'],
    labelHints: {
      1: ['no', 'definitely not', 'no hire', 'strong no hire', 'reject'],
      2: ['strong yes', 'yes', 'hire', 'strong hire'],
      3: ['no decision', 'maybe', 'hold'],
    },
  },
  assessment_dimension_list: dimensionList,
  content: { type: { kind: 'string' }, description: 'overall notes', hints: ['综合评价', '评语', 'notes', 'note', 'comments', 'comment', 'summary', 'feedback'] },
};
