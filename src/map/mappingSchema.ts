/**
 * The mapping file's language, as a zod schema: the one definition that loadMapping checks files against and that
 * `schema/mapping.schema.json` (for editors) is generated from.
 */
import { z } from 'zod';

/** The names a dimension type may be written with, besides its number 1-4. */
export const dimensionTypeNames = ['score', 'single', 'text', 'multi', '打分题', '单选题', '描述题', '多选题'] as const;

const literal = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
  .meta({ description: 'A literal JSON value.' });

const sourceKinds = ['from', 'value', 'expr'] as const;

export const valueSpecObjectSchema = z
  .object({
    from: z.string().min(1).optional().meta({
      description:
        'A column name, or a dotted path into a JSON record (interviewer.name). Inside `each` it reads the element; ' +
        'prefix `$record.` to read the record instead.',
    }),
    value: literal.optional().meta({ description: 'A constant.' }),
    expr: z.string().min(1).optional().meta({
      description:
        'A JSONata expression over the record (inside `each`: over the element). `$record` is the record, `$rows` the rows of a group.',
    }),
    trim: z.boolean().optional().meta({ description: 'Trim surrounding white space first (a blank value then counts as absent).' }),
    split: z.string().min(1).optional().meta({ description: 'Split text on this separator into a list; items are trimmed, empty items dropped.' }),
    map: z
      .record(z.string(), z.union([z.string(), z.number(), z.null()]))
      .optional()
      .meta({
        description:
          'Translate values: keys match trimmed and case-insensitively; a value not in the map takes `default`, or makes the record invalid. ' +
          'null leaves the field out.',
      }),
    lookup: z.string().min(1).optional().meta({ description: 'Replace the value by its entry in a table declared under `lookups`.' }),
    default: literal.optional().meta({ description: 'The value when the source is absent (empty, null, missing) or not in `map`/`lookup`.' }),
  })
  .strict()
  .superRefine((spec, context) => {
    const given = sourceKinds.filter((kind) => spec[kind] !== undefined);
    if (given.length !== 1) {
      context.addIssue({ code: 'custom', message: `needs exactly one of from, value, expr (${given.length ? `has ${given.join(', ')}` : 'has none'})` });
    }
  })
  .meta({
    id: 'ValueSpecObject',
    description: 'Where a value comes from (exactly one of from, value, expr) and how it is translated.',
    oneOf: sourceKinds.map((kind) => ({ required: [kind] })),
  });

export const valueSpecSchema = z
  .union([z.string().min(1), z.number(), valueSpecObjectSchema], {
    error: 'expected a column name, a number, or an object with one of from, value, expr',
  })
  .meta({ id: 'ValueSpec', description: 'A column name or dotted path (text), a constant (number), or a value spec object.' });

const typeSpecSchema = z
  .union([z.enum(dimensionTypeNames), z.literal([1, 2, 3, 4]), valueSpecObjectSchema], {
    error: `expected a type (${dimensionTypeNames.join(', ')}, 1-4) or an object with one of from, value, expr`,
  })
  .meta({
    description: 'The assessment_type: a type name or number as a constant, or { from: column, map: {...} } to read it per dimension.',
  });

const eachSchema = z
  .union(
    [
      z.literal('rows').meta({ description: 'One dimension per row of a group (long files; see `group`).' }),
      z
        .object({
          columns: z
            .string()
            .min(1)
            .refine(isRegExp, { error: 'is not a valid regular expression' })
            .meta({
              description:
                'A regular expression over column names: one dimension per matching column, the element being ' +
                '{ column, value, title, ...named groups }; title is the named group `title` or the column name. With a named group ' +
                '`field`, columns that share the rest of the match form one element, holding each column\'s value under its `field`.',
            }),
        })
        .strict(),
      z.object({ from: z.string().min(1).meta({ description: 'A dotted path to an array in the record.' }) }).strict(),
      z.object({ expr: z.string().min(1).meta({ description: 'A JSONata expression yielding an array (filter and concatenate here).' }) }).strict(),
    ],
    { error: "expected 'rows' or an object with one of columns, from, expr" },
  )
  .meta({ description: 'Repeat this entry for each element; the entry\'s value specs then read the element.' });

const optionalValue = valueSpecSchema.optional();

export const dimensionSpecSchema = z
  .object({
    each: eachSchema.optional(),
    type: typeSpecSchema.optional(),
    title: optionalValue,
    description: optionalValue,
    score: optionalValue,
    option: optionalValue,
    options: optionalValue,
    content: optionalValue,
    answer: valueSpecSchema.optional().meta({
      description: 'The answer, put into the field its type needs: score (1), option (2), content (3), options (4; text is split on |).',
    }),
    omitWhen: z.enum(['unanswered', 'empty']).optional().meta({
      description:
        'When to leave the dimension out: unanswered (default) when answer, score, option, options and content are all absent; ' +
        'empty when every field read from the source is absent.',
    }),
  })
  .strict()
  .meta({ id: 'Dimension', description: 'One dimension, or with `each` one per element.' });

const lookupSchema = z
  .union(
    [
      z
        .object({
          file: z.string().min(1).meta({ description: 'A CSV or JSONL table, relative to the mapping file.' }),
          key: z.string().min(1).meta({ description: 'The column holding the legacy key.' }),
          value: z.string().min(1).meta({ description: 'The column holding the value to use.' }),
          encoding: z.string().optional(),
          delimiter: z.string().optional(),
        })
        .strict(),
      z
        .object({
          log: z.string().min(1).meta({
            description: 'An earlier hire-import result log (relative to the mapping file): external_id -> Feishu id of created/updated records.',
          }),
        })
        .strict(),
      z
        .object({
          step: z.string().min(1).meta({
            description:
              'Only inside a plan (hire-import migrate): another step of the plan, by name: its legacy keys -> the Feishu ids it creates or ' +
              'finds, as the step runs. The step that looks up runs after (and alongside) the one it looks up.',
          }),
        })
        .strict(),
    ],
    { error: 'expected { file, key, value }, { log } or { step }' },
  )
  .meta({ id: 'Lookup' });

export const mappingSchema = z
  .object({
    $schema: z.string().optional(),
    input: z
      .object({
        format: z.enum(['csv', 'jsonl']).optional(),
        encoding: z.string().min(1).optional(),
        delimiter: z.string().min(1).optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'How to read the input, unless the command line says otherwise.' }),
    group: z
      .object({ by: z.string().min(1).meta({ description: 'The column whose value identifies an assessment.' }) })
      .strict()
      .optional()
      .meta({ description: 'Long files: rows sharing this key form one assessment (adjacent or not).' }),
    lookups: z
      .record(z.string().min(1), lookupSchema)
      .optional()
      .meta({ description: 'Named tables that `lookup` translates values through.' }),
    fields: z
      .object({
        external_id: optionalValue,
        external_interview_id: optionalValue,
        username: optionalValue,
        conclusion: optionalValue,
        content: optionalValue,
      })
      .strict()
      .optional()
      .meta({ description: 'The request fields, each from a value spec.' }),
    dimensions: z.array(dimensionSpecSchema).optional().meta({ description: 'assessment_dimension_list: entries concatenated in order.' }),
  })
  .strict()
  .meta({
    title: 'hire-import mapping',
    description: 'How records of a legacy export become Feishu Hire external interview assessments.',
  });

export type MappingSpec = z.infer<typeof mappingSchema>;
export type ValueSpec = z.infer<typeof valueSpecSchema>;
export type ValueSpecObject = z.infer<typeof valueSpecObjectSchema>;
export type DimensionSpec = z.infer<typeof dimensionSpecSchema>;
export type EachSpec = NonNullable<DimensionSpec['each']>;
export type LookupSpec = z.infer<typeof lookupSchema>;
export type FieldName = keyof NonNullable<MappingSpec['fields']>;

/** The JSON Schema published as schema/mapping.schema.json; draft-07, which every editor's YAML/JSON plugin reads. */
export function mappingJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(mappingSchema, { target: 'draft-7' }) as Record<string, unknown>;
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
