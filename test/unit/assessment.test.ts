import { describe, expect, it } from 'vitest';
import { validateAssessment } from '../../src/map/assessment.js';

describe('validateAssessment', () => {
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
    });
  });

  it('names every bad field with a reason', () => {
    const result = validateAssessment({
      conclusion: 'maybe',
      assessment_dimension_list: [{ assessment_type: 'x', score: '4.5' }, { assessment_type: 1 }],
      colour: 'blue',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const fields = result.problems.map((problem) => problem.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'external_interview_id',
        'conclusion',
        'assessment_dimension_list[0].assessment_type',
        'assessment_dimension_list[0].score',
        'assessment_dimension_list[1].score',
        '(record)',
      ]),
    );
    expect(result.problems.find((problem) => problem.field === 'conclusion')?.reason).toMatch(/通过/);
    expect(result.problems.find((problem) => problem.field === '(record)')?.reason).toMatch(/colour/);
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
    const result = validateAssessment({ external_interview_id: '1', conclusion: 4 });
    expect(result.ok).toBe(false);
  });
});
