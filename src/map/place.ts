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
