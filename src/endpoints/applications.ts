/** Create external application (创建外部投递). */
import type { EndpointDescription } from './types.js';

export const applications: EndpointDescription = {
  resource: 'applications',
  title: 'external application',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the application (idempotency, 24 h)' },
    talent_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the talent' },
    job_recruitment_type: { type: { kind: 'int', labels: { 1: ['社招', 'social'], 2: ['校招', 'campus'] } }, description: '1 social, 2 campus recruitment' },
    job_title: { type: { kind: 'string' }, description: 'the job title (free text)' },
    resume_source: { type: { kind: 'string' }, description: 'where the resume came from' },
    stage: { type: { kind: 'string' }, description: 'the stage reached (free text)' },
    termination_reason: { type: { kind: 'string' }, description: 'why it ended' },
    termination_type: { type: { kind: 'string' }, description: 'how it ended' },
    delivery_type: {
      type: { kind: 'int', labels: { 1: ['HR寻访', 'hr sourced'], 2: ['候选人主动投递', 'candidate applied', 'applied'], 3: ['人才推荐', 'talent recommendation', 'referral'], 4: ['其他', 'other'] } },
      description: '1 HR sourced, 2 candidate applied, 3 talent recommendation, 4 other',
    },
    create_time: { type: { kind: 'ms' }, description: 'when the application was made' },
    modify_time: { type: { kind: 'ms' }, description: 'when it ended in the old system' },
  },
  create: { path: '/open-apis/hire/v1/external_applications', idAt: 'data.external_application.id', limit: { perSecond: 20 } },
  update: { method: 'PUT', limit: { perSecond: 20 } },
  delete: { limit: { perSecond: 20, perMinute: 20 } },
  readBack: { kind: 'listByParent', path: '/open-apis/hire/v1/external_applications', parentParam: 'talent_id', pageSize: 20, limit: { perSecond: 20 } },
  parent: { field: 'talent_id', resource: 'talents', missingCode: 1002102 },
  permissions: ['hire:external_application'],
};
