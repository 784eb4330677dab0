/** Create external interview assessment (创建外部面评). */
import { assessmentContent } from './dimensionFields.js';
import type { EndpointDescription } from './types.js';

export const assessments: EndpointDescription = {
  resource: 'assessments',
  title: 'external interview assessment',
  externalId: 'external_id',
  fields: {
    external_id: {
      type: { kind: 'string' },
      description: 'the legacy key of the assessment (idempotency, 24 h)',
      hints: ['面评编号', '面评id', 'assessment id', 'feedback id', 'scorecard id', 'id', '编号'],
    },
    external_interview_id: {
      type: { kind: 'string' },
      required: true,
      description: 'the Feishu id of the external interview',
      hints: ['interview id', '面试编号', '面试id'],
    },
    ...assessmentContent,
  },
  create: { path: '/open-apis/hire/v1/external_interview_assessments', idAt: 'data.external_interview_assessment.id', limit: { perSecond: 20 } },
  // The PATCH takes these four only (docs and SDK agree): no external_id, no external_interview_id.
  update: { method: 'PATCH', limit: { perSecond: 20 }, fields: ['username', 'conclusion', 'assessment_dimension_list', 'content'] },
  // No delete and no read-back of their own: they come and go with their interview.
  readBack: { kind: 'insideParent', field: 'interview_assessments' },
  // Listed inside their interview as {id, username, conclusion, assessment_dimension_list, content}.
  docsAnswer: { omitted: ['external_id', 'external_interview_id'] },
  parent: { field: 'external_interview_id', resource: 'interviews', missingCode: 1002002 },
  permissions: ['hire:external_application'],
};
