/**
 * How many terminal columns text takes, and text cut to fit a number of columns. East Asian wide and fullwidth
 * characters (CJK, Hangul, fullwidth forms) and emoji take two columns; combining marks and zero-width characters
 * none. Measures plain text: colour is added after fitting.
 */

const wide = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const zeroWidth = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff]/u;

function charWidth(char: string): number {
  if (zeroWidth.test(char)) return 0;
  return wide.test(char) ? 2 : 1;
}

export function displayWidth(text: string): number {
  let columns = 0;
  for (const char of text) columns += charWidth(char);
  return columns;
}

/** `text` if it fits in `columns`, else as much of it as fits with an ellipsis as its last column. */
export function fitWidth(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  if (columns <= 0) return '';
  let fitted = '';
  let used = 0;
  for (const char of text) {
    const next = charWidth(char);
    if (used + next > columns - 1) break;
    fitted += char;
    used += next;
  }
  return `${fitted}…`;
}
