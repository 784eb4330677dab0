import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldsEnd, fieldsStart, fieldTables, withFieldTables } from '../../src/docs/fieldTables.js';
import { endpoints } from '../../src/endpoints/registry.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's list of every resource's fields", () => {
  it('is the one the endpoint descriptions make (run `npm run docs:fields` after changing a description)', () => {
    expect(readme).toContain(fieldsStart);
    expect(withFieldTables(readme, endpoints)).toBe(readme);
  });

  it('names every field of every resource, nested and list element fields by path, with type, required and allowed values', () => {
    const tables = fieldTables(endpoints);
    for (const endpoint of endpoints) expect(tables).toContain(`#### ${endpoint.resource} (${endpoint.title})`);
    expect(tables).toContain('| `basic_info.name` | text | yes |  | the full name |');
    expect(tables).toContain('| `external_interview_id` | text | yes |');
    expect(tables).toContain('`assessment_dimension_list[].assessment_type` | integer | yes | 1 (`打分题`, `score`');
    expect(tables).toMatch(/\| `delivery_type` \| integer \| {2}\| 1 \(`HR寻访`, `hr sourced`\), 2/);
    expect(tables).not.toContain(fieldsEnd);
  });
});
