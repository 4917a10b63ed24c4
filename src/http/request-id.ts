import { randomBase62 } from '../crypto/secrets.js';

/**
 * Request ids: `req_` + 8 random base62 characters chosen once per process (about 47 bits, so
 * replicas and restarts sharing one database do not collide) + a base36 counter. Usage rows use
 * the id as their primary key. Cheaper than fresh randomness per request.
 */
const REQUEST_ID_PREFIX = `req_${randomBase62(6).slice(0, 8)}`;
let requestCounter = 0;

export function nextRequestId(): string {
  requestCounter += 1;
  return REQUEST_ID_PREFIX + requestCounter.toString(36);
}
