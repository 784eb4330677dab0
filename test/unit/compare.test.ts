/** The comparison verify makes: an export's wire body against the record read back, as the description says. */
import { describe, expect, it } from 'vitest';
import { applications } from '../../src/endpoints/applications.js';
import { assessments } from '../../src/endpoints/assessments.js';
import { interviews } from '../../src/endpoints/interviews.js';
import { offers } from '../../src/endpoints/offers.js';
import { talents } from '../../src/endpoints/talents.js';
import { differences } from '../../src/readBack/compare.js';

const assessment = {
  external_id: 'A-1',
  external_interview_id: '6989181065243969836',
  username: 'zhangwei',
  conclusion: 2,
  content: 'Strong systems design',
  assessment_dimension_list: [
    { assessment_type: 1, title: 'System design', score: 4 },
    { assessment_type: 4, title: '亮点', options: ['算法', '沟通'] },
  ],
};

describe('differences', () => {
  it('finds none when the server holds what was sent, whatever fields of its own it adds', () => {
    const server = { id: '6989181065243969840', creator: 'ou_1', ...structuredClone(assessment) };
    expect(differences(assessments, assessment, server)).toEqual([]);
  });

  it('names each differing field by its path, with the export value and the server value', () => {
    const server = structuredClone(assessment);
    server.conclusion = 1;
    server.assessment_dimension_list[0]!.score = 2;
    delete (server as Partial<typeof server>).content;
    expect(differences(assessments, assessment, server)).toEqual([
      { field: 'conclusion', export: 2, server: 1 },
      { field: 'assessment_dimension_list[0].score', export: 4, server: 2 },
      { field: 'content', export: 'Strong systems design', server: undefined },
    ]);
  });

  it('takes a field left out, null, empty text and an empty list as the same "no value", and a number as its text', () => {
    const sent = { external_id: 'I-1', external_application_id: '7001', begin_time: 1709622000000 };
    const server = { id: '1', external_id: 'I-1', external_application_id: '7001', begin_time: '1709622000000', end_time: null, participate_status: '', interview_assessments: [] };
    expect(differences(interviews, sent, server)).toEqual([]);
    expect(differences(interviews, { ...sent, participate_status: 2 }, server)).toEqual([{ field: 'participate_status', export: 2, server: '' }]);
  });

  it('compares a list of another length as one field', () => {
    const server = { ...structuredClone(assessment), assessment_dimension_list: [assessment.assessment_dimension_list[0]] };
    expect(differences(assessments, assessment, server)).toEqual([
      { field: 'assessment_dimension_list', export: assessment.assessment_dimension_list, server: [assessment.assessment_dimension_list[0]] },
    ]);
  });

  it('leaves out the fields the description says the server does not return, at any depth', () => {
    // applications: the list answer has no external_id.
    expect(differences(applications, { external_id: 'P-1', talent_id: 't1', job_title: 'SRE' }, { id: '9', talent_id: 't1', job_title: 'SRE' })).toEqual([]);
    const noDescriptions = { ...assessments, notReturned: ['assessment_dimension_list[].title', 'content'] };
    const server = structuredClone(assessment);
    server.assessment_dimension_list[1]!.title = 'Highlights';
    server.content = 'changed';
    expect(differences(noDescriptions, assessment, server)).toEqual([]);
    expect(differences(assessments, assessment, server).map((difference) => difference.field)).toEqual(['assessment_dimension_list[1].title', 'content']);
  });

  it("needs each of an interview's own assessments in the answer, whatever else it lists: the docs' reading cannot tell the assessments created on their own apart", () => {
    const written = { username: 'lina', conclusion: 2, content: 'ok' };
    const sent = { external_id: 'I-1', external_application_id: '7001', interview_assessments: [written] };
    const own = { id: '11', ...written };
    const created = { id: '12', username: 'chen', conclusion: 1 };
    const carried = ['interview_assessments'];
    const { external_id: _key, ...answered } = sent;
    for (const listed of [[own, created], [created, own], [own]]) expect(differences(interviews, sent, { id: '10', ...answered, interview_assessments: listed }, carried)).toEqual([]);
    expect(differences(interviews, { ...sent, interview_assessments: [] }, { id: '10', ...answered, interview_assessments: [created] }, carried)).toEqual([]);
    expect(differences(interviews, sent, { id: '10', ...answered, interview_assessments: [{ ...own, content: 'changed' }, created] }, carried)).toEqual([
      { field: 'interview_assessments[0].content', export: 'ok', server: 'changed' },
    ]);
    expect(differences(interviews, sent, { id: '10', ...answered, interview_assessments: undefined }, carried)).toEqual([{ field: 'interview_assessments', export: [written], server: undefined }]);
  });

  it('reads attachment ids from attachment_list[{id}] (the docs) or attachment_id_list (the SDK), in any order', () => {
    const sent = { external_id: 'O-1', external_application_id: '7001', offer_status: 'accepted', attachment_id_list: ['71', '72'] };
    const docs = { id: '9', external_application_id: '7001', offer_status: 'accepted', attachment_list: [{ id: '72', name: 'b.pdf', size: 2 }, { id: '71', name: 'a.pdf', size: 1 }] };
    expect(differences(offers, sent, docs)).toEqual([]);
    expect(differences(offers, sent, { id: '9', ...sent })).toEqual([]);
    expect(differences(offers, sent, { ...docs, attachment_list: [{ id: '71', name: 'a.pdf', size: 1 }] })).toEqual([{ field: 'attachment_id_list', export: ['71', '72'], server: ['71'] }]);
  });

  it("compares nested objects by their fields and never a talent's local key", () => {
    const sent = { basic_info: { name: '张磊', email: 'zl@example.com' } };
    expect(differences(talents, sent, { basic_info: { name: '张磊', email: 'zl@example.com', mobile: '' }, external_id: 'C-9' })).toEqual([]);
    expect(differences(talents, sent, { basic_info: { name: '张 磊', email: 'zl@example.com' } })).toEqual([{ field: 'basic_info.name', export: '张磊', server: '张 磊' }]);
  });
});
