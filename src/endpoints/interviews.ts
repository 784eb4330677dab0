/** Create external interview (创建外部面试). */
import { assessmentContent } from './dimensionFields.js';
import type { EndpointDescription } from './types.js';

export const interviews: EndpointDescription = {
  resource: 'interviews',
  title: 'external interview',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the interview (idempotency, 24 h)', hints: ['面试编号', '面试id', 'interview id', 'id', '编号'] },
    external_application_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the external application', hints: ['application id', '投递编号', '投递id'] },
    participate_status: {
      type: { kind: 'int', labels: { 1: ['未参与', 'not attended'], 2: ['参与', 'attended'], 3: ['爽约', 'no-show', 'no show'] } },
      description: 'attendance: 1 not attended, 2 attended, 3 no-show',
      hints: ['参与状态', '出席状态', '到场', 'attendance'],
    },
    begin_time: { type: { kind: 'ms' }, description: 'when the interview began', hints: ['面试时间', '开始时间', '面试开始时间', 'interview time', 'start time', 'scheduled at'] },
    end_time: { type: { kind: 'ms' }, description: 'when the interview ended', hints: ['面试结束时间', '结束时间', 'end time'] },
    interview_assessments: { type: { kind: 'list', of: assessmentContent }, description: 'assessments written with the interview' },
  },
  create: { path: '/open-apis/hire/v1/external_interviews', idAt: 'data.external_interview.id', limit: { perSecond: 10 } },
  // The update page: a PUT overwrites the interview and all its assessments (全量覆盖更新).
  update: { method: 'PUT', limit: { perSecond: 10 }, replacesCarried: true },
  delete: { limit: { perSecond: 10 } },
  readBack: { kind: 'batchQuery', path: '/open-apis/hire/v1/external_interviews/batch_query', idList: 'external_interview_id_list', maxIds: 20, limit: { perSecond: 10 } },
  parent: { field: 'external_application_id', resource: 'applications', missingCode: 1002002 },
  permissions: ['hire:external_application'],
  // The docs' items hold no external_id, nor do the assessments listed in them (the SDK's types echo both).
  docsAnswer: { omitted: ['external_id'] },
  // The answer gives each assessment its own id; what was sent is compared field by field without it.
  notReturned: ['interview_assessments[].id'],
};

