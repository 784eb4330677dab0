/** Create external interview (创建外部面试). */
import { assessmentContent } from './dimensionFields.js';
import type { EndpointDescription } from './types.js';

export const interviews: EndpointDescription = {
  resource: 'interviews',
  title: 'external interview',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the interview (idempotency, 24 h)' },
    external_application_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the external application' },
    participate_status: {
      type: { kind: 'int', labels: { 1: ['未参与', 'not attended'], 2: ['参与', 'attended'], 3: ['爽约', 'no-show', 'no show'] } },
      description: 'attendance: 1 not attended, 2 attended, 3 no-show',
    },
    begin_time: { type: { kind: 'ms' }, description: 'when the interview began' },
    end_time: { type: { kind: 'ms' }, description: 'when the interview ended' },
    interview_assessments: { type: { kind: 'list', of: assessmentContent }, description: 'assessments written with the interview' },
  },
  create: { path: '/open-apis/hire/v1/external_interviews', idAt: 'data.external_interview.id', limit: { perSecond: 10 } },
  update: { method: 'PUT', limit: { perSecond: 10 } },
  delete: { limit: { perSecond: 10 } },
  readBack: { kind: 'batchQuery', path: '/open-apis/hire/v1/external_interviews/batch_query', idList: 'external_interview_id_list', maxIds: 20, limit: { perSecond: 10 } },
  parent: { field: 'external_application_id', resource: 'applications', missingCode: 1002002 },
  permissions: ['hire:external_application'],
  // The answer gives each assessment its own id; what was sent is compared field by field without it.
  notReturned: ['interview_assessments[].id'],
};

