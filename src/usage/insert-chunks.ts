/**
 * Rows per INSERT: at most 64 (under the parameter limits of both databases), and always a power
 * of two, so every batch is written with the same seven statements (seven more, with RETURNING, for
 * retries). SQLite keeps its prepared statements (see store/database.ts), and a statement per row
 * count from 1 to 100 held ~10 MB.
 */
const MAX_INSERT_ROWS = 64;

/** The row counts of the INSERTs for `total` rows: 64s, then the remainder's binary digits. */
export function insertChunks(total: number): number[] {
  const chunks: number[] = [];
  let left = total;
  for (let size = MAX_INSERT_ROWS; size >= 1; size >>= 1) {
    while (left >= size) {
      chunks.push(size);
      left -= size;
    }
  }
  return chunks;
}
