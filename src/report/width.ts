/**
 * Text cut to fit a number of terminal columns, measured by string-width (East Asian wide and fullwidth characters
 * and emoji take two columns, combining marks and zero-width characters none), one grapheme at a time so that a
 * character and its marks are never split. Measures plain text: colour is added after fitting.
 */
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` if it fits in `columns`, else as much of it as fits with an ellipsis as its last column. */
export function fitWidth(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  if (columns <= 0) return '';
  let fitted = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = stringWidth(segment);
    if (used + next > columns - 1) break;
    fitted += segment;
    used += next;
  }
  return `${fitted}…`;
}
