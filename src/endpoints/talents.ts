/**
 * Talents: looked up by email, then by mobile (talents/batch_get_id), created with talents/combined_create only when
 * nothing matches. The API has no external_id: the mapping's external_id is the legacy candidate key, kept only in
 * the result log.
 */
import { feishuCodes } from './codes.js';
import type { EndpointDescription } from './types.js';

const talentLimit = { perSecond: 50, perMinute: 1000 };

export const talents: EndpointDescription = {
  resource: 'talents',
  title: 'talent',
  externalId: 'external_id',
  fields: {
    external_id: { type: { kind: 'string' }, required: true, localOnly: true, description: 'the legacy candidate key (kept in the log, not sent)', hints: ['候选人编号', '候选人id', '人才编号', 'candidate id', 'id', '编号'] },
    basic_info: {
      type: {
        kind: 'object',
        fields: {
          name: { type: { kind: 'string' }, required: true, description: 'the full name', hints: ['姓名', '候选人姓名', '名字', 'candidate name', 'full name'] },
          email: { type: { kind: 'string', format: 'email' }, description: 'email', hints: ['邮箱', '电子邮箱', '邮件', 'e-mail', 'email address'] },
          mobile: { type: { kind: 'phone' }, description: 'mobile number, as written (+852 9123 4567); sent as national digits', hints: ['手机', '手机号', '手机号码', '电话', '联系电话', 'phone', 'mobile phone'] },
          mobile_country_code: { type: { kind: 'string' }, description: "the mobile's location code from Feishu's location list (CN_1), not a dialling code", hints: ['国家代码', 'country code'] },
          gender: { type: { kind: 'int', labels: { 1: ['男', 'male', 'm'], 2: ['女', 'female', 'f'], 3: ['其他', 'other'] } }, description: '1 male, 2 female, 3 other', hints: ['性别', 'sex'] },
          birthday: { type: { kind: 'msString' }, description: 'date of birth', hints: ['出生日期', '生日', 'date of birth', 'dob'] },
          start_work_time: { type: { kind: 'msString' }, description: 'when the candidate started working', hints: ['参加工作时间', '开始工作时间', 'career start'] },
        },
      },
      required: true,
      description: 'the candidate',
    },
    education_list: {
      type: {
        kind: 'list',
        of: {
          school: { type: { kind: 'string' }, description: 'school' },
          field_of_study: { type: { kind: 'string' }, description: 'major' },
          start_time: { type: { kind: 'msString' }, description: 'start' },
          end_time: { type: { kind: 'msString' }, description: 'end' },
        },
      },
      description: 'education',
    },
    career_list: {
      type: {
        kind: 'list',
        of: {
          company: { type: { kind: 'string' }, description: 'company' },
          title: { type: { kind: 'string' }, description: 'job title' },
          desc: { type: { kind: 'string' }, description: 'description' },
          start_time: { type: { kind: 'msString' }, description: 'start' },
          end_time: { type: { kind: 'msString' }, description: 'end' },
        },
      },
      description: 'work experience',
    },
    folder_id_list: { type: { kind: 'strings' }, description: 'talent folders' },
  },
  create: { path: '/open-apis/hire/v1/talents/combined_create', idAt: 'data.talent_id', limit: talentLimit },
  match: {
    path: '/open-apis/hire/v1/talents/batch_get_id',
    limit: talentLimit,
    keys: [
      { field: 'basic_info.email', param: 'email_list', answerField: 'email' },
      {
        field: 'basic_info.mobile',
        param: 'mobile_number_list',
        answerField: 'mobile_number',
        digitsOnly: true,
        diallingCode: { param: 'mobile_code', answerField: 'mobile_code', default: '86', locationField: 'basic_info.mobile_country_code' },
      },
    ],
    itemsAt: 'data.talent_list',
    idField: 'talent_id',
    maxKeys: 20,
    badKeyCodes: [feishuCodes.badMobile.code],
  },
  permissions: ['hire:talent'],
};
