import { isIP } from 'node:net';

/**
 * Decides whether a meeting URL may be recorded, from the URL alone: scheme, credentials, and the
 * host against the deployment's allow-list. The recorder checks again where the name resolves to,
 * and its browser refuses every private or link-local address at run time.
 */
export interface MeetingUrlPolicy {
  /** Host patterns: `meet.example.com`, `*.example.com` (any subdomain), or `*` (any public host). */
  readonly allowedOrigins: readonly string[];
  /** Local mode only: also accept `http://` on loopback hosts. */
  readonly allowLoopbackHttp: boolean;
}

export function parseAllowedOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().toLowerCase())
    .filter((origin) => origin.length > 0);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Returns why the URL is refused, or null when it may be recorded. */
export function meetingUrlProblem(value: string, policy: MeetingUrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  const host = url.hostname.toLowerCase();
  const loopback = LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
  if (url.protocol === 'http:' && policy.allowLoopbackHttp && loopback) return null;
  if (url.protocol !== 'https:') return 'must use https';
  if (url.username || url.password) return 'must not carry credentials';
  if (loopback && policy.allowLoopbackHttp) return null;
  const bareHost = host.replace(/^\[|\]$/g, '');
  if (isIP(bareHost) && isNonPublicAddress(bareHost))
    return 'must not point at a private, loopback or link-local address';
  if (
    host.endsWith('.localhost') ||
    host === 'localhost' ||
    host.endsWith('.internal') ||
    host.endsWith('.local')
  ) {
    return 'must name a public host';
  }
  if (!policy.allowedOrigins.some((pattern) => hostMatches(host, pattern))) {
    return `host ${host} is not on this deployment's meeting-origin allow-list`;
  }
  return null;
}

function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** True for every address a browser on our network must never reach: not globally routable. */
export function isNonPublicAddress(address: string): boolean {
  if (isIP(address) === 4) return isNonPublicIpv4(address);
  if (isIP(address) === 6) {
    const lower = address.toLowerCase();
    const mapped = lower.match(/^(?:0{0,4}:){0,5}(?:ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/);
    if (mapped?.[1]) return isNonPublicIpv4(mapped[1]);
    const hexMapped = lower.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
    if (hexMapped?.[1] && hexMapped[2]) {
      const high = Number.parseInt(hexMapped[1], 16);
      const low = Number.parseInt(hexMapped[2], 16);
      return isNonPublicIpv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
    return (
      lower === '::' ||
      lower === '::1' ||
      /^f[cd]/.test(lower) || // unique local fc00::/7
      /^fe[89ab]/.test(lower) || // link-local fe80::/10
      /^fe[c-f]/.test(lower) || // site-local (deprecated)
      /^ff/.test(lower) || // multicast
      lower.startsWith('64:ff9b:') || // NAT64 can reach private IPv4
      lower.startsWith('2001:db8:') ||
      lower.startsWith('100::')
    );
  }
  return true;
}

const IPV4_BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 8], // "this" network
  [0x0a000000, 8], // private
  [0x64400000, 10], // carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local: instance and task metadata
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved and broadcast
];

function isNonPublicIpv4(address: string): boolean {
  const octets = address.split('.').map(Number);
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return IPV4_BLOCKS.some(([base, bits]) => value >>> (32 - bits) === base >>> (32 - bits));
}
