/**
 * The address check of every outbound call, in the two places it runs:
 *
 * - when a provider is saved: the base URL's host is classified and, if it is a name, resolved;
 *   a refusal is a 400 `base_url_not_allowed`. A name that does not resolve yet is accepted (the
 *   check at connect time decides).
 * - when a connection is made: `lookup()` is the socket's resolver. It resolves the name, checks
 *   every address, and hands the socket only addresses it checked, so nothing can re-resolve the
 *   name to somewhere else in between (DNS rebinding). IP literals never reach a resolver, so the
 *   connector checks them with `refusalForLiteral()` first.
 */
import dns, { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { classifyAddress, classifyHostname } from './address-ranges.js';
import {
  accessFor,
  baseUrlNotAllowed,
  refusedClass,
  type AccountRole,
  type PrivateUpstreams,
  type Refusal,
  type UpstreamAccess,
} from './private-upstreams.js';

/** Resolves a name to every address it has (the system resolver by default). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** The socket-level error of a refused connection; the upstream client turns it into a 400. */
export class AddressRefusedError extends Error {
  readonly code = 'ZAI_UPSTREAM_ADDRESS_REFUSED';

  constructor(readonly refusal: Refusal) {
    super(`Connection to ${refusal.host} refused by the upstream address policy.`);
    this.name = 'AddressRefusedError';
  }
}

/** How long saving a provider waits for its host to resolve before leaving the check to connect time. */
const SAVE_RESOLVE_TIMEOUT_MS = 3000;

type Checked = { addresses: LookupAddress[]; refusal?: undefined } | { addresses?: undefined; refusal: Refusal };

export class UpstreamPolicy {
  constructor(
    readonly setting: PrivateUpstreams,
    private readonly resolve: Resolve = systemResolve,
  ) {}

  access(role: AccountRole): UpstreamAccess {
    return accessFor(this.setting, role);
  }

  /** Throws 400 `base_url_not_allowed` when an account of this role may not use this base URL. */
  async checkBaseUrl(baseUrl: URL, role: AccountRole): Promise<void> {
    const access = this.access(role);
    let checked: Checked | undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), SAVE_RESOLVE_TIMEOUT_MS)));
    try {
      checked = await Promise.race([this.check(baseUrl.hostname, access), timeout]);
    } catch {
      // Not resolvable now (offline, NXDOMAIN): every connection is checked anyway.
      checked = undefined;
    } finally {
      clearTimeout(timer);
    }
    if (checked?.refusal !== undefined) throw baseUrlNotAllowed(this.setting, checked.refusal);
  }

  /** The refusal of an IP literal host (as undici passes it: IPv6 without brackets); undefined for names. */
  refusalForLiteral(hostname: string, access: UpstreamAccess): AddressRefusedError | undefined {
    const host = classifyHostname(hostname);
    if (host.kind !== 'address') return undefined;
    const refused = refusedClass(access, host.class);
    if (refused === undefined) return undefined;
    return new AddressRefusedError({ host: hostname, address: host.address, addressClass: refused, resolved: false });
  }

  /** A socket resolver (net.connect's `lookup`) that hands out only addresses this access may reach. */
  lookup(access: UpstreamAccess): LookupFunction {
    return (hostname, options, callback) => {
      this.check(hostname, access).then(
        (checked) => {
          if (checked.refusal !== undefined) {
            callback(new AddressRefusedError(checked.refusal), '', undefined);
            return;
          }
          const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
          const addresses =
            family === 4 || family === 6 ? checked.addresses.filter((a) => a.family === family) : checked.addresses;
          const first = addresses[0];
          if (first === undefined) {
            const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
            err.code = 'ENOTFOUND';
            callback(err, '', undefined);
          } else if (options.all === true) callback(null, addresses);
          else callback(null, first.address, first.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, '', undefined),
      );
    };
  }

  /** Classifies a host; a name is resolved and every address it has must be reachable. */
  private async check(hostname: string, access: UpstreamAccess): Promise<Checked> {
    const host = classifyHostname(hostname);
    if (host.kind === 'address') {
      const refused = refusedClass(access, host.class);
      if (refused !== undefined)
        return { refusal: { host: hostname, address: host.address, addressClass: refused, resolved: false } };
      return { addresses: [{ address: host.address, family: host.address.includes(':') ? 6 : 4 }] };
    }
    if (host.kind === 'name') {
      const refused = refusedClass(access, host.class);
      if (refused !== undefined)
        return { refusal: { host: host.name, address: undefined, addressClass: refused, resolved: false } };
    }
    const addresses = await this.resolve(host.name);
    for (const { address } of addresses) {
      const refused = refusedClass(access, classifyAddress(address));
      if (refused !== undefined) return { refusal: { host: host.name, address, addressClass: refused, resolved: true } };
    }
    return { addresses };
  }
}
