/** Create external application (创建外部投递). */
import type { EndpointDescription } from './types.js';

export const applications: EndpointDescription = {
  resource: 'applications',
  title: 'external application',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the application (idempotency, 24 h)', hints: ['投递编号', '投递id', '申请编号', 'application id', 'id', '编号'] },
    talent_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the talent', hints: ['talent id', '人才id', 'candidate id', '候选人编号', '候选人id'] },
    job_recruitment_type: { type: { kind: 'int', labels: { 1: ['社招', 'social'], 2: ['校招', 'campus'] } }, description: '1 social, 2 campus recruitment', hints: ['招聘类型', 'recruitment type'] },
    job_title: { type: { kind: 'string' }, description: 'the job title (free text)', hints: ['职位', '职位名称', '应聘职位', '岗位', 'job', 'position', 'job name'] },
    resume_source: { type: { kind: 'string' }, description: 'where the resume came from', hints: ['简历来源', '来源', 'source'] },
    stage: { type: { kind: 'string' }, description: 'the stage reached (free text)', hints: ['阶段', '当前阶段', '招聘阶段', 'current stage'] },
    termination_reason: { type: { kind: 'string' }, description: 'why it ended', hints: ['终止原因', '淘汰原因', 'rejection reason'] },
    termination_type: { type: { kind: 'string' }, description: 'how it ended', hints: ['终止类型', 'rejection type'] },
    delivery_type: {
      type: { kind: 'int', labels: { 1: ['HR寻访', 'hr sourced'], 2: ['候选人主动投递', 'candidate applied', 'applied'], 3: ['人才推荐', 'talent recommendation', 'referral'], 4: ['其他', 'other'] } },
      description: '1 HR sourced, 2 candidate applied, 3 talent recommendation, 4 other',
      hints: ['投递方式', '投递类型', 'delivery type'],
    },
    create_time: { type: { kind: 'ms' }, description: 'when the application was made', hints: ['投递时间', '申请时间', '创建时间', 'applied at', 'created at'] },
    // The API's modify_time is when the application was terminated, not when it was last edited: no "updated at".
    modify_time: { type: { kind: 'ms' }, description: 'when it was terminated in the old system (not when it was last edited)', hints: ['终止时间', '结束时间', '淘汰时间', 'terminated at', 'ended at'] },
  },
  create: { path: '/open-apis/hire/v1/external_applications', idAt: 'data.external_application.id', limit: { perSecond: 20 } },
  update: { method: 'PUT', limit: { perSecond: 20 } },
  delete: { limit: { perSecond: 20, perMinute: 20 } },
  readBack: { kind: 'listByParent', path: '/open-apis/hire/v1/external_applications', parentParam: 'talent_id', pageSize: 20, limit: { perSecond: 20 } },
  parent: { field: 'talent_id', resource: 'talents', missingCode: 1002102 },
  permissions: ['hire:external_application'],
  // The list's items have no external_id (the official SDK's generated types for external_applications list).
  notReturned: ['external_id'],
};
