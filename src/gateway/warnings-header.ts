/**
 * The `x-zai-warnings` header: the names of request parameters that were dropped. Names can come
 * from the client (an unknown field, a tool type), so each is cut to printable ASCII without
 * commas or spaces, at most 100 characters: a header value cannot carry other characters (Node
 * would refuse the whole answer), and the list stays one comma-separated line.
 */
const UNSAFE = /[^\x21-\x2b\x2d-\x7e]/g;

export function warningsHeader(names: readonly string[]): string {
  const out = new Set<string>();
  for (const name of names) {
    const safe = name.replace(UNSAFE, '_').slice(0, 100);
    if (safe !== '') out.add(safe);
  }
  return [...out].join(', ');
}
