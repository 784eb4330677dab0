/**
 * The declarative mapping: how records of any legacy export become request bodies. The import pipeline needs only
 * this module: load a mapping file, compile it (or the default layout) against the input, map records.
 */
import { validateAssessment, type Validated } from './assessment.js';
import type { Mapped } from './compile.js';
import { withSource } from './output.js';

export { compileMapping, type CompileContext, type Mapped, type MapResult, type Mapper } from './compile.js';
export { defaultMapping } from './defaultLayout.js';
export { loadMapping } from './loadMapping.js';
export { mappingJsonSchema, type MappingSpec } from './mappingSchema.js';

/** Validates a mapped record; each problem names the source column its field came from. */
export function validateMapped(mapped: Mapped): Validated {
  const validated = validateAssessment(mapped.candidate);
  if (validated.ok) return validated;
  return {
    ok: false,
    problems: validated.problems.map((problem) => ({ ...problem, reason: withSource(problem.reason, mapped.sources[problem.field]) })),
  };
}
