/**
 * Who may point a provider at a non-public address (`ZAI_PRIVATE_UPSTREAMS`), and the refusals:
 * at save time (400 `base_url_not_allowed`) and at connect time (400 `upstream_address_not_allowed`).
 * Cloud metadata endpoints are refused to everyone under every setting.
 */
import { GatewayError } from '../errors.js';
import { METADATA, type AddressClass, type NonPublicRange } from './address-ranges.js';

export const PRIVATE_UPSTREAMS = ['admins', 'all', 'none'] as const;
export type PrivateUpstreams = (typeof PRIVATE_UPSTREAMS)[number];

export type AccountRole = 'admin' | 'member';

/** What one account's outbound calls may reach. */
export type UpstreamAccess = 'public' | 'private';

export function accessFor(setting: PrivateUpstreams, role: AccountRole): UpstreamAccess {
  if (setting === 'all') return 'private';
  if (setting === 'none') return 'public';
  return role === 'admin' ? 'private' : 'public';
}

/** The class of an address this access may not reach, or undefined when it may reach it. */
export function refusedClass(access: UpstreamAccess, addressClass: AddressClass): Exclude<AddressClass, 'public'> | undefined {
  if (addressClass === 'public' || (addressClass !== METADATA && access === 'private')) return undefined;
  return addressClass;
}

/** Why a host was refused: enough for the message and the log, nothing the caller did not write. */
export interface Refusal {
  host: string;
  /** The address that was refused (written in the URL or resolved), when there is one. */
  address: string | undefined;
  addressClass: Exclude<AddressClass, 'public'>;
  /** Whether the host is a name that resolved to the address (the message then says so). */
  resolved: boolean;
}

const ARTICLE: Record<NonPublicRange, string> = {
  loopback: 'a loopback',
  unspecified: 'an unspecified',
  private: 'a private',
  'carrier-grade NAT': 'a carrier-grade NAT',
  'link-local': 'a link-local',
  'unique-local': 'a unique-local',
  'site-local': 'a site-local',
  multicast: 'a multicast',
  broadcast: 'a broadcast',
  reserved: 'a reserved',
};

/** "localhost resolves to a loopback address", "169.254.169.254 is a cloud metadata endpoint". */
function what(refusal: Refusal): string {
  const verb = refusal.resolved ? 'resolves to' : 'is';
  if (refusal.addressClass === METADATA) return `${refusal.host} ${verb} a cloud metadata endpoint`;
  return `${refusal.host} ${verb} ${ARTICLE[refusal.addressClass]} address`;
}

/** Which setting would allow it, said to the person who was refused. */
function remedy(setting: PrivateUpstreams, refusal: Refusal): string {
  if (refusal.addressClass === METADATA) return 'No account may use cloud metadata endpoints, under any setting.';
  if (setting === 'none')
    return 'This server lets no account use non-public addresses (ZAI_PRIVATE_UPSTREAMS=none); its operator can allow admins with ZAI_PRIVATE_UPSTREAMS=admins, or everyone with all.';
  return 'On this server only admins may use non-public addresses (ZAI_PRIVATE_UPSTREAMS=admins); use a public address, or ask the operator to set ZAI_PRIVATE_UPSTREAMS=all.';
}

export function baseUrlNotAllowed(setting: PrivateUpstreams, refusal: Refusal): GatewayError {
  return new GatewayError({
    status: 400,
    code: 'base_url_not_allowed',
    param: 'base_url',
    message: `base_url is not allowed: ${what(refusal)}. ${remedy(setting, refusal)}`,
  });
}

export function upstreamAddressNotAllowed(setting: PrivateUpstreams, refusal: Refusal, cause?: unknown): GatewayError {
  return new GatewayError({
    status: 400,
    code: 'upstream_address_not_allowed',
    message: `The provider's base URL may not be reached from this server: ${what(refusal)}. ${remedy(setting, refusal)}`,
    cause,
  });
}
