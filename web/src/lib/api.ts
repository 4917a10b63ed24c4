/**
 * The one place the dashboard talks to the server: same-origin JSON with the session cookie.
 * Errors come back in OpenAI's shape and are raised as ApiError with the server's message; a
 * request that gets no answer at all is an ApiError with status 0 and marks the server unreachable.
 */
import { reportReachable, reportUnreachable } from './connectivity';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when a request answers 401: the session ended (expired, or logged out elsewhere). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function requestInit(method: string, body?: unknown, signal?: AbortSignal): RequestInit {
  const hasBody = body !== undefined;
  return {
    method,
    credentials: 'same-origin',
    headers: hasBody ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
    body: hasBody ? JSON.stringify(body) : null,
    signal: signal ?? null,
  };
}

/** Reads an error answer into an ApiError, whatever it looks like. */
export async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; code?: string; param?: string } };
    if (parsed.error?.message)
      return new ApiError(res.status, parsed.error.message, parsed.error.code ?? null, parsed.error.param ?? null);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, `The server answered ${res.status} ${res.statusText}`.trim());
}

export const UNREACHABLE_MESSAGE = 'Could not reach the Z-AI server. Check that it is running and try again.';

/**
 * fetch() that reports whether Z-AI answered; no answer becomes ApiError(0). So does a 5xx from a
 * reverse proxy in front of a stopped Z-AI (nginx's 502): every answer of Z-AI itself carries
 * x-zai-request-id. Aborts stay aborts.
 */
export async function fetchApi(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    reportUnreachable();
    throw new ApiError(0, UNREACHABLE_MESSAGE);
  }
  if (res.status >= 500 && !res.headers.has('x-zai-request-id')) {
    reportUnreachable();
    throw new ApiError(0, UNREACHABLE_MESSAGE);
  }
  reportReachable();
  return res;
}

/** True for the error of a request that got no answer (the server or the network is down). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof ApiError && err.status === 0;
}

async function call<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const res = await fetchApi(path, requestInit(method, body));
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((l) => l());
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, opts?: { quiet401?: boolean }) => call<T>('GET', path, undefined, opts),
  /** POSTs always carry a JSON body (the server only accepts JSON for state changes). */
  post: <T>(path: string, body: unknown = {}, opts?: { quiet401?: boolean }) => call<T>('POST', path, body, opts),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  delete: (path: string) => call<void>('DELETE', path),
};

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
