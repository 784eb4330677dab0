/** A word for a command line the tool prints for the user to paste: left bare when a shell reads it as it is, else quoted. */
export function shellWord(word: string): string {
  return /^[\w./@:+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
