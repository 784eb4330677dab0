/**
 * A mapping's `each.columns` pattern, matched in linear time (RE2's engine, in JavaScript: re2js): no pattern can
 * backtrack catastrophically, so `^(?<title>([a-z]+_?)+)_score$` against a long header name answers at once instead
 * of holding the CPU for minutes. What RE2 cannot match in linear time (lookarounds, backreferences) is refused
 * when the mapping is compiled, with the reason.
 */
import { RE2JS } from 're2js';

/** How many names' matches a pattern remembers. */
const REMEMBERED_NAMES = 10_000;

export interface ColumnPattern {
  /** The named groups of the first match in `name`, or undefined when it does not match. */
  exec(name: string): { groups: Record<string, string | undefined> } | undefined;
  test(name: string): boolean;
}

/** Throws an Error saying what in `pattern` cannot be matched (for the mapping's error message). */
export function compileColumnPattern(pattern: string): ColumnPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(`${(error as Error).message} (patterns are matched in linear time, by RE2's rules: no lookarounds or backreferences)`);
  }
  const names = Object.keys(compiled.namedGroups());
  // JSON records name their keys anew each record, mostly the same ones: each name is matched once (re2js is some
  // 40x slower than RegExp per match, BENCHMARKS.md §11), and the memo is emptied when it holds too many.
  const seen = new Map<string, { groups: Record<string, string | undefined> } | undefined>();
  return {
    exec(name) {
      if (seen.has(name)) return seen.get(name);
      if (seen.size >= REMEMBERED_NAMES) seen.clear();
      const matcher = compiled.matcher(name);
      const match = matcher.find() ? { groups: Object.fromEntries(names.map((group) => [group, matcher.group(group) ?? undefined])) } : undefined;
      seen.set(name, match);
      return match;
    },
    test: (name) => compiled.test(name),
  };
}
