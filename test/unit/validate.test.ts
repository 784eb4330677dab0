/**
 * Validation driven by each endpoint's description: one valid body per resource (normalised to the wire) and the
 * main refusals, each naming the field path and the value refused.
 */
import { describe, expect, it } from 'vitest';
import { applications } from '../../src/endpoints/applications.js';
import { backgroundChecks } from '../../src/endpoints/backgroundChecks.js';
import { interviews } from '../../src/endpoints/interviews.js';
import { offers } from '../../src/endpoints/offers.js';
import { talents } from '../../src/endpoints/talents.js';
import { phoneReader } from '../../src/validate/phone.js';
import { compileValidator } from '../../src/validate/validate.js';

const zone = { zone: 'Asia/Shanghai' };
const phones = await phoneReader();
/** 2024-03-01 10:30 in Shanghai. */
const morning = Date.UTC(2024, 2, 1, 2, 30);
const dateReason = (value: string) => `'${value}' is not a date (ISO 8601, 2024-03-01 10:30, 2024/3/1, Unix seconds or ms, Excel serial)`;

describe('talents', () => {
  const validate = compileValidator(talents, { ...zone, phones });

  it('sends nested basic_info with labels as integers and dates as strings of digits; the legacy key stays local', () => {
    expect(
      validate({
        external_id: 'C-1',
        basic_info: { name: '张伟', email: 'zw@example.com', mobile: 13800000000, gender: '男', birthday: '1995/5/4' },
        education_list: [{ school: '清华大学', start_time: '2008-09-01', end_time: 1341072000000 }],
        folder_id_list: [7001, '7002'],
      }),
    ).toEqual({
      ok: true,
      body: {
        basic_info: { name: '张伟', email: 'zw@example.com', mobile: '13800000000', gender: 1, birthday: String(Date.UTC(1995, 4, 3, 16)) },
        education_list: [{ school: '清华大学', start_time: String(Date.UTC(2008, 7, 31, 16)), end_time: '1341072000000' }],
        folder_id_list: ['7001', '7002'],
      },
      local: { external_id: 'C-1', 'basic_info.mobile@dialling_code': '86' },
    });
  });

  it.each([
    { written: '+86 138-0013-8000', code: '86', national: '13800138000' },
    { written: '138 0013 8000', code: '86', national: '13800138000' },
    { written: '0086 13800138000', code: '86', national: '13800138000' },
    { written: '+1 (415) 555-0100', code: '1', national: '4155550100' },
    { written: '+852 9123 4567', code: '852', national: '91234567' },
  ])('sends the mobile $written as the digits $national, its dialling code $code kept for the look-up', ({ written, code, national }) => {
    expect(validate({ external_id: 'C-1', basic_info: { name: 'x', mobile: written } })).toEqual({
      ok: true,
      body: { basic_info: { name: 'x', mobile: national } },
      local: { external_id: 'C-1', 'basic_info.mobile@dialling_code': code },
    });
  });

  it('reads numbers without +code in the region given, and refuses what is no phone number', async () => {
    const us = compileValidator(talents, { ...zone, phones: await phoneReader('US') });
    expect(us({ external_id: 'C-1', basic_info: { name: 'x', mobile: '(415) 555-0100' } })).toMatchObject({ ok: true, local: { 'basic_info.mobile@dialling_code': '1' } });
    for (const mobile of ['12345', 'call me', '+86 138']) {
      expect(validate({ external_id: 'C-1', basic_info: { name: 'x', mobile } })).toEqual({
        ok: false,
        problems: [{ field: 'basic_info.mobile', reason: `'${mobile}' is not a phone number (read in region CN unless it starts with +code or 00code)` }],
      });
    }
    await expect(phoneReader('XX')).rejects.toThrow('"XX" is not a region phone numbers are known for');
  });

  it('requires the legacy key and the name, and names a misspelt nested field', () => {
    expect(validate({ basic_info: { nmae: 'x', gender: 'unknown' } })).toEqual({
      ok: false,
      problems: [
        { field: 'external_id', reason: 'is required' },
        { field: 'basic_info.nmae', reason: "unknown field (did you mean 'name'?)" },
        { field: 'basic_info.name', reason: 'is required' },
        { field: 'basic_info.gender', reason: "'unknown' is not one of 1 男 male m, 2 女 female f, 3 其他 other" },
      ],
    });
    expect(validate({ external_id: 'C-1' })).toEqual({ ok: false, problems: [{ field: 'basic_info', reason: 'is required' }] });
    expect(validate({ external_id: '', basic_info: 'Ada' })).toEqual({
      ok: false,
      problems: [
        { field: 'external_id', reason: 'is required' },
        { field: 'basic_info', reason: "'Ada' is not an object" },
      ],
    });
  });
});

describe('applications', () => {
  const validate = compileValidator(applications, zone);

  it('accepts labels for its enums and dates for its times', () => {
    expect(
      validate({ external_id: 'AP-1', talent_id: '7000', job_recruitment_type: '社招', delivery_type: 'Referral', job_title: '后端工程师', create_time: '2024-03-01 10:30' }),
    ).toEqual({
      ok: true,
      body: { external_id: 'AP-1', talent_id: '7000', job_recruitment_type: 1, job_title: '后端工程师', delivery_type: 3, create_time: morning },
      local: {},
    });
  });

  it('refuses a missing talent, an unknown label and a bad date, naming each value', () => {
    expect(validate({ external_id: 'AP-1', job_recruitment_type: 'intern', modify_time: '2024-13-45' })).toEqual({
      ok: false,
      problems: [
        { field: 'talent_id', reason: 'is required' },
        { field: 'job_recruitment_type', reason: "'intern' is not one of 1 社招 social, 2 校招 campus" },
        { field: 'modify_time', reason: dateReason('2024-13-45') },
      ],
    });
  });

  it('refuses an empty key rather than logging under it', () => {
    expect(validate({ external_id: '', talent_id: '7000' })).toEqual({
      ok: false,
      problems: [{ field: 'external_id', reason: 'must not be empty: it keys the result log' }],
    });
  });
});

describe('interviews', () => {
  const validate = compileValidator(interviews, zone);

  it('validates the assessments written with it, dimensions and all', () => {
    expect(
      validate({
        external_application_id: '8000',
        participate_status: 'attended',
        begin_time: 1709260200,
        end_time: '2024-03-01T11:30:00+08:00',
        interview_assessments: [{ username: 'lina', conclusion: '通过', assessment_dimension_list: [{ assessment_type: 'score', score: '4' }] }],
      }),
    ).toEqual({
      ok: true,
      body: {
        external_application_id: '8000',
        participate_status: 2,
        begin_time: morning,
        end_time: morning + 3_600_000,
        interview_assessments: [{ username: 'lina', conclusion: 2, assessment_dimension_list: [{ assessment_type: 1, score: 4 }] }],
      },
      local: {},
    });
  });

  it('names problems deep inside the list by their path', () => {
    expect(
      validate({
        external_application_id: '8000',
        begin_time: 'tomorrow',
        interview_assessments: [{ conclusion: 2 }, { assessment_dimension_list: [{ assessment_type: 3 }, { assessment_type: 9, title: ['x'] }] }],
      }),
    ).toEqual({
      ok: false,
      problems: [
        { field: 'begin_time', reason: dateReason('tomorrow') },
        { field: 'interview_assessments[1].assessment_dimension_list[0].content', reason: 'is required for assessment_type 3' },
        { field: 'interview_assessments[1].assessment_dimension_list[1].assessment_type', reason: '9 is not one of 1 打分题 score, 2 单选题 single, 3 描述题 text, 4 多选题 multi' },
        { field: 'interview_assessments[1].assessment_dimension_list[1].title', reason: '["x"] is not text' },
      ],
    });
    expect(validate({ external_application_id: '8000', interview_assessments: { conclusion: 2 } })).toEqual({
      ok: false,
      problems: [{ field: 'interview_assessments', reason: '{"conclusion":2} is not a list' }],
    });
  });
});

describe('offers', () => {
  const validate = compileValidator(offers, zone);

  it('sends its creation time as a string of digits and attachment ids as text', () => {
    expect(validate({ external_id: 'OF-1', external_application_id: 8000, biz_create_time: '2024/3/1 10:30', offer_status: '已接受', attachment_id_list: [1, 2] })).toEqual({
      ok: true,
      body: { external_id: 'OF-1', external_application_id: '8000', biz_create_time: String(morning), offer_status: '已接受', attachment_id_list: ['1', '2'] },
      local: {},
    });
  });

  it('refuses more attachments than the API takes, and a list item that is no text', () => {
    const ids = Array.from({ length: 21 }, (_, index) => String(index));
    expect(validate({ external_application_id: '8000', attachment_id_list: ids, owner: { name: 'x' } })).toEqual({
      ok: false,
      problems: [
        { field: 'owner', reason: '{"name":"x"} is not text' },
        { field: 'attachment_id_list', reason: 'has 21 items, at most 20' },
      ],
    });
    expect(validate({ external_application_id: '8000', attachment_id_list: ['a', null] })).toEqual({
      ok: false,
      problems: [{ field: 'attachment_id_list[1]', reason: 'null is not text' }],
    });
  });
});

describe('background checks', () => {
  const validate = compileValidator(backgroundChecks, zone);

  it('sends its date as an integer of milliseconds, from an Excel serial', () => {
    expect(validate({ external_application_id: '8000', date: '45352.4375', name: '学历核验', result: '通过' })).toEqual({
      ok: true,
      body: { external_application_id: '8000', date: morning, name: '学历核验', result: '通过' },
      local: {},
    });
  });

  it('refuses a record that is no object, and a text where a list of text belongs', () => {
    expect(validate(['8000'])).toEqual({ ok: false, problems: [{ field: '(record)', reason: '["8000"] is not an object' }] });
    expect(validate({ external_application_id: '8000', attachment_id_list: 'a|b' })).toEqual({
      ok: false,
      problems: [{ field: 'attachment_id_list', reason: "'a|b' is not a list of text" }],
    });
  });
});
