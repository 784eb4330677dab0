/**
 * The mapping file's language, as a zod schema: the one definition that loadMapping checks files against and that
 * `schema/mapping.schema.json` (for editors) is generated from. It names no API field: which keys a resource accepts
 * comes from its endpoint description when the mapping is compiled (src/map/compile.ts).
 */
import { z } from 'zod';
import { dateFormatTokens, luxonDateFormat } from '../validate/dateFormat.js';
import { isZone } from '../validate/dates.js';
import { defaultPhoneRegion } from '../validate/phone.js';

/** One declared date format or several, tried in order (`DD.MM.YYYY`, `[DD.MM.YYYY HH:mm, DD/MM/YYYY]`). */
const dateFormatSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .superRefine((formats, context) => {
    for (const format of typeof formats === 'string' ? [formats] : formats) {
      const translated = luxonDateFormat(format);
      if (!translated.ok) context.addIssue({ code: 'custom', message: `date format '${format}' ${translated.reason}` });
    }
  });

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
    trim: z.boolean().optional().meta({
      description: 'Trim surrounding white space first (a blank value then counts as absent); the default. false keeps it as the export has it.',
    }),
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
    date_format: dateFormatSchema.optional().meta({
      description:
        `Read the value as a date written this way (or one of these ways), in input.timezone: DD.MM.YYYY, DD/MM/YYYY HH:mm, YYYY年M月D日. ` +
        `Tokens ${dateFormatTokens}; anything else is literal. A value that fits none makes the record invalid.`,
    }),
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
  .union([z.string().min(1), z.number(), valueSpecObjectSchema], {
    error: 'expected a type (a label or number) or an object with one of from, value, expr',
  })
  .meta({
    description:
      "The element's type (for dimensions, the assessment_type): a label or number as a constant, or { from: column, map: {...} } " +
      'to read it per element. It chooses the field `answer` lands in.',
  });

const eachSchema = z
  .union(
    [
      z.literal('rows').meta({ description: 'One element per row of a group (long files; see `group`).' }),
      z
        .object({
          columns: z
            .string()
            .min(1)
            .refine(isRegExp, { error: 'is not a valid regular expression' })
            .meta({
              description:
                'A regular expression over column names: one element per matching column, the element being ' +
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

/** The keys of a list entry that are not element fields. */
export const entryKeywords = ['each', 'type', 'answer', 'omitWhen'] as const;

const entryKeywordsSchema = z.object({
  each: eachSchema.optional(),
  type: typeSpecSchema.optional(),
  answer: valueSpecSchema.optional().meta({
    description:
      'The answer, put into the field its type needs (dimensions: score for 1, option for 2, content for 3, options for 4, ' +
      'text split on |).',
  }),
  omitWhen: z.enum(['unanswered', 'empty']).optional().meta({
    description:
      'When to leave the element out: unanswered (the default for lists with typed answers) when the answer and every answer ' +
      'field are absent; empty (the default otherwise) when every value read from the source is absent.',
  }),
});

export const listEntrySchema = entryKeywordsSchema.catchall(valueSpecSchema).meta({
  id: 'ListEntry',
  description: 'One list element, or with `each` one per element; the other keys are element fields (dimensions: title, description, score, ...).',
});

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
        timezone: z
          .string()
          .refine(isZone, { error: 'is not a time zone (an IANA name such as Asia/Shanghai or UTC)' })
          .optional()
          .meta({ description: "The IANA time zone of dates written without an offset (Asia/Shanghai); default: the machine's." }),
        date_format: dateFormatSchema.optional().meta({
          description:
            `How this export writes its dates (DD.MM.YYYY for 05.03.2024), tried before the common forms for every date field and by $date(). ` +
            `Tokens ${dateFormatTokens}; anything else is literal.`,
        }),
        phone_region: z
          .string()
          .regex(/^[A-Z]{2}$/, { error: 'is not a region code (two capital letters, ISO 3166: CN, US, HK)' })
          .optional()
          .meta({ description: `The region (ISO 3166: CN, US, HK) of phone numbers written without +code or 00code; default: ${defaultPhoneRegion}.` }),
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
      .record(z.string().min(1), valueSpecSchema)
      .optional()
      .meta({ description: "The request body's fields, each from a value spec; nested fields by dotted path (basic_info.name)." }),
    lists: z
      .record(z.string().min(1), z.array(listEntrySchema))
      .optional()
      .meta({ description: 'List fields of the body by path (education_list): entries concatenated in order.' }),
    dimensions: z
      .array(listEntrySchema)
      .optional()
      .meta({ description: 'Shorthand for the list whose elements carry a typed answer (assessment_dimension_list).' }),
  })
  .strict()
  .meta({
    title: 'hire-import mapping',
    description: 'How records of a legacy export become the request bodies of one Feishu Hire resource.',
  });

type EntryKeywordsSpec = z.infer<typeof entryKeywordsSchema>;
/** An entry: its keywords, and element fields as value specs (written out: zod infers a type literals cannot meet). */
export type ListEntrySpec = EntryKeywordsSpec & { [field: string]: EntryKeywordsSpec[keyof EntryKeywordsSpec] | ValueSpec };
export type MappingSpec = Omit<z.infer<typeof mappingSchema>, 'lists' | 'dimensions'> & {
  lists?: Record<string, ListEntrySpec[]>;
  dimensions?: ListEntrySpec[];
};
export type ValueSpec = z.infer<typeof valueSpecSchema>;
export type ValueSpecObject = z.infer<typeof valueSpecObjectSchema>;
export type EachSpec = NonNullable<ListEntrySpec['each']>;
export type TypeSpec = NonNullable<ListEntrySpec['type']>;
export type LookupSpec = z.infer<typeof lookupSchema>;

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
