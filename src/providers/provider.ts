/**
 * The contract between the gateway and a provider adapter.
 *
 * Adapters are pure translators: they build the upstream HTTP call (URL, headers, JSON body) from
 * an OpenAI-shaped request and map what comes back to OpenAI's shapes. They never perform I/O:
 * the gateway sends the call (keep-alive pools, timeouts, aborts), parses SSE with the one shared
 * parser (`sse-parser.ts`) and hands each event to the adapter's stream transform. That keeps every
 * adapter testable with fixtures and keeps network policy in one place.
 */
import type { GatewayError } from '../errors.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  TokenUsage,
} from '../openai/types.js';

/** Every provider id (docs/api.md): the hosted providers, and `custom` for self-hosted OpenAI-compatible servers. */
export const PROVIDER_IDS = ['openai', 'anthropic', 'gemini', 'groq', 'mistral', 'together', 'fireworks', 'custom'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** The hosted providers: those a price catalog can cover (`custom` servers are priced by their owners). */
export type HostedProviderId = Exclude<ProviderId, 'custom'>;
export const HOSTED_PROVIDER_IDS: readonly HostedProviderId[] = PROVIDER_IDS.filter(
  (id): id is HostedProviderId => id !== 'custom',
);

/** The providers served by the OpenAI-compatible adapter: all but those with an adapter of their own. */
export type OpenAICompatibleProviderId = Exclude<ProviderId, 'anthropic' | 'gemini'>;
export const OPENAI_COMPATIBLE_PROVIDER_IDS: readonly OpenAICompatibleProviderId[] = PROVIDER_IDS.filter(
  (id): id is OpenAICompatibleProviderId => id !== 'anthropic' && id !== 'gemini',
);

/** One HTTP request to an upstream, ready to send. */
export interface UpstreamCall {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** JSON text for POST. */
  body?: string;
}

/** Where and how to reach one configured provider. `apiKey` is plaintext, in memory for this call only. */
export interface ProviderCredentials {
  baseUrl: string;
  apiKey: string;
}

/** One parsed server-sent event (see `sse-parser.ts`). */
export interface SseEvent {
  /** The `event:` field, if any (Anthropic names its events; OpenAI and Gemini do not). */
  event: string | undefined;
  /** The `data:` lines joined with `\n`. */
  data: string;
  id: string | undefined;
}

export interface ChatCallInput {
  /** The validated client request (its `model` is the public `provider/model` string). */
  request: ChatCompletionRequest;
  /** The model id the upstream knows, i.e. the part after `provider/`. */
  upstreamModel: string;
  /** The public model string every response must carry in `model`. */
  publicModel: string;
  /** Whether the client asked for a stream. */
  stream: boolean;
  /** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** The model's maximum output tokens from the catalog, if known (Anthropic's default `max_tokens`). */
  maxOutputTokens: number | undefined;
  /**
   * The client's JSON text of `request`, when it is exactly that (no ingress translated it, no cap
   * changed it): an adapter may edit it instead of serialising `request` again.
   */
  requestText?: string;
}

/** Per-request translation state: the upstream call plus how to read what it answers. */
export interface ChatTranslation {
  call: UpstreamCall;
  /** Parameters that were dropped because the provider cannot honour them (`x-zai-warnings`). */
  warnings: string[];
  /** Maps a non-streaming upstream JSON body (2xx) to OpenAI's shape, `model` = publicModel. */
  parseResponse(json: unknown): ChatCompletion;
  /**
   * Optional: the client's answer as JSON text made from the upstream's own text by a string edit,
   * when the parsed body (`json`, not yet given to parseResponse) needs no other change; undefined
   * otherwise. It must mean exactly what `JSON.stringify(parseResponse(json))` means.
   */
  encodeResponse?(upstreamText: string, json: unknown): string | undefined;
  /**
   * A fresh transform for a streaming answer (2xx). `encoded`: the client's API writes OpenAI's
   * chunks, so a transform may hand them on as EncodedChunk text (no parse / stringify round trip);
   * false when another API's encoder reads chunk objects.
   */
  createStream(encoded: boolean): StreamTransform;
}

/**
 * One OpenAI chunk already encoded as JSON text (one line, no CR/LF), relayed to the client as is:
 * the fast path for upstream chunks that only need a string-level edit. A class, so the relay tells
 * it from a chunk object by `instanceof` (a chunk's own fields can be anything an upstream sent).
 */
export class EncodedChunk {
  constructor(
    readonly json: string,
    /**
     * UTF-8 bytes of generated text in it (`delta.content`, tool-call `arguments`), counted on the
     * raw JSON text, so possibly a little more than the decoded text (escapes): it only feeds the
     * conservative cost estimate of a stream that never reports usage.
     */
    readonly textBytes: number,
  ) {}
}

/** What a stream transform's `push()` returns: chunk objects and pre-encoded chunks, in order. */
export type StreamOutput = ChatCompletionChunk | EncodedChunk;

/**
 * Turns upstream SSE events into OpenAI chunks as they arrive. Every chunk it returns carries
 * `model` = publicModel. If `includeUsage` was asked for, it emits one final `choices: []` chunk with
 * usage before the stream ends; otherwise no chunk carries usage.
 */
export interface StreamTransform {
  /**
   * One upstream event in, zero or more OpenAI chunks out, in order: chunk objects, or chunks the
   * transform already encoded (an EncodedChunk, whose JSON text goes to the client unchanged: no
   * parse / stringify round trip). Throws GatewayError on an upstream error event.
   */
  push(event: SseEvent): StreamOutput[];
  /**
   * The upstream closed the connection. Returns any final chunks. Throws GatewayError
   * (failure 'reset') if the stream ended before it was complete, so the client never sees a
   * fake clean finish.
   */
  end(): ChatCompletionChunk[];
  /** Whether the upstream signalled the end of the stream (`[DONE]`, `message_stop`, a final finish reason). */
  readonly finished: boolean;
  /**
   * Nothing more can come out of this transform: later push() calls return no chunks and change
   * no usage, end() returns nothing, and usage() is final. The relay may then end the client's
   * answer at once (and drain the rest of the upstream body in the background). True after
   * `[DONE]` (OpenAI-compatible) or `message_stop` (Anthropic); always false for Gemini, whose
   * usage may still follow the final finish reason and whose last chunks come from end().
   */
  readonly complete: boolean;
  /** The token usage reported so far (final once the stream ended), or undefined if none was reported. */
  usage(): TokenUsage | undefined;
}

export interface EmbeddingsCallInput {
  request: EmbeddingsRequest;
  upstreamModel: string;
  publicModel: string;
}

export interface EmbeddingsTranslation {
  call: UpstreamCall;
  /** Maps the upstream body to OpenAI's shape, honouring the client's `encoding_format` (float or base64). */
  parseResponse(json: unknown): EmbeddingsResponse;
}

export interface ModelListTranslation {
  call: UpstreamCall;
  /** The upstream model ids (without any provider prefix). */
  parseResponse(json: unknown): string[];
}

/** An upstream answer with a non-2xx status. */
export interface UpstreamErrorResponse {
  status: number;
  /** The raw body text (already scrubbed of the provider key by the gateway). */
  body: string;
  headers: Record<string, string | undefined>;
}

/**
 * A request already in the provider's own API, forwarded unchanged by a native passthrough (an
 * ingress whose API this provider speaks; see gateway/native-attempt.ts).
 */
export interface NativeCallInput {
  /** The API path (`/v1/messages`), joined to the configured base URL the way the adapter joins its own. */
  path: string;
  /** The JSON text to send, as is. */
  body: string;
  /** Client headers the ingress forwards (e.g. `anthropic-beta`); the adapter's own headers win. */
  headers: Record<string, string>;
  stream: boolean;
}

/** A provider adapter. One per wire protocol; OpenAI-compatible hosts share one implementation. */
export interface ProviderAdapter {
  chat(input: ChatCallInput, credentials: ProviderCredentials): ChatTranslation;
  /** Undefined when the provider has no embeddings endpoint (Anthropic). */
  embeddings: ((input: EmbeddingsCallInput, credentials: ProviderCredentials) => EmbeddingsTranslation) | undefined;
  /** The authenticated model-list call used by `POST /api/providers/:id/test` and custom `/v1/models`. */
  listModels(credentials: ProviderCredentials): ModelListTranslation;
  /**
   * Maps an upstream error answer to a GatewayError with OpenAI's shape and a status of the same
   * meaning; `retryable` is true for outages, timeouts and rate limits (408, 429, 5xx, 529).
   */
  mapError(response: UpstreamErrorResponse): GatewayError;
  /**
   * The upstream call (URL, authentication) for a request already in this provider's own API;
   * absent when no ingress passes requests through to this provider natively.
   */
  nativeCall?(input: NativeCallInput, credentials: ProviderCredentials): UpstreamCall;
}
