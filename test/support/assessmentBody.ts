/** The body an interview-assessment row of the workbook tests becomes: a score, the interview date, more text answers. */
export function assessmentBody(
  id: string,
  interview: string,
  username: string,
  conclusion: number,
  score: number,
  date: string,
  content?: string,
  texts: Record<string, string> = {},
) {
  return {
    external_id: id,
    external_interview_id: interview,
    username,
    conclusion,
    ...(content === undefined ? {} : { content }),
    assessment_dimension_list: [
      { assessment_type: 1, title: '专业能力', score },
      { assessment_type: 3, title: '面试日期', content: date },
      ...Object.entries(texts).map(([title, text]) => ({ assessment_type: 3, title, content: text })),
    ],
  };
}
