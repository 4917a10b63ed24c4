/**
 * Responses tools → Chat Completions tools. `function` tools map one to one; a `namespace` tool is
 * flattened into its functions, each under a name that says which namespace it came from, and the
 * map back lets answers name the function and namespace the client declared. Built-in tools
 * (`web_search`, `file_search`, `custom`, …) run at OpenAI, not at the translated upstream: they
 * are dropped and named in the warnings, and only a `tool_choice` that forces one is refused.
 */
import { createHash } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import type { FunctionTool, ToolChoice } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';
import type { DeclaredFunction, FunctionNames } from './types.js';

export interface ToolsTranslation {
  tools: FunctionTool[] | undefined;
  toolChoice: ToolChoice | undefined;
  names: FunctionNames;
  warnings: string[];
}

/** Function names upstream: OpenAI's rule, which the other providers accept too. */
const MAX_NAME = 64;
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Between a namespace and its function in a flattened name (`multi_agent_v1__spawn_agent`). */
const SEPARATOR = '__';

/**
 * The upstream name of a namespaced function: `namespace__name`, or, when that is too long or
 * already taken, a prefix of it with a short hash of both parts (deterministic, so a conversation
 * that is re-sent every turn keeps the same names).
 */
function flatName(namespace: string, name: string, taken: ReadonlySet<string>): string {
  const plain = `${namespace}${SEPARATOR}${name}`;
  if (plain.length <= MAX_NAME && NAME.test(plain) && !taken.has(plain)) return plain;
  const hash = createHash('sha256').update(`${namespace}\0${name}`).digest('hex').slice(0, 10);
  const prefix = plain.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX_NAME - hash.length - 1);
  return `${prefix}_${hash}`;
}

function functionTool(fields: Record<string, unknown>, name: string, param: string): FunctionTool {
  const fn: FunctionTool['function'] = { name };
  if (fields.description !== undefined && fields.description !== null) {
    if (typeof fields.description !== 'string') throw invalidRequest(`${param}.description must be a string.`, param);
    fn.description = fields.description;
  }
  if (fields.parameters !== undefined && fields.parameters !== null) {
    if (!isRecord(fields.parameters)) throw invalidRequest(`${param}.parameters must be a JSON schema object.`, param);
    fn.parameters = fields.parameters;
  }
  if (typeof fields.strict === 'boolean') fn.strict = fields.strict;
  return { type: 'function', function: fn };
}

function functionName(fields: Record<string, unknown>, param: string): string {
  const name = fields.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalidRequest(`${param}.name must be 1 to 64 letters, digits, underscores or dashes.`, `${param}.name`);
  }
  return name;
}

/** Translates `tools` and `tool_choice`. Throws 400 for malformed tools or a choice that cannot be honoured. */
export function translateTools(tools: unknown, toolChoice: unknown): ToolsTranslation {
  const warnings: string[] = [];
  const out: FunctionTool[] = [];
  const names = new Map<string, DeclaredFunction>();
  /** Built-in tool types that were dropped, for tool_choice. */
  const dropped = new Set<string>();
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) throw invalidRequest('tools must be an array.', 'tools');
    // Plain functions first, so their names win over a flattened namespace name.
    const namespaces: Array<{ fields: Record<string, unknown>; param: string }> = [];
    tools.forEach((tool: unknown, i) => {
      const param = `tools[${i}]`;
      if (!isRecord(tool) || typeof tool.type !== 'string')
        throw invalidRequest(`${param} must be an object with a type.`, param);
      if (tool.type === 'function') {
        const name = functionName(tool, param);
        if (names.has(name)) throw invalidRequest(`${param}: the function name ${name} is declared twice.`, param);
        names.set(name, { name, namespace: undefined });
        out.push(functionTool(tool, name, param));
      } else if (tool.type === 'namespace') {
        namespaces.push({ fields: tool, param });
      } else {
        dropped.add(tool.type);
        warn(warnings, `tools.${tool.type}`);
      }
    });
    const taken = new Set(names.keys());
    for (const { fields, param } of namespaces) {
      const namespace = functionName(fields, param);
      if (!Array.isArray(fields.tools)) throw invalidRequest(`${param}.tools must be an array.`, `${param}.tools`);
      fields.tools.forEach((inner: unknown, j) => {
        const innerParam = `${param}.tools[${j}]`;
        if (!isRecord(inner) || typeof inner.type !== 'string') {
          throw invalidRequest(`${innerParam} must be an object with a type.`, innerParam);
        }
        if (inner.type !== 'function') {
          warn(warnings, `tools.namespace.${inner.type}`);
          return;
        }
        const name = functionName(inner, innerParam);
        const flat = flatName(namespace, name, taken);
        if (taken.has(flat)) throw invalidRequest(`${innerParam}: ${namespace}.${name} is declared twice.`, innerParam);
        taken.add(flat);
        names.set(flat, { name, namespace });
        out.push(functionTool(inner, flat, innerParam));
      });
    }
  }
  // Before `tools` is read: an allowed_tools choice cuts the list down.
  const choice = translateToolChoice(toolChoice, names, dropped, out);
  return { tools: out.length > 0 ? out : undefined, toolChoice: choice, names, warnings };
}

function warn(warnings: string[], name: string): void {
  if (!warnings.includes(name)) warnings.push(name);
}

/** The upstream name of a function the client names (with its namespace, if it gave one). */
function upstreamName(names: FunctionNames, name: unknown, namespace: unknown, param: string): string {
  if (typeof name !== 'string') throw invalidRequest(`${param}.name must be a string.`, `${param}.name`);
  const matches: string[] = [];
  for (const [flat, declared] of names) {
    if (declared.name === name && (namespace === undefined || declared.namespace === namespace)) matches.push(flat);
  }
  // A plain function wins over namespaced ones of the same name.
  const plain = matches.find((flat) => names.get(flat)?.namespace === undefined);
  const chosen = plain ?? (matches.length === 1 ? matches[0] : undefined);
  if (chosen === undefined) {
    throw invalidRequest(
      matches.length > 1
        ? `${param} names ${name}, which several namespaces declare; add its namespace.`
        : `${param} names the function ${name}, which is not among the tools.`,
      param,
    );
  }
  return chosen;
}

function forcedBuiltIn(type: string): never {
  throw invalidRequest(
    `tool_choice forces the built-in tool ${type}, which only OpenAI runs; this model cannot. Use an openai/* model or another tool_choice.`,
    'tool_choice',
  );
}

function translateToolChoice(
  choice: unknown,
  names: FunctionNames,
  dropped: ReadonlySet<string>,
  tools: FunctionTool[],
): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none' || choice === 'auto' || choice === 'required') {
    // Nothing left to call: `required` cannot be met when every tool was a dropped built-in.
    if (choice === 'required' && tools.length === 0 && dropped.size > 0) forcedBuiltIn([...dropped].join(', '));
    return tools.length === 0 ? undefined : choice;
  }
  if (!isRecord(choice) || typeof choice.type !== 'string') {
    throw invalidRequest('tool_choice must be "none", "auto", "required" or an object with a type.', 'tool_choice');
  }
  if (choice.type === 'function') {
    return { type: 'function', function: { name: upstreamName(names, choice.name, choice.namespace, 'tool_choice') } };
  }
  if (choice.type === 'allowed_tools') return allowedTools(choice, names, tools);
  return forcedBuiltIn(choice.type);
}

/**
 * `allowed_tools` restricts the callable tools without changing the declared list at OpenAI. Chat
 * hosts know no such choice, so the tools sent upstream are cut down to the allowed ones and the
 * mode becomes the choice. Dropped built-ins in the list are ignored unless nothing else is left
 * and the mode requires a call.
 */
function allowedTools(choice: Record<string, unknown>, names: FunctionNames, tools: FunctionTool[]): ToolChoice | undefined {
  const mode = choice.mode;
  if (mode !== 'auto' && mode !== 'required')
    throw invalidRequest('tool_choice.mode must be "auto" or "required".', 'tool_choice.mode');
  if (!Array.isArray(choice.tools)) throw invalidRequest('tool_choice.tools must be an array.', 'tool_choice.tools');
  const allowed = new Set<string>();
  const builtIns: string[] = [];
  choice.tools.forEach((entry: unknown, i) => {
    const param = `tool_choice.tools[${i}]`;
    if (!isRecord(entry) || typeof entry.type !== 'string')
      throw invalidRequest(`${param} must be an object with a type.`, param);
    if (entry.type === 'function') allowed.add(upstreamName(names, entry.name, entry.namespace, param));
    else if (entry.type === 'namespace' && typeof entry.name === 'string') {
      for (const [flat, declared] of names) if (declared.namespace === entry.name) allowed.add(flat);
    } else builtIns.push(entry.type);
  });
  const kept = tools.filter((tool) => allowed.has(tool.function.name));
  if (kept.length === 0 && mode === 'required') {
    if (builtIns.length > 0) forcedBuiltIn(builtIns.join(', '));
    throw invalidRequest('tool_choice requires a call, but tool_choice.tools allows no function.', 'tool_choice.tools');
  }
  tools.splice(0, tools.length, ...kept);
  return kept.length === 0 ? undefined : mode;
}
