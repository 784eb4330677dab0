/** Create external offer (创建外部 Offer). */
import type { EndpointDescription } from './types.js';

export const offers: EndpointDescription = {
  resource: 'offers',
  title: 'external offer',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the offer (idempotency, 24 h)', hints: ['offer编号', 'offer id', 'id', '编号'] },
    external_application_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the external application', hints: ['application id', '投递编号', '投递id'] },
    biz_create_time: { type: { kind: 'msString' }, description: 'when the offer was made', hints: ['offer时间', '发放时间', '创建时间', 'offer date', 'created at'] },
    owner: { type: { kind: 'string' }, description: 'who owned the offer (a name)', hints: ['负责人', 'offer负责人', 'hr', 'owner name'] },
    offer_status: { type: { kind: 'string' }, description: 'the offer status (free text)', hints: ['offer状态', '状态', 'status'] },
    attachment_id_list: { type: { kind: 'strings', maxItems: 20 }, description: 'ids of uploaded attachments' },
  },
  create: { path: '/open-apis/hire/v1/external_offers', idAt: 'data.external_offer.id', limit: { perSecond: 10 } },
  // Up to 20 attachments on create, up to 10 on update (the docs).
  update: { method: 'PUT', limit: { perSecond: 10 }, maxItems: { attachment_id_list: 10 } },
  delete: { limit: { perSecond: 10 } },
  readBack: { kind: 'batchQuery', path: '/open-apis/hire/v1/external_offers/batch_query', idList: 'external_offer_id_list', maxIds: 20, limit: { perSecond: 10 } },
  // The docs' items hold no external_id, and the attachments as attachment_list[{id, name, size}].
  docsAnswer: { omitted: ['external_id'], idObjects: { attachment_id_list: { field: 'attachment_list', idKey: 'id' } } },
  parent: { field: 'external_application_id', resource: 'applications', missingCode: 1002002 },
  // One English page names hire:external_application instead: name both.
  permissions: ['hire:external_offer', 'hire:external_application'],
};
