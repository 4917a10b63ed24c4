import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { accessFor, PRIVATE_UPSTREAMS, type AccountRole, type UpstreamAccess } from './private-upstreams.js';
import { AddressRefusedError, UpstreamPolicy, type Resolve } from './upstream-policy.js';

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

/** A resolver that knows a few names, and counts its calls. */
function resolver(names: Record<string, LookupAddress[] | (() => LookupAddress[])>): Resolve & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const entry = names[hostname];
    if (entry === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return typeof entry === 'function' ? entry() : entry;
  };
  return Object.assign(resolve, { calls });
}

async function saveError(policy: UpstreamPolicy, url: string, role: AccountRole): Promise<GatewayError | undefined> {
  try {
    await policy.checkBaseUrl(new URL(url), role);
    return undefined;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
}

/** What the socket's lookup hands back: the addresses, or the error. */
function lookup(
  policy: UpstreamPolicy,
  access: UpstreamAccess,
  hostname: string,
  options: { all?: boolean; family?: number } = { all: true },
): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => {
    policy.lookup(access)(hostname, options, (err, address, family) => resolve({ err, address, family }));
  });
}

describe('accessFor', () => {
  it('admins (the default): admins reach private addresses, members only public ones; all: everyone; none: no one', () => {
    expect(PRIVATE_UPSTREAMS).toEqual(['admins', 'all', 'none']);
    expect(accessFor('admins', 'admin')).toBe('private');
    expect(accessFor('admins', 'member')).toBe('public');
    expect(accessFor('all', 'member')).toBe('private');
    expect(accessFor('all', 'admin')).toBe('private');
    expect(accessFor('none', 'admin')).toBe('public');
    expect(accessFor('none', 'member')).toBe('public');
  });
});

describe('UpstreamPolicy.checkBaseUrl (saving a provider)', () => {
  const names = resolver({
    'llm.internal.example': [v4('10.1.2.3')],
    'api.example': [v4('93.184.215.14'), v6('2606:2800:21f:cb07:6820:80da:af6b:8b2c')],
    'mixed.example': [v4('93.184.215.14'), v4('127.0.0.1')],
    'meta.example': [v4('169.254.169.254')],
  });

  it('refuses a member a non-public address with 400 base_url_not_allowed, saying why and which setting allows it', async () => {
    const policy = new UpstreamPolicy('admins', names);
    const err = await saveError(policy, 'http://0x7f000001:8080/v1', 'member');
    expect(err).toMatchObject({ status: 400, code: 'base_url_not_allowed', param: 'base_url' });
    expect(err?.message).toContain('127.0.0.1 is a loopback address');
    expect(err?.message).toContain('ZAI_PRIVATE_UPSTREAMS=admins');
    expect(err?.message).toContain('ZAI_PRIVATE_UPSTREAMS=all');
    expect(await saveError(policy, 'http://0x7f000001:8080/v1', 'admin')).toBeUndefined();
  });

  it('resolves names: one that resolves to a private address, or to several with one private, is refused', async () => {
    const policy = new UpstreamPolicy('admins', names);
    const internal = await saveError(policy, 'https://llm.internal.example/v1', 'member');
    expect(internal?.message).toContain('llm.internal.example resolves to a private address');
    // The resolved address itself is not told to the member.
    expect(internal?.message).not.toContain('10.1.2.3');
    expect((await saveError(policy, 'https://mixed.example/v1', 'member'))?.code).toBe('base_url_not_allowed');
    expect(await saveError(policy, 'https://api.example/v1', 'member')).toBeUndefined();
    expect(await saveError(policy, 'https://llm.internal.example/v1', 'admin')).toBeUndefined();
  });

  it('accepts a name that does not resolve now (connections are checked anyway)', async () => {
    const policy = new UpstreamPolicy('admins', names);
    expect(await saveError(policy, 'https://api.openai.com/v1', 'member')).toBeUndefined();
  });

  it('refuses cloud metadata endpoints to everyone under every setting, by address, by name and by resolution', async () => {
    for (const setting of PRIVATE_UPSTREAMS) {
      const policy = new UpstreamPolicy(setting, names);
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://[::ffff:169.254.169.254]/',
        'http://2852039166/',
        'http://metadata.google.internal/computeMetadata/v1/',
        'http://meta.example/',
      ]) {
        const err = await saveError(policy, url, 'admin');
        expect(err?.code, `${setting} ${url}`).toBe('base_url_not_allowed');
        expect(err?.message).toContain('cloud metadata endpoint');
        expect(err?.message).toContain('under any setting');
      }
    }
  });

  it('under none the admin is refused too, and told which settings would allow it', async () => {
    const err = await saveError(new UpstreamPolicy('none', names), 'http://localhost:11434/v1', 'admin');
    expect(err?.message).toContain('localhost is a loopback address');
    expect(err?.message).toContain('ZAI_PRIVATE_UPSTREAMS=none');
    expect(err?.message).toContain('ZAI_PRIVATE_UPSTREAMS=admins');
  });

  it('under all a member may use a private address', async () => {
    expect(await saveError(new UpstreamPolicy('all', names), 'http://10.0.0.1/v1', 'member')).toBeUndefined();
  });
});

describe('UpstreamPolicy.lookup (the socket resolver at connect time)', () => {
  it('hands the socket exactly the addresses it checked, in the form net.connect asks for', async () => {
    const policy = new UpstreamPolicy('admins', resolver({ 'dual.example': [v6('2606:4700::1111'), v4('1.1.1.1')] }));
    expect(await lookup(policy, 'public', 'dual.example')).toEqual({
      err: null,
      address: [v6('2606:4700::1111'), v4('1.1.1.1')],
      family: undefined,
    });
    expect(await lookup(policy, 'public', 'dual.example', { family: 4 })).toEqual({ err: null, address: '1.1.1.1', family: 4 });
    expect(await lookup(policy, 'public', 'dual.example', { family: 6, all: true })).toEqual({
      err: null,
      address: [v6('2606:4700::1111')],
      family: undefined,
    });
  });

  it('refuses when any resolved address may not be reached, with the refusal the client will be told', async () => {
    const policy = new UpstreamPolicy('admins', resolver({ 'mixed.example': [v4('1.1.1.1'), v6('::1')] }));
    const { err } = await lookup(policy, 'public', 'mixed.example');
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect((err as AddressRefusedError).refusal).toEqual({
      host: 'mixed.example',
      address: '::1',
      addressClass: 'loopback',
      resolved: true,
    });
    expect((await lookup(policy, 'private', 'mixed.example')).err).toBeNull();
  });

  it('checks every connection anew: a name that resolved to a public address and now resolves to a private one is refused', async () => {
    let answer = v4('93.184.215.14');
    const names = resolver({ 'rebind.example': () => [answer] });
    const policy = new UpstreamPolicy('admins', names);
    expect(await saveError(policy, 'http://rebind.example/v1', 'member')).toBeUndefined();
    expect((await lookup(policy, 'public', 'rebind.example')).err).toBeNull();
    answer = v4('127.0.0.1');
    expect((await lookup(policy, 'public', 'rebind.example')).err).toBeInstanceOf(AddressRefusedError);
    expect(names.calls).toEqual(['rebind.example', 'rebind.example', 'rebind.example']);
  });

  it('refuses localhost and metadata names before asking the resolver', async () => {
    const names = resolver({ localhost: [v4('127.0.0.1')] });
    const policy = new UpstreamPolicy('admins', names);
    expect((await lookup(policy, 'public', 'localhost')).err).toBeInstanceOf(AddressRefusedError);
    expect((await lookup(policy, 'private', 'metadata.google.internal')).err).toBeInstanceOf(AddressRefusedError);
    expect(names.calls).toEqual([]);
    expect((await lookup(policy, 'private', 'localhost')).address).toEqual([v4('127.0.0.1')]);
  });

  it('passes a resolver failure on as it is', async () => {
    const { err } = await lookup(new UpstreamPolicy('all', resolver({})), 'private', 'nowhere.example');
    expect(err?.code).toBe('ENOTFOUND');
  });
});

describe('UpstreamPolicy.refusalForLiteral (IP literals never reach a resolver)', () => {
  it('refuses literal addresses the access may not reach and leaves names to the resolver', () => {
    const policy = new UpstreamPolicy('admins');
    expect(policy.refusalForLiteral('127.0.0.1', 'public')?.refusal).toMatchObject({ addressClass: 'loopback' });
    expect(policy.refusalForLiteral('::ffff:a9fe:a9fe', 'private')?.refusal).toMatchObject({ addressClass: 'cloud metadata' });
    expect(policy.refusalForLiteral('fe80::1', 'public')?.refusal).toMatchObject({ addressClass: 'link-local' });
    expect(policy.refusalForLiteral('127.0.0.1', 'private')).toBeUndefined();
    expect(policy.refusalForLiteral('8.8.8.8', 'public')).toBeUndefined();
    expect(policy.refusalForLiteral('localhost', 'public')).toBeUndefined();
  });
});
