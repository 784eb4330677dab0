/** Create external background check (创建外部背调). */
import type { EndpointDescription } from './types.js';

export const backgroundChecks: EndpointDescription = {
  resource: 'background-checks',
  title: 'external background check',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the check (idempotency, 24 h)', hints: ['背调编号', '背调id', 'check id', 'id', '编号'] },
    external_application_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the external application', hints: ['application id', '投递编号', '投递id'] },
    date: { type: { kind: 'ms' }, description: 'when the check was made', hints: ['背调时间', '背调日期', '日期', 'check date'] },
    name: { type: { kind: 'string' }, description: 'the check name', hints: ['背调名称', '背调项目', '名称', 'check name'] },
    result: { type: { kind: 'string' }, description: 'the result (free text)', hints: ['背调结果', '结果'] },
    attachment_id_list: { type: { kind: 'strings', maxItems: 20 }, description: 'ids of uploaded attachments' },
  },
  create: { path: '/open-apis/hire/v1/external_background_checks', idAt: 'data.external_background_check.id', limit: { perSecond: 20 } },
  update: { method: 'PUT', limit: { perSecond: 10 } },
  delete: { limit: { perSecond: 10 } },
  readBack: {
    kind: 'batchQuery',
    path: '/open-apis/hire/v1/external_background_checks/batch_query',
    idList: 'external_background_check_id_list',
    maxIds: 20,
    limit: { perSecond: 10 },
  },
  // The docs' items hold no external_id, and the attachments as attachment_list[{id, name, size}].
  docsAnswer: { omitted: ['external_id'], idObjects: { attachment_id_list: { field: 'attachment_list', idKey: 'id' } } },
  parent: { field: 'external_application_id', resource: 'applications', missingCode: 1002002 },
  permissions: ['hire:external_application'],
};
