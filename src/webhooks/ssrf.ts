// Partner webhook URLs must not reach our own networks: loopback, private, link-local (cloud
// metadata at 169.254.169.254), multicast and unspecified addresses are refused when the URL is
// saved and again at connect time (the name may resolve elsewhere by then: DNS rebinding).
import { BlockList, isIP } from 'node:net';
import { lookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { badInput } from '../domain/errors';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip);
  if (!family) return true;
  return blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
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
  if (bad) throw badInput(`url resolves to ${bad}, a private, loopback or otherwise internal address`, 'url');
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
