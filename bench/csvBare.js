/**
 * The baseline for the dry run: a bare streaming csv-parse pass (columns: true) over a file, counting records.
 * Run as a child process, like the CLI, so both pay for a Node start-up. Prints {"records": n, "elapsedMs": ms}.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const started = performance.now();
let records = 0;
for await (const record of createReadStream(process.argv[2]).pipe(parse({ columns: true }))) {
  if (record) records++;
}
console.log(JSON.stringify({ records, elapsedMs: performance.now() - started }));
