/**
 * A workbook's ZIP as named parts, found through its central directory (yauzl), so the order of the entries in the
 * file never matters. A part is refused before it is inflated when its declared size is over the bound its reader
 * gives; yauzl checks each inflated stream against that declared size, so no part can inflate past it.
 */
import { open as openZip, type Entry, type ZipFile } from 'yauzl';
import { InputError } from '../errors.js';
import { MAX_ZIP_ENTRIES, mib } from './workbookLimits.js';

export class ZipParts {
  private constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
    private readonly name: string,
  ) {}

  /** Reads the central directory of the ZIP at `path`; `name` is how messages refer to the file. */
  static async open(path: string, name: string): Promise<ZipParts> {
    const zip = await new Promise<ZipFile>((resolve, reject) =>
      openZip(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (error, file) =>
        error ? reject(error) : resolve(file),
      ),
    );
    if (zip.entryCount > MAX_ZIP_ENTRIES) {
      zip.close();
      throw new InputError(`${name}: the workbook has ${zip.entryCount} parts, more than the ${MAX_ZIP_ENTRIES} a workbook this tool reads may have`);
    }
    const entries = new Map<string, Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        // Part names are case-insensitive in OPC; some writers' relationships differ in case from the entries.
        entries.set(entry.fileName.toLowerCase(), entry);
        zip.readEntry();
      });
      zip.once('end', resolve);
      zip.once('error', reject);
      zip.readEntry();
    }).catch((error: unknown) => {
      zip.close();
      throw error;
    });
    return new ZipParts(zip, entries, name);
  }

  has(part: string): boolean {
    return this.entries.has(part.toLowerCase());
  }

  /** The part's inflated bytes as chunks; InputError when it is missing or declares more than `limit` bytes. */
  async *chunks(part: string, limit: number, what: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(part.toLowerCase());
    if (entry === undefined) throw new InputError(`${this.name}: the workbook lacks its part ${part}`);
    if (entry.uncompressedSize > limit) {
      throw new InputError(
        `${this.name}: ${what} (${part}) inflates to ${mib(entry.uncompressedSize)}, more than the ${mib(limit)} this tool reads; ` +
          'the workbook is too large or damaged: save the sheet as CSV UTF-8 and import that',
      );
    }
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      this.zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable))),
    );
    yield* stream as AsyncIterable<Buffer>;
  }

  close(): void {
    this.zip.close();
  }
}
