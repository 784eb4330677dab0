/**
 * Where a mapping's configuration errors and warnings point: the mapping file (or "mapping" for the built-in
 * layout) and the key inside it, `m.yaml: fields.usename: ...`.
 */
import { ConfigError } from '../errors.js';

export interface MappingPlace {
  error(at: string, reason: string): ConfigError;
  warning(at: string, reason: string): string;
}

export function mappingPlace(mappingFile?: string): MappingPlace {
  const prefix = mappingFile === undefined ? 'mapping ' : `${mappingFile}: `;
  return {
    error: (at, reason) => new ConfigError(`${prefix}${at}: ${reason}`),
    warning: (at, reason) => `${prefix}${at}: ${reason}`,
  };
}

/** The mapping's warnings as printed, one line each, before any record is read (preview, a dry run, an import, a plan's steps). */
export function warningLines(warnings: readonly string[]): string {
  return warnings.map((warning) => `warning: ${warning}\n`).join('');
}
