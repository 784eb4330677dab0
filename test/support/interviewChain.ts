/** A plan of interviews and their assessments, each assessment's interview looked up in the interviews step. */
export const interviewsYaml = `input: { timezone: Asia/Shanghai }
fields:
  external_id: interview
  external_application_id: application
  begin_time: begin
`;
export const assessmentsCsv = 'feedback,interview,interviewer,verdict,notes\nF-1,I-1,zhang,pass,solid\nF-2,I-1,li,pass,strong\nF-3,I-2,wang,fail,weak\n';
/** A plan's mapping: the interview's Feishu id comes from the interviews step. */
export const assessmentsYaml = `lookups:
  interviews: { step: interviews }
fields:
  external_id: feedback
  external_interview_id: { from: interview, lookup: interviews }
  username: interviewer
  conclusion: verdict
  content: notes
`;
export const planYaml = `steps:
  - { resource: interviews, input: interviews.csv, mapping: interviews.yaml }
  - { resource: assessments, input: assessments.csv, mapping: assessments.yaml }
`;
