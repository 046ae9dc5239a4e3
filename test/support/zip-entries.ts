import { fromBuffer } from 'yauzl';

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** 0: stored, 8: deflated. */
  compressionMethod: number;
  modified: Date;
}

/** Every entry of a ZIP, read with yauzl (which checks each entry's CRC-32 and sizes). */
export function zipEntries(zip: Buffer): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (error, file) => {
      if (error || !file) return reject(error);
      const entries: ZipEntry[] = [];
      file.on('error', reject);
      file.on('end', () => resolve(entries));
      file.on('entry', (entry) => {
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({
              name: entry.fileName,
              data: Buffer.concat(chunks),
              compressionMethod: entry.compressionMethod,
              modified: entry.getLastModDate(),
            });
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}
