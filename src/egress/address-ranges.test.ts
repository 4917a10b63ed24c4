import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, classifyHost, classifyHostname, METADATA, type AddressClass } from './address-ranges.js';

/** The class classifyHost gives a host, or 'name' for a name left to the resolver. */
function hostClass(host: string): AddressClass | 'name' {
  const result = classifyHost(host);
  return result.kind === 'unresolved' ? 'name' : result.class;
}

function expectAll(cls: AddressClass, hosts: string[]): void {
  for (const host of hosts) expect(hostClass(host), host).toBe(cls);
}

describe('classifyHost: every spelling of an address', () => {
  it('cloud metadata endpoints, in every notation the URL parser accepts', () => {
    expectAll(METADATA, [
      '169.254.169.254',
      '169.254.169.254.',
      '2852039166',
      '0xa9fea9fe',
      '0XA9FEA9FE',
      '0251.0376.0251.0376',
      '0xa9.0xfe.0xa9.0xfe',
      '169.254.43518',
      '169.16689662',
      '%31%36%39.254.169.254',
      '１６９.２５４.１６９.２５４',
      '[::ffff:169.254.169.254]',
      '::ffff:169.254.169.254',
      '[::ffff:a9fe:a9fe]',
      '[0:0:0:0:0:ffff:a9fe:a9fe]',
      '[::ffff:0:169.254.169.254]',
      '[::169.254.169.254]',
      '[64:ff9b::169.254.169.254]',
      '[2002:a9fe:a9fe::1]',
      '[fd00:ec2::254]',
      '[FD00:EC2:0:0:0:0:0:254]',
      '[fd00:ec2::23]',
      '169.254.170.2',
      '169.254.170.23',
      '100.100.100.200',
      '[::ffff:100.100.100.200]',
      'metadata.google.internal',
      'METADATA.Google.Internal.',
      'metadata.goog',
      'metadata',
      'Metadata.',
    ]);
  });

  it('loopback: short forms, decimal, hex, octal, IPv6 and IPv4-mapped forms, localhost names', () => {
    expectAll('loopback', [
      '127.0.0.1',
      '127.1',
      '127.0.1',
      '127.255.255.254',
      '2130706433',
      '0x7f000001',
      '0x7f.1',
      '0x7F.0.0.1',
      '017700000001',
      '0177.0.0.01',
      '127.0.0.1.',
      '[::1]',
      '::1',
      '[0:0:0:0:0:0:0:1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[::ffff:0:7f00:1]',
      '[::127.0.0.1]',
      '[64:ff9b::7f00:1]',
      '[2002:7f00:1::]',
      'localhost',
      'LOCALHOST',
      'localhost.',
      'api.localhost',
      'A.B.LocalHost.',
    ]);
  });

  it('unspecified (0.0.0.0 reaches the local host on Linux) and the rest of 0/8', () => {
    expectAll('unspecified', ['0.0.0.0', '0', '0x0', '0.0.0.0.', '0.1.2.3', '[::]', '[::ffff:0.0.0.0]']);
  });

  it('private ranges, with their edges', () => {
    expectAll('private', [
      '10.0.0.0',
      '10.0.0.1',
      '10.255.255.255',
      '0xa000001',
      '167772161',
      '012.0.0.1',
      '172.16.0.0',
      '172.31.255.255',
      '192.168.0.1',
      '192.168.255.255',
      '[::ffff:10.0.0.1]',
      '[::ffff:0:a00:1]',
      '[64:ff9b::192.168.1.1]',
      '[2002:c0a8:101::]',
    ]);
    expectAll('public', ['9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0']);
  });

  it('carrier-grade NAT, link-local, unique-local, site-local', () => {
    expectAll('carrier-grade NAT', ['100.64.0.0', '100.127.255.255', '[::ffff:100.64.0.1]']);
    expectAll('public', ['100.63.255.255', '100.128.0.0']);
    expectAll('link-local', [
      '169.254.0.1',
      '169.254.255.255',
      '[fe80::1]',
      '[FE80::ABCD:1]',
      '[febf:ffff::1]',
      '[::ffff:169.254.1.1]',
    ]);
    expectAll('public', ['169.253.255.255', '169.255.0.0', '[fe7f::1]']);
    expectAll('unique-local', ['[fc00::1]', '[fd12:3456:789a::1]', '[fdff:ffff::1]']);
    expectAll('site-local', ['[fec0::1]', '[feff::1]']);
  });

  it('multicast, broadcast and reserved blocks', () => {
    expectAll('multicast', ['224.0.0.1', '239.255.255.250', '[ff02::1]', '[FF05::1:3]', '[::ffff:224.0.0.251]']);
    expectAll('broadcast', ['255.255.255.255', '4294967295', '0xffffffff', '[::ffff:255.255.255.255]']);
    expectAll('reserved', [
      '240.0.0.1',
      '192.0.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '[2001:db8::1]',
      '[2001::1]',
      '[64:ff9b:1::a00:1]',
      '[100::1]',
    ]);
  });

  it('public addresses, including the IPv6 forms that carry a public IPv4 address', () => {
    expectAll('public', [
      '8.8.8.8',
      '1.1.1.1',
      '134744072',
      '[2606:4700:4700::1111]',
      '[::ffff:8.8.8.8]',
      '[64:ff9b::8.8.8.8]',
      '[2002:808:808::]',
      '[2a00:1450:4001::200e]',
    ]);
  });

  it('other names are left to the resolver, normalised (lower case, no trailing dot)', () => {
    expect(classifyHost('API.OpenAI.com.')).toEqual({ kind: 'unresolved', name: 'api.openai.com' });
    expectAll('name' as AddressClass, [
      'localhost.example.com',
      'metadata.google.internal.example.com',
      'my-metadata',
      'xn--bcher-kva.example',
    ]);
  });

  it('refuses text that is not a host alone', () => {
    for (const text of [
      '',
      'a b',
      'evil.example@127.0.0.1',
      '127.0.0.1:80',
      '127.0.0.1/x',
      '1.2.3.4.5',
      '0x1.0x2.0x3.0x4.5',
      '[::1',
    ]) {
      expect(() => classifyHost(text), text).toThrow(TypeError);
    }
  });
});

describe('classifyAddress: what a resolver answers', () => {
  it('classifies IPv4, IPv6 and IPv4-mapped addresses; a zone index is ignored', () => {
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:a9fe:a9fe')).toBe(METADATA);
    expect(classifyAddress('fe80::1%eth0')).toBe('link-local');
    expect(classifyAddress('93.184.215.14')).toBe('public');
    expect(() => classifyAddress('localhost')).toThrow(TypeError);
  });

  it('undici hands IPv6 hosts over without brackets: classifyHostname takes both', () => {
    expect(classifyHostname('::1')).toEqual({ kind: 'address', address: '::1', class: 'loopback' });
    expect(classifyHostname('[::1]')).toEqual({ kind: 'address', address: '::1', class: 'loopback' });
  });
});

/** The dotted quad of a 32-bit number. */
const dotted = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const hex32 = (n: number): [string, string] => [(n >>> 16).toString(16), (n & 0xffff).toString(16)];

describe('every spelling of one IPv4 address has the same class', () => {
  it('decimal, hex, octal, short forms and every IPv6 form that carries it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const address = dotted(n);
        const expected = classifyAddress(address);
        const [high, low] = hex32(n);
        const octets = address.split('.').map(Number) as [number, number, number, number];
        const spellings = [
          String(n),
          `0x${n.toString(16)}`,
          `0${n.toString(8)}`,
          octets.map((o) => `0${o.toString(8)}`).join('.'),
          `${octets[0]}.${(n & 0xffffff) >>> 0}`,
          `${octets[0]}.${octets[1]}.${n & 0xffff}`,
          `${address}.`,
          `[::ffff:${address}]`,
          `[::ffff:${high}:${low}]`,
        ];
        for (const spelling of spellings) expect(hostClass(spelling), spelling).toBe(expected);
        // The forms that tunnel or translate to it: a non-public address stays non-public through them.
        if (expected !== 'public') {
          for (const form of [`::ffff:0:${high}:${low}`, `64:ff9b::${high}:${low}`, `2002:${high}:${low}::1`]) {
            expect(classifyAddress(form), form).not.toBe('public');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
