// Partner webhook URLs may reach only globally routable unicast addresses: everything IANA lists
// as special-purpose (loopback, private, CGNAT, link-local and cloud metadata, documentation and
// benchmarking nets, 6to4, Teredo, NAT64, discard-only, the IETF protocol block …) is refused, by
// ipaddr.js's maintained range list, when the URL is saved and again at connect time (the name
// may resolve elsewhere by then: DNS rebinding).
import { lookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from '../../domain/errors';

/** IANA's global unicast block; the rest of the IPv6 space is reserved or unassigned. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export function isBlockedAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let ip = ipaddr.parse(address);
  // An IPv4 address written as IPv6 (::ffff:a.b.c.d, ::a.b.c.d) is judged as the IPv4 address.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.range() !== 'unicast') return true;
  return ip.kind() === 'ipv6' && !(ip as ipaddr.IPv6).match(GLOBAL_UNICAST_V6);
}

export interface UrlPolicy {
  allowPrivate: boolean;
  requireHttps: boolean;
}

/** At creation: a clear BAD_USER_INPUT for a URL we will not call. */
export async function assertWebhookUrl(raw: string, policy: UrlPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput('url must be an absolute URL', 'url');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !policy.requireHttps)) {
    throw badInput(policy.requireHttps ? 'url must use https' : 'url must be an http(s) URL', 'url');
  }
  if (url.username || url.password) throw badInput('url must not carry credentials', 'url');
  if (policy.allowPrivate) return url.toString();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw badInput(`url host ${host} does not resolve`, 'url');
    }
  }
  const bad = addresses.find(isBlockedAddress);
  if (bad) throw badInput(`url resolves to ${bad}, a private, loopback or otherwise internal address (to try webhooks on this machine, run Paygate with WEBHOOK_ALLOW_PRIVATE_URLS=true)`, 'url');
  return url.toString();
}

/** A dns.lookup for http.request that refuses internal addresses at connect time. */
export function guardedLookup(hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isBlockedAddress(a.address));
    if (bad) return callback(Object.assign(new Error(`refused to connect to internal address ${bad.address}`), { code: 'EBLOCKEDADDRESS' }), '');
    const all = (options as { all?: boolean }).all;
    return all ? callback(null, list) : callback(null, list[0].address, list[0].family);
  });
}
