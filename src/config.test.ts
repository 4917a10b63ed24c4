import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig: hosting for others', () => {
  it('defaults: only admins may use private upstreams; 32 MiB answers, 128 MiB embeddings answers', () => {
    const config = loadConfig({});
    expect(config.privateUpstreams).toBe('admins');
    expect(config.upstream.maxBodyBytes).toBe(32 * 1024 * 1024);
    expect(config.upstream.maxEmbeddingsBodyBytes).toBe(128 * 1024 * 1024);
  });

  it('reads ZAI_PRIVATE_UPSTREAMS and the two bounds', () => {
    const config = loadConfig({
      ZAI_PRIVATE_UPSTREAMS: ' none ',
      ZAI_MAX_UPSTREAM_BODY_BYTES: '1048576',
      ZAI_MAX_EMBEDDINGS_BODY_BYTES: '268435456',
    });
    expect(config.privateUpstreams).toBe('none');
    expect(config.upstream.maxBodyBytes).toBe(1048576);
    expect(config.upstream.maxEmbeddingsBodyBytes).toBe(268435456);
    expect(loadConfig({ ZAI_PRIVATE_UPSTREAMS: 'all' }).privateUpstreams).toBe('all');
  });

  it('refuses other values, naming the variable and the expected form', () => {
    expect(() => loadConfig({ ZAI_PRIVATE_UPSTREAMS: 'everyone' })).toThrow(
      new ConfigError('ZAI_PRIVATE_UPSTREAMS must be one of: admins, all, none.'),
    );
    expect(() => loadConfig({ ZAI_MAX_UPSTREAM_BODY_BYTES: '32MiB' })).toThrow(/ZAI_MAX_UPSTREAM_BODY_BYTES must be an integer/);
    expect(() => loadConfig({ ZAI_MAX_EMBEDDINGS_BODY_BYTES: '100' })).toThrow(
      /ZAI_MAX_EMBEDDINGS_BODY_BYTES must be an integer/,
    );
    expect(() => loadConfig({ ZAI_MAX_EMBEDDINGS_BODY_BYTES: String(600 * 1024 * 1024) })).toThrow(ConfigError);
  });
});
