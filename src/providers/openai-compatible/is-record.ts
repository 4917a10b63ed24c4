/** Narrows parsed JSON to a plain object, the first check of every lenient upstream parse. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
