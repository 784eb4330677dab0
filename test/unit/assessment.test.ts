import { describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { compileValidator } from '../../src/validate/validate.js';

const validateAssessment = compileValidator(assessments, { zone: 'UTC' });

describe('validating an assessment from its description', () => {
  it('normalises labels and numeric strings to the API integers', () => {
    const result = validateAssessment({
      external_interview_id: '6986199832494934316',
      conclusion: ' 通过 ',
      assessment_dimension_list: [
        { assessment_type: 'score', title: 'Coding', score: '4' },
        { assessment_type: '多选题', options: ['a', 'b'] },
        { assessment_type: 'TEXT', content: 'fine' },
        { assessment_type: 2, option: 'yes' },
      ],
    });
    expect(result).toEqual({
      ok: true,
      body: {
        external_interview_id: '6986199832494934316',
        conclusion: 2,
        assessment_dimension_list: [
          { assessment_type: 1, title: 'Coding', score: 4 },
          { assessment_type: 4, options: ['a', 'b'] },
          { assessment_type: 3, content: 'fine' },
          { assessment_type: 2, option: 'yes' },
        ],
      },
      local: {},
    });
  });

  it('names every bad field with a reason that names the value refused', () => {
    const result = validateAssessment({
      conclusion: 'maybe',
      assessment_dimension_list: [{ assessment_type: 'x', score: '4.5' }, { assessment_type: 1 }],
      colour: 'blue',
      usrname: 'Ada',
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        { field: 'colour', reason: 'unknown field (fields: external_id, external_interview_id, username, conclusion, assessment_dimension_list, content)' },
        { field: 'usrname', reason: "unknown field (did you mean 'username'?)" },
        { field: 'external_interview_id', reason: 'is required' },
        { field: 'conclusion', reason: "'maybe' is not one of 1 不通过 fail, 2 通过 pass, 3 待定 pending" },
        { field: 'assessment_dimension_list[0].assessment_type', reason: "'x' is not one of 1 打分题 score, 2 单选题 single, 3 描述题 text, 4 多选题 multi" },
        { field: 'assessment_dimension_list[0].score', reason: "'4.5' is not an integer" },
        { field: 'assessment_dimension_list[1].score', reason: 'is required for assessment_type 1' },
      ],
    });
  });

  it('refuses a score beyond 2^53, which would not arrive as written, naming the field', () => {
    const result = validateAssessment({
      external_interview_id: '1',
      assessment_dimension_list: [{ assessment_type: 1, score: '6986199832494934317' }, { assessment_type: 1, score: 9007199254740991 }],
    });
    expect(result).toEqual({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[0].score', reason: 'must be an integer within ±9007199254740991 (2^53 - 1)' }],
    });
  });

  it('refuses 4 as a conclusion, which is only a dimension type', () => {
    expect(validateAssessment({ external_interview_id: '1', conclusion: 4 })).toEqual({
      ok: false,
      problems: [{ field: 'conclusion', reason: '4 is not one of 1 不通过 fail, 2 通过 pass, 3 待定 pending' }],
    });
  });
});
