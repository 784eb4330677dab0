/**
 * The declarative mapping: how records of any legacy export become request bodies of one resource. The import
 * pipeline needs only this module: load a mapping file, compile it (or the default layout) for a resource against
 * the input, then map and validate records.
 */
export { compileMapping, type CompileContext, type Mapped, type MapResult, type Mapper } from './compile.js';
export { defaultMapping } from './defaultLayout.js';
export { loadMapping } from './loadMapping.js';
export { mappingJsonSchema, type MappingSpec } from './mappingSchema.js';
export { StepKey, takeStepKeys, withStepIds, type StepKeyAt } from './stepKey.js';
