/** Create external offer (创建外部 Offer). */
import type { EndpointDescription } from './types.js';

export const offers: EndpointDescription = {
  resource: 'offers',
  title: 'external offer',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, description: 'the legacy key of the offer (idempotency, 24 h)' },
    external_application_id: { type: { kind: 'string' }, required: true, description: 'the Feishu id of the external application' },
    biz_create_time: { type: { kind: 'msString' }, description: 'when the offer was made' },
    owner: { type: { kind: 'string' }, description: 'who owned the offer (a name)' },
    offer_status: { type: { kind: 'string' }, description: 'the offer status (free text)' },
    attachment_id_list: { type: { kind: 'strings', maxItems: 20 }, description: 'ids of uploaded attachments' },
  },
  create: { path: '/open-apis/hire/v1/external_offers', idAt: 'data.external_offer.id', limit: { perSecond: 10 } },
  update: { method: 'PUT', limit: { perSecond: 10 } },
  delete: { limit: { perSecond: 10 } },
  readBack: { kind: 'batchQuery', path: '/open-apis/hire/v1/external_offers/batch_query', idList: 'external_offer_id_list', maxIds: 20, limit: { perSecond: 10 } },
  parent: { field: 'external_application_id', resource: 'applications', missingCode: 1002002 },
  // One English page names hire:external_application instead: name both.
  permissions: ['hire:external_offer', 'hire:external_application'],
};
