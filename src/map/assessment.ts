/**
 * The request body of "create external interview assessment" (POST /open-apis/hire/v1/external_interview_assessments)
 * and its validation: what the API accepts, checked before anything is sent.
 */
import { z } from 'zod';

export const Conclusion = { fail: 1, pass: 2, pending: 3 } as const;
export const DimensionType = { score: 1, single: 2, text: 3, multi: 4 } as const;

/** Labels a legacy export may use for the two enums; matched trimmed and case-insensitively. */
const conclusionLabels: Record<string, number> = {
  '1': 1, '2': 2, '3': 3,
  '不通过': 1, '通过': 2, '待定': 3,
  fail: 1, pass: 2, pending: 3,
};
const dimensionTypeLabels: Record<string, number> = {
  '1': 1, '2': 2, '3': 3, '4': 4,
  '打分题': 1, '单选题': 2, '描述题': 3, '多选题': 4,
  score: 1, single: 2, text: 3, multi: 4,
};

function enumFrom(labels: Record<string, number>, name: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? (labels[value.trim().toLowerCase()] ?? value) : value),
    z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], {
      error: () => `must be one of ${Object.keys(labels).join(', ')}`,
    }),
  ).describe(name);
}

/**
 * An integer from a number or a numeric string ("4", " 4 "); "4.5" or "four" is refused, and so is one beyond 2^53,
 * which no JSON number carries exactly.
 */
const integer = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
  z.number({ error: 'must be an integer' }).int({
    error: (issue) => (issue.code === 'invalid_type' ? 'must be an integer' : `must be an integer within ±${Number.MAX_SAFE_INTEGER} (2^53 - 1)`),
  }),
);

const text = z.string({ error: 'must be text' });

export const dimensionSchema = z
  .object({
    assessment_type: enumFrom(dimensionTypeLabels, 'assessment_type'),
    title: text.optional(),
    description: text.optional(),
    score: integer.optional(),
    option: text.optional(),
    content: text.optional(),
    options: z.array(text, { error: 'must be a list of text' }).optional(),
  })
  .strict()
  .superRefine((dimension, context) => {
    // Each type carries its answer in its own field; a dimension without one says nothing.
    const answerField = ({ 1: 'score', 2: 'option', 3: 'content', 4: 'options' } as const)[dimension.assessment_type];
    if (dimension[answerField] === undefined) {
      context.addIssue({ code: 'custom', path: [answerField], message: `is required for assessment_type ${dimension.assessment_type}` });
    }
  });

export const assessmentSchema = z
  .object({
    external_id: text.min(1, { error: 'must not be empty' }).optional(),
    external_interview_id: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
      .min(1, { error: 'is required' }),
    username: text.optional(),
    conclusion: enumFrom(conclusionLabels, 'conclusion')
      .refine((value) => value !== 4, { error: 'must be one of 1, 2, 3, 不通过, 通过, 待定, fail, pass, pending' })
      .optional(),
    assessment_dimension_list: z.array(dimensionSchema, { error: 'must be a list of dimensions' }).optional(),
    content: text.optional(),
  })
  .strict();

export type AssessmentBody = z.output<typeof assessmentSchema>;
export type Dimension = z.output<typeof dimensionSchema>;

export interface Problem {
  /** The request field, as a path: `assessment_dimension_list[1].score`. */
  field: string;
  reason: string;
}

export type Validated = { ok: true; body: AssessmentBody } | { ok: false; problems: Problem[] };

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (joined, key) => (typeof key === 'number' ? `${joined}[${key}]` : joined ? `${joined}.${String(key)}` : String(key)),
    '',
  );
}

/** Checks a mapped record against what the API accepts and normalises labels to the API's integers. */
export function validateAssessment(candidate: unknown): Validated {
  const parsed = assessmentSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, body: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      field: fieldPath(issue.path) || '(record)',
      reason: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
    })),
  };
}
