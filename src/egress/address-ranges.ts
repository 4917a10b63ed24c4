/**
 * Which hosts a provider base URL may point at: every address range that is not the public
 * internet, and the cloud metadata endpoints (where a VM's credentials live). Pure: no I/O.
 *
 * Spellings are normalised by the WHATWG URL parser (what every outbound call goes through), so
 * `2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`, `127.1`, `[::ffff:169.254.169.254]`,
 * `LOCALHOST.` all arrive here as the address or name they mean. Ranges are matched by node:net's
 * BlockList, which also matches IPv4-mapped IPv6 (`::ffff:a.b.c.d`) against the IPv4 rules; the
 * other IPv6 forms that carry an IPv4 address (translated, compatible, NAT64, 6to4) get their own
 * rules, built from the IPv4 ones.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Why an address is not public, for messages and logs. */
export type NonPublicRange =
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** A cloud metadata endpoint: refused to everyone, under every setting. */
export const METADATA = 'cloud metadata';

export type AddressClass = NonPublicRange | typeof METADATA | 'public';

interface RangeRules {
  range: NonPublicRange | typeof METADATA;
  ipv4: readonly string[];
  ipv6: readonly string[];
}

/**
 * Checked in this order (the first match names the range). Besides the ranges everyone knows,
 * the IANA special-purpose blocks that are not globally reachable count as `reserved`.
 */
const RULES: readonly RangeRules[] = [
  {
    range: METADATA,
    // AWS, GCP, Azure, OCI, DigitalOcean (IPv4 and AWS's IPv6), ECS task credentials, EKS pod
    // identity, Alibaba Cloud.
    ipv4: ['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32', '100.100.100.200/32'],
    ipv6: ['fd00:ec2::254/128', 'fd00:ec2::23/128'],
  },
  { range: 'loopback', ipv4: ['127.0.0.0/8'], ipv6: ['::1/128'] },
  // 0.0.0.0 reaches the local host on Linux; the rest of 0/8 is "this network".
  { range: 'unspecified', ipv4: ['0.0.0.0/8'], ipv6: ['::/128'] },
  { range: 'private', ipv4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], ipv6: [] },
  { range: 'carrier-grade NAT', ipv4: ['100.64.0.0/10'], ipv6: [] },
  { range: 'link-local', ipv4: ['169.254.0.0/16'], ipv6: ['fe80::/10'] },
  { range: 'unique-local', ipv4: [], ipv6: ['fc00::/7'] },
  { range: 'site-local', ipv4: [], ipv6: ['fec0::/10'] },
  { range: 'multicast', ipv4: ['224.0.0.0/4'], ipv6: ['ff00::/8'] },
  { range: 'broadcast', ipv4: ['255.255.255.255/32'], ipv6: [] },
  {
    range: 'reserved',
    // IETF protocol assignments, documentation, 6to4 relay, benchmarking, future use (240/4).
    ipv4: ['192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4'],
    // Discard, IETF protocol assignments (Teredo, ORCHID, benchmarking), documentation, local-use
    // NAT64 (the IPv4 address inside may be anything), segment routing.
    ipv6: ['100::/64', '2001::/23', '2001:db8::/32', '3fff::/20', '64:ff9b:1::/48', '5f00::/16'],
  },
];

/** IPv6 prefixes (/96) whose last 32 bits are an IPv4 address reached through them. */
const IPV4_IN_IPV6_96 = ['::ffff:0:', '::', '64:ff9b::'] as const;

function ipv4Hex(address: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `${hex(a)}${hex(b)}:${hex(c)}${hex(d)}`;
}

function blockList(rules: RangeRules): BlockList {
  const list = new BlockList();
  for (const cidr of rules.ipv4) {
    const [address = '', bits = '32'] = cidr.split('/');
    const prefix = Number(bits);
    list.addSubnet(address, prefix, 'ipv4');
    // Translated (::ffff:0:a.b.c.d), compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms;
    // the mapped form (::ffff:a.b.c.d) is matched by the IPv4 rule itself.
    for (const head of IPV4_IN_IPV6_96) list.addSubnet(`${head}${address}`, 96 + prefix, 'ipv6');
    // 6to4 (2002:AABB:CCDD::/48) tunnels to the IPv4 address in bits 16–47.
    list.addSubnet(`2002:${ipv4Hex(address)}::`, 16 + prefix, 'ipv6');
  }
  for (const cidr of rules.ipv6) {
    const [address = '', bits = '128'] = cidr.split('/');
    list.addSubnet(address, Number(bits), 'ipv6');
  }
  return list;
}

const LISTS: ReadonlyArray<{ range: NonPublicRange | typeof METADATA; list: BlockList }> = RULES.map((rules) => ({
  range: rules.range,
  list: blockList(rules),
}));

/** Names of metadata services (they resolve only inside the cloud, so the resolver alone may not see them). */
const METADATA_NAMES: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/**
 * The class of an IP address as the resolver or the URL parser gives it (IPv6 without brackets;
 * a zone index such as `%eth0` is ignored). Throws for text that is not an IP address.
 */
export function classifyAddress(address: string): AddressClass {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const family = isIPv4(bare) ? 'ipv4' : isIPv6(bare) ? 'ipv6' : undefined;
  if (family === undefined) throw new TypeError('not an IP address');
  for (const { range, list } of LISTS) if (list.check(bare, family)) return range;
  return 'public';
}

/** What a URL's host is before anything is resolved. */
export type HostClass =
  /** An IP address written in the URL (in any spelling), with its class. */
  | { kind: 'address'; address: string; class: AddressClass }
  /** A name that means a class by itself: `localhost` and `*.localhost`, the metadata names. */
  | { kind: 'name'; name: string; class: Exclude<AddressClass, 'public'> }
  /** Any other name: its class is that of every address it resolves to. */
  | { kind: 'unresolved'; name: string };

/**
 * Classifies the hostname of a parsed URL (`url.hostname`: lower case, IPv4 in dotted decimal,
 * IPv6 in brackets), or undici's hostname (IPv6 without brackets).
 */
export function classifyHostname(hostname: string): HostClass {
  const inner = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (isIPv4(inner) || isIPv6(inner)) return { kind: 'address', address: inner, class: classifyAddress(inner) };
  // A fully qualified name may end in a dot; the lookup treats both the same.
  const name = (inner.endsWith('.') ? inner.slice(0, -1) : inner).toLowerCase();
  if (METADATA_NAMES.has(name)) return { kind: 'name', name, class: METADATA };
  // RFC 6761: localhost and every name under it are the loopback interface, whatever DNS says.
  if (name === 'localhost' || name.endsWith('.localhost')) return { kind: 'name', name, class: 'loopback' };
  return { kind: 'unresolved', name };
}

/**
 * Classifies a host as a user may write it (`2852039166`, `0x7f.1`, `[::1]`, `::1`, `LOCALHOST.`),
 * normalised by the WHATWG URL parser exactly as a base URL's host would be. Throws TypeError for
 * text that is not a host.
 */
export function classifyHost(host: string): HostClass {
  const bracketed = isIPv6(host) ? `[${host}]` : host;
  let url: URL;
  try {
    url = new URL(`http://${bracketed}/`);
  } catch {
    throw new TypeError('not a host');
  }
  // Anything that moved the parser past the host (userinfo, a port, a path) was not a host alone.
  const outside = bracketed.startsWith('[') ? bracketed.slice(bracketed.indexOf(']') + 1) : bracketed;
  if (/[/?#@\\:]/.test(outside)) throw new TypeError('not a host');
  return classifyHostname(url.hostname);
}
