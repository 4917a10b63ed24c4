/**
 * Small helpers shared by the fuzz / property tests: cutting byte streams, damaging them, and
 * walking JSON values to mutate them.
 */

/** Cuts `bytes` at the given positions (taken modulo its length + 1, in any order, duplicates allowed). */
export function split(bytes: Uint8Array, rawCuts: readonly number[]): Uint8Array[] {
  const cuts = rawCuts.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  return chunks;
}

export interface ByteDamage {
  /** [operation, position (modulo length + 1), byte] */
  edits: Array<[string, number, number]>;
  /** Cut the result here (modulo length + 1). */
  truncateAt: number | undefined;
  /** Bytes inserted at the cut (or at the end). */
  garbage?: Uint8Array | undefined;
}

/** Applies byte edits (set, insert, delete), an optional truncation and optional inserted garbage. */
export function damageBytes(bytes: Uint8Array, damage: ByteDamage): Uint8Array {
  const out = Array.from(bytes);
  for (const [op, at, byte] of damage.edits) {
    const position = at % (out.length + 1);
    if (op === 'insert') out.splice(position, 0, byte);
    else if (position < out.length) {
      if (op === 'set') out[position] = byte;
      else out.splice(position, 1);
    }
  }
  if (damage.truncateAt !== undefined) out.length = damage.truncateAt % (out.length + 1);
  if (damage.garbage !== undefined) out.splice(damage.truncateAt ?? out.length, 0, ...damage.garbage);
  return Uint8Array.from(out);
}

export type Path = Array<string | number>;

/** Every path to a value inside `value` (array indexes and object keys), depth first. */
export function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      pathsOf(item, [...prefix, i], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      pathsOf(item, [...prefix, key], out);
    }
  }
  return out;
}

/** Stands for "remove the value" where `setAt` is given a replacement. */
export const DELETE = Symbol('delete');

/** Replaces (a copy of `replacement`) or, for DELETE, removes the value at `path` inside `root`. */
export function setAt(root: unknown, path: Path, replacement: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last === undefined) return;
  if (replacement !== DELETE)
    node[last] = structuredClone(replacement); // constantFrom shares instances
  else if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete node[last];
}
