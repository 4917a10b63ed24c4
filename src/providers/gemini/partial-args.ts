/**
 * A function call streamed in pieces (Vertex AI's `streamFunctionCallArguments`): the first part
 * names the function with `willContinue: true`, the next ones carry `partialArgs` — a value per
 * JSON path, strings possibly cut in several fragments (`willContinue` on the fragment) — and the
 * last one has no `willContinue`. The assembler rebuilds the arguments object from them.
 *
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/function-calling#streaming-arguments
 */
import { GatewayError } from '../../errors.js';
import type { GeminiPartialArg } from './wire.js';

type Container = Record<string, unknown> | unknown[];

function unreadable(detail: string): GatewayError {
  return new GatewayError({
    status: 502,
    code: 'upstream_error',
    message: `Gemini streamed function-call arguments the gateway could not read: ${detail}`,
    failure: 'protocol',
    retryable: true,
  });
}

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']. */
export function parseJsonPath(path: string): Array<string | number> {
  if (!path.startsWith('$')) throw unreadable(`the path ${JSON.stringify(path)} does not start with $`);
  const steps: Array<string | number> = [];
  const step = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  step.lastIndex = 1;
  while (step.lastIndex < path.length) {
    const at = step.lastIndex;
    const match = step.exec(path);
    if (match === null || match.index !== at) throw unreadable(`the path ${JSON.stringify(path)} is not a plain JSON path`);
    const [, name, index, single, double] = match;
    if (index !== undefined) steps.push(Number(index));
    else steps.push((name ?? single ?? double ?? '').replace(/\\(.)/g, '$1'));
  }
  return steps;
}

/** Rebuilds one call's arguments from its partial values, in order. */
export class PartialArgs {
  /** Prototype-free, so no key an upstream sends (`__proto__`) can reach Object.prototype. */
  readonly args: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  /** Paths whose last string fragment said more follows. */
  private readonly continuing = new Set<string>();

  constructor(initial: Record<string, unknown> | null | undefined) {
    if (initial) for (const [key, value] of Object.entries(initial)) this.args[key] = value;
  }

  add(partial: GeminiPartialArg): void {
    const steps = parseJsonPath(partial.jsonPath);
    const last = steps.at(-1);
    if (last === undefined) throw unreadable('a partial argument has the root as its path');
    const parent = this.containerAt(steps.slice(0, -1), typeof last === 'number');
    let value: unknown;
    if (typeof partial.stringValue === 'string') {
      const previous = read(parent, last);
      value =
        this.continuing.has(partial.jsonPath) && typeof previous === 'string'
          ? previous + partial.stringValue
          : partial.stringValue;
      if (partial.willContinue === true) this.continuing.add(partial.jsonPath);
      else this.continuing.delete(partial.jsonPath);
    } else if (typeof partial.numberValue === 'number') value = partial.numberValue;
    else if (typeof partial.boolValue === 'boolean') value = partial.boolValue;
    else if (partial.nullValue !== undefined) value = null;
    else return;
    write(parent, last, value);
  }

  /** The container at `steps`, created (object or array, as the next step needs) where missing. */
  private containerAt(steps: ReadonlyArray<string | number>, wantArray: boolean): Container {
    let node: Container = this.args;
    steps.forEach((step, i) => {
      const nextIsIndex = i + 1 < steps.length ? typeof steps[i + 1] === 'number' : wantArray;
      let child = read(node, step);
      if (typeof child !== 'object' || child === null) {
        child = nextIsIndex ? [] : (Object.create(null) as Record<string, unknown>);
        write(node, step, child);
      }
      node = child as Container;
    });
    return node;
  }
}

function read(container: Container, step: string | number): unknown {
  if (Array.isArray(container)) return typeof step === 'number' ? container[step] : undefined;
  return typeof step === 'string' && Object.hasOwn(container, step) ? container[step] : undefined;
}

/** Arrays take indexes (up to a sane length), objects take names; anything else is malformed. */
function write(container: Container, step: string | number, value: unknown): void {
  if (Array.isArray(container)) {
    if (typeof step !== 'number' || step > container.length + 1000) throw unreadable('an array index is out of place');
    container[step] = value;
  } else {
    if (typeof step !== 'string') throw unreadable('an array index is used on an object');
    container[step] = value;
  }
}
