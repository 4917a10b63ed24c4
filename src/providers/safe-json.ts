/**
 * JSON.stringify throws a RangeError (not a GatewayError) on values nested thousands of levels
 * deep. Provider code serialises values that came from clients or upstreams, so it goes through
 * this, which turns that failure into the error the caller chooses.
 */
import type { GatewayError } from '../errors.js';

export function stringifyOr(value: unknown, onFailure: () => GatewayError): string {
  try {
    return JSON.stringify(value);
  } catch {
    throw onFailure();
  }
}
