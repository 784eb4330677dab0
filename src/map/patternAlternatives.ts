/**
 * The alternatives of a column pattern (`^(沟通能力|学习能刀)$`), each tried alone against the header: one that
 * matches no column is almost always a typo that would silently drop a column's data.
 */
import { compileColumnPattern, type ColumnPattern } from './columnPattern.js';

interface Group {
  /** Where the group's alternatives start and end in the pattern. */
  start: number;
  end: number;
  /** Positions of its own top-level `|`. */
  bars: number[];
  /** A lookaround: its alternatives say what must (not) surround a match, not what matches. */
  lookaround: boolean;
}

/** Each alternative of the pattern (in any group) that, put alone in its place, matches none of the columns. */
export function alternativesMatchingNothing(pattern: string, columns: readonly string[]): string[] {
  const unmatched: string[] = [];
  for (const group of groupsOf(pattern)) {
    if (group.lookaround || group.bars.length === 0) continue;
    const bounds = [group.start - 1, ...group.bars, group.end];
    for (let index = 0; index + 1 < bounds.length; index++) {
      const alternative = pattern.slice(bounds[index]! + 1, bounds[index + 1]);
      const alone = `${pattern.slice(0, group.start)}${alternative}${pattern.slice(group.end)}`;
      let regExp: ColumnPattern;
      try {
        regExp = compileColumnPattern(alone);
      } catch {
        continue; // not a pattern on its own (a backreference to a group it no longer has): cannot tell
      }
      if (!columns.some((column) => regExp.test(column))) unmatched.push(alternative);
    }
  }
  return unmatched;
}

/** The pattern's groups and the whole pattern as one, skipping escapes and character classes. */
function groupsOf(pattern: string): Group[] {
  const whole: Group = { start: 0, end: pattern.length, bars: [], lookaround: false };
  const open: Group[] = [whole];
  const closed: Group[] = [];
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') {
      index++;
    } else if (char === '[') {
      for (index++; index < pattern.length && pattern[index] !== ']'; index++) if (pattern[index] === '\\') index++;
    } else if (char === '(') {
      const prefix = /^\(\?(?::|<[^=!>]+>|<?[=!])?/.exec(pattern.slice(index))?.[0] ?? '(';
      open.push({ start: index + prefix.length, end: -1, bars: [], lookaround: /^\(\?<?[=!]$/.test(prefix) });
      index += prefix.length - 1;
    } else if (char === ')' && open.length > 1) {
      const group = open.pop()!;
      group.end = index;
      closed.push(group);
    } else if (char === '|') {
      open.at(-1)!.bars.push(index);
    }
  }
  return [whole, ...closed];
}
