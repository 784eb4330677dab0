/**
 * The three legacy shapes in fixtures/legacy and what importing each with its mapping must do: the exact body a
 * strict server receives for each valid record, and the exact problems of each refused one, in line order.
 */

export type Outcome = { line: number; body: Record<string, unknown> } | { line: number; problems: Array<{ field: string; reason: string }> };

export interface LegacyFixture {
  file: string;
  mapping: string;
  outcomes: Outcome[];
}

const score = (title: string, value: number) => ({ assessment_type: 1, title, score: value });

export const legacyFixtures: Record<'moka' | 'long' | 'greenhouse', LegacyFixture> = {
  moka: {
    file: 'fixtures/legacy/moka-gbk.csv',
    mapping: 'fixtures/legacy/moka-gbk.mapping.yaml',
    outcomes: [
      {
        line: 2,
        body: {
          external_id: 'MK-001', external_interview_id: '7010000000000001001', username: '张伟', conclusion: 2,
          content: '基础扎实，思路清晰\n可以进入下一轮',
          assessment_dimension_list: [score('专业能力', 4), score('沟通能力', 5), score('学习能力', 4)],
        },
      },
      {
        line: 3,
        body: {
          external_id: 'MK-002', external_interview_id: '7010000000000001002', username: '李娜', conclusion: 1,
          content: '项目经验不足',
          assessment_dimension_list: [score('专业能力', 2), score('沟通能力', 3)],
        },
      },
      {
        line: 4,
        body: {
          external_id: 'MK-003', external_interview_id: '7010000000000001003', username: '王芳', conclusion: 3,
          content: '表达清楚,但深度一般\n建议加面',
          assessment_dimension_list: [score('专业能力', 3), score('沟通能力', 4), score('学习能力', 3)],
        },
      },
      {
        line: 5,
        problems: [{ field: 'external_interview_id', reason: "'I-9999' is not a key of lookup interviews in interviews.csv (from column 面试编号)" }],
      },
      { line: 6, problems: [{ field: 'assessment_dimension_list[0].score', reason: "'优秀' is not an integer (from column 专业能力)" }] },
      {
        line: 7,
        body: {
          external_id: 'MK-006', external_interview_id: '7010000000000001006', username: '赵磊', conclusion: 3,
          content: '需要再评估',
          assessment_dimension_list: [score('专业能力', 3), score('沟通能力', 3), score('学习能力', 3)],
        },
      },
      {
        line: 8,
        body: {
          external_id: 'MK-007', external_interview_id: '7010000000000001007', username: '孙丽', conclusion: 1,
          content: '沟通能力较弱\n需要加强',
          assessment_dimension_list: [score('专业能力', 2), score('沟通能力', 2), score('学习能力', 3)],
        },
      },
      {
        line: 10,
        body: {
          external_id: 'MK-008', external_interview_id: '7010000000000001008', username: '周杰', conclusion: 2,
          content: '综合表现良好\n薪资期望偏高',
          assessment_dimension_list: [score('专业能力', 4), score('沟通能力', 4), score('学习能力', 4)],
        },
      },
    ],
  },
  long: {
    file: 'fixtures/legacy/long.csv',
    mapping: 'fixtures/legacy/long.mapping.yaml',
    outcomes: [
      {
        line: 2,
        body: {
          external_id: 'F-1', external_interview_id: '7010000000000002001', username: 'alice', conclusion: 2,
          assessment_dimension_list: [
            score('Coding', 4),
            { assessment_type: 3, title: 'Summary', content: 'Solid, clean code' },
            { assessment_type: 2, title: 'Level', option: 'P6' },
            { assessment_type: 4, title: 'Strengths', options: ['algorithms', 'communication'] },
          ],
        },
      },
      {
        line: 5,
        body: {
          external_id: 'F-2', external_interview_id: '7010000000000002002', username: 'bob', conclusion: 1,
          assessment_dimension_list: [score('Coding', 2), { assessment_type: 4, title: 'Concerns', options: ['testing', 'design'] }],
        },
      },
      {
        line: 7,
        body: {
          external_id: 'F-3', external_interview_id: '7010000000000002003', username: 'carol', conclusion: 2,
          assessment_dimension_list: [
            score('Coding', 5),
            { assessment_type: 3, title: 'Summary', content: 'Great candidate.\nWould hire again.' },
            score('System design', 4),
          ],
        },
      },
      {
        line: 11,
        body: {
          external_id: 'F-4', external_interview_id: '7010000000000002004', username: 'dave', conclusion: 3,
          assessment_dimension_list: [score('Coding', 3), { assessment_type: 2, title: 'Level', option: 'P5' }],
        },
      },
      { line: 14, problems: [{ field: 'assessment_dimension_list[0].score', reason: "'five' is not an integer (from column answer, line 14)" }] },
    ],
  },
  greenhouse: {
    file: 'fixtures/legacy/greenhouse.jsonl',
    mapping: 'fixtures/legacy/greenhouse.mapping.yaml',
    outcomes: [
      {
        line: 1,
        body: {
          external_id: 'gh-90001', external_interview_id: '7010000000000003001', username: 'Grace Hopper', conclusion: 2,
          content: 'Hire for the platform team.',
          assessment_dimension_list: [
            score('Overall rating', 4),
            score('Problem solving', 4),
            score('Ownership', 3),
            { assessment_type: 2, title: 'Which team fits best?', option: 'Platform' },
            { assessment_type: 4, title: 'Strengths', options: ['systems', 'mentoring'] },
            { assessment_type: 3, title: 'Notes on the exercise', content: 'Finished early; clean tests.' },
          ],
        },
      },
      {
        line: 2,
        body: {
          external_id: 'gh-90002', external_interview_id: '7010000000000003002', username: 'Alan Turing', conclusion: 1,
          assessment_dimension_list: [
            score('Overall rating', 2),
            score('Problem solving', 2),
            { assessment_type: 2, title: 'Seniority', option: 'Junior' },
            { assessment_type: 3, title: 'Would you work with them?', content: 'Not yet' },
            score('Coding score', 2),
          ],
        },
      },
      {
        line: 3,
        body: { external_id: 'gh-90003', external_interview_id: '7010000000000003003', username: 'Ada Lovelace', conclusion: 3, content: 'Needs a second interview.' },
      },
      {
        line: 4,
        problems: [{ field: 'conclusion', reason: "'maybe' is not in the map: strong_yes, yes, no, definitely_not, no_decision (from field overall_recommendation)" }],
      },
      {
        line: 5,
        body: {
          external_id: 'gh-90005', external_interview_id: '7010000000000003005', username: 'Barbara Liskov', conclusion: 1,
          content: 'Struggled with the basics.',
          assessment_dimension_list: [
            score('Overall rating', 1),
            score('Problem solving', 1),
            score('Communication', 2),
            { assessment_type: 4, title: 'Concerns', options: ['design', 'testing'] },
          ],
        },
      },
    ],
  },
};
