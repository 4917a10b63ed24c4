import { describe, expect, it } from 'vitest';
import { AttemptLog, MAX_LOGGED_ATTEMPTS } from './attempt-log.js';

describe('AttemptLog', () => {
  it('a try per model, and per pool key the pool gave up on, each with its status and time', () => {
    const log = new AttemptLog();
    // Model 1: key A refused (the pool closes its try), key B fails too, the loop closes it.
    log.begin('openai/a', 'openai', 1000);
    log.key('pky_A', 1001);
    log.end(429, 'rate_limit_exceeded', 1010);
    log.key('pky_B', 1011);
    log.end(500, 'upstream_error', 1030);
    // The candidate loop's close after the pool already closed: nothing more.
    log.end(502, 'upstream_error', 1031);
    // Model 2: refused before any call (no key), then model 3 serves.
    log.begin('backup/b', 'backup', 1040);
    log.end(402, 'spend_cap_exceeded', 1041);
    log.begin('backup/c', 'backup', 1050);
    log.key('pky_C', 1050);
    log.end(200, null, 1100.4);
    expect(log.entries).toEqual([
      { model: 'openai/a', provider: 'openai', poolKeyId: 'pky_A', status: 429, errorCode: 'rate_limit_exceeded', latencyMs: 10 },
      { model: 'openai/a', provider: 'openai', poolKeyId: 'pky_B', status: 500, errorCode: 'upstream_error', latencyMs: 19 },
      { model: 'backup/b', provider: 'backup', poolKeyId: null, status: 402, errorCode: 'spend_cap_exceeded', latencyMs: 1 },
      { model: 'backup/c', provider: 'backup', poolKeyId: 'pky_C', status: 200, errorCode: null, latencyMs: 50 },
    ]);
  });

  it(`keeps the first ${MAX_LOGGED_ATTEMPTS - 1} tries and the latest`, () => {
    const log = new AttemptLog();
    log.begin('m', 'p', 0);
    for (let i = 0; i < 100; i++) {
      log.key(`pky_${i}`, i);
      log.end(429, null, i + 1);
    }
    expect(log.entries).toHaveLength(MAX_LOGGED_ATTEMPTS);
    expect(log.entries[MAX_LOGGED_ATTEMPTS - 2]?.poolKeyId).toBe(`pky_${MAX_LOGGED_ATTEMPTS - 2}`);
    expect(log.entries[MAX_LOGGED_ATTEMPTS - 1]?.poolKeyId).toBe('pky_99');
  });
});
