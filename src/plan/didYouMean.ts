/** The nearest of the known words to a misspelt one, for messages: "(did you mean 'mapping'?)". */
import { closest, distance } from 'fastest-levenshtein';

/**
 * ` (did you mean 'x'?)` when one known word is a likely typo of `word` (at most a third of it differs), otherwise
 * ` (known: a, b, c)` so the reader still sees the choices.
 */
export function didYouMean(word: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const nearest = closest(word, known);
  const close = distance(word.toLowerCase(), nearest.toLowerCase()) <= Math.max(1, Math.floor(nearest.length / 3));
  return close ? ` (did you mean '${nearest}'?)` : ` (known: ${known.join(', ')})`;
}
