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
  // A trailing dot names the same host (`localhost.` is localhost): compare without it.
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
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
  if (isIP(address) === 6) return isNonPublicIpv6(address);
  return true;
}

/** The eight 16-bit groups of an IPv6 address (validated by isIP), with an embedded IPv4 tail expanded. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const v4Tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
}

function embeddedIpv4(high: number, low: number): string {
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

function isNonPublicIpv6(address: string): boolean {
  const g = ipv6Groups(address);
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const [, , , , g4 = 0] = g;
  const firstFourZero = g.slice(0, 4).every((group) => group === 0);
  // ::a.b.c.d (compatible, also :: and ::1), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated) carry IPv4.
  if (firstFourZero && ((g4 === 0 && (g5 === 0 || g5 === 0xffff)) || (g4 === 0xffff && g5 === 0))) {
    return (g4 === 0 && g5 === 0 && g6 === 0 && g7 <= 1) || isNonPublicIpv4(embeddedIpv4(g6, g7));
  }
  if (g0 === 0x2002) return true; // 6to4 relays reach any IPv4 address
  if (g0 === 0x64 && g1 === 0xff9b) return true; // NAT64 reaches private IPv4 too
  if (g0 === 0x2001 && (g1 === 0 || g1 === 0xdb8)) return true; // Teredo, documentation
  if (g0 === 0x100 && g.slice(1, 4).every((group) => group === 0)) return true; // discard-only
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (g0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g0 & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (g0 & 0xff00) === 0xff00 // multicast
  );
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
