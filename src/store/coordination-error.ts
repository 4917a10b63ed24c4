/** The error of a request that needs Redis while Redis is unreachable (kept apart from the client so that
 * one-process deployments never load ioredis). */
import { GatewayError } from '../errors.js';

/** The 503 every coordination failure becomes: never spend without accounting. */
export function coordinationUnavailable(cause?: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'service_unavailable_error',
    code: 'coordination_unavailable',
    message: 'Z-AI cannot reach Redis, which it needs to account for spend and revocations across replicas. Try again shortly.',
    cause,
  });
}
