/**
 * Builds the upstream `POST {baseUrl}/chat/completions` for an OpenAI-compatible host: the client's
 * request with the upstream model id, streaming options the gateway relies on, and the provider's
 * quirks applied.
 */
import { stringifyOr } from '../safe-json.js';
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { ChatCallInput, ProviderCredentials, UpstreamCall } from '../provider.js';
import { isRecord } from '../../lib/is-record.js';
import type { ToolIdMap } from './mistral-tool-ids.js';
import type { OpenAICompatibleProviderId } from '../provider.js';
import { applyQuirks } from './quirks.js';
import { editedOr, type MemberEdits } from '../request-text.js';

/** The upstream call plus what reading its answer needs. */
export interface ChatCall {
  call: UpstreamCall;
  warnings: string[];
  toolIds: ToolIdMap | undefined;
}

/**
 * `baseUrl` is the SDK-style base that already ends in the API version (`https://api.openai.com/v1`,
 * `http://localhost:11434/v1`), so paths are appended, never resolved (`new URL` would drop `/v1`).
 */
export function upstreamUrl(baseUrl: string, path: string): string {
  let end = baseUrl.length;
  while (end > 0 && baseUrl.charCodeAt(end - 1) === 47 /* '/' */) end -= 1;
  return `${baseUrl.slice(0, end)}${path}`;
}

/** Bearer auth, omitted for keyless servers (Ollama, vLLM without `--api-key`). */
export function upstreamHeaders(apiKey: string, accept: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept };
  if (hasBody) headers['content-type'] = 'application/json';
  if (apiKey !== '') headers.authorization = `Bearer ${apiKey}`;
  return headers;
}

/**
 * @throws GatewayError (400) when the provider cannot honour a parameter (see `quirks.ts`).
 */
export function buildChatCall(
  providerId: OpenAICompatibleProviderId,
  input: ChatCallInput,
  credentials: ProviderCredentials,
): ChatCall {
  // A shallow copy: quirks replace nested values instead of editing them, so the client's request
  // stays intact for a fallback to another provider. Object.assign rather than a spread: see
  // docs/performance.md, "No properties after a spread".
  const body: ChatCompletionRequest = Object.assign({}, input.request);
  body.model = input.upstreamModel;
  if (input.stream) {
    body.stream = true;
    // Always ask for usage, whatever the client asked: billing and spend caps need the tokens.
    // Whether the client sees the usage chunk is decided by the stream transform.
    const options: Record<string, unknown> = Object.assign(
      {},
      isRecord(input.request.stream_options) ? input.request.stream_options : undefined,
    );
    options.include_usage = true;
    body.stream_options = options;
  } else {
    // stream_options is only valid with stream: true; strict hosts reject it otherwise. Set to
    // undefined (JSON.stringify leaves them out) rather than deleted, which would turn the object
    // into a slow dictionary for the serialisation that follows.
    body.stream = undefined;
    body.stream_options = undefined;
  }

  const { warnings, toolIds } = applyQuirks(providerId, body);
  // The client's text reads as `body` once the members set here are edited in, unless a quirk changed another.
  const text = changedByQuirks(input.request, body) ? undefined : input.requestText;
  return {
    call: {
      method: 'POST',
      url: upstreamUrl(credentials.baseUrl, '/chat/completions'),
      headers: upstreamHeaders(credentials.apiKey, input.stream ? 'text/event-stream' : 'application/json', true),
      body: editedOr(text, setHere(body), () =>
        stringifyOr(body, () => invalidRequest('The request is nested too deeply to forward.')),
      ),
    },
    warnings,
    toolIds,
  };
}

/** The members buildChatCall sets itself; the quirks may change any other. */
const SET_HERE: ReadonlySet<string> = new Set(['model', 'stream', 'stream_options']);

/** Whether the quirks changed a top-level member (they replace values, never edit them in place). */
function changedByQuirks(request: ChatCompletionRequest, body: ChatCompletionRequest): boolean {
  const before = request as Record<string, unknown>;
  const after = body as Record<string, unknown>;
  for (const key in after) if (!SET_HERE.has(key) && after[key] !== before[key]) return true;
  for (const key in before) if (!SET_HERE.has(key) && !(key in after)) return true;
  return false;
}

/** The members set here, as edits of the client's text: their JSON, or undefined where `body` leaves one out. */
function setHere(body: ChatCompletionRequest): MemberEdits {
  const edits: Record<string, string | undefined> = {};
  for (const key of SET_HERE) {
    const value = (body as Record<string, unknown>)[key];
    edits[key] = value === undefined ? undefined : JSON.stringify(value);
  }
  return edits;
}
