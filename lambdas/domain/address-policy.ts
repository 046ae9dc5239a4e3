/**
 * Where an IP address leads, for the two guards that must never let a client's meeting URL reach the
 * account's insides: the start route (lambdas/domain/meeting-url.ts) and the recorder's egress proxy.
 */
import { BlockList, isIP } from 'node:net';

/** What an IP address reaches, as far as the recorder's egress rules care. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

const V4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'reserved'],
  ['2001::', 32, 'reserved'], // Teredo: tunnels to any IPv4 address
  ['2001:db8::', 32, 'reserved'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

function buildLists(ranges: ReadonlyArray<readonly [string, number, AddressClass]>, family: 'ipv4' | 'ipv6') {
  return ranges.map(([network, prefix, kind]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, kind };
  });
}

const V4_LISTS = buildLists(V4_RANGES, 'ipv4');
const V6_LISTS = buildLists(V6_RANGES, 'ipv6');

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted?.[1]) {
    const bytes = dotted[1].split('.').map(Number);
    const high = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
    const low = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
    text = `${text.slice(0, -dotted[1].length)}${high.toString(16)}:${low.toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return groups.map((group) => Number.parseInt(group, 16));
}

function v4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * IPv6 forms that carry an IPv4 address a packet may end up at: mapped (::ffff:a.b.c.d), translated
 * (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const zerosUpTo = (n: number) => g.slice(0, n).every((group) => group === 0);
  if (zerosUpTo(5) && g[5] === 0xffff) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (zerosUpTo(4) && g[4] === 0xffff && g[5] === 0) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (zerosUpTo(6) && ((g[6] ?? 0) !== 0 || (g[7] ?? 0) > 1)) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) {
    return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  }
  if (g[0] === 0x2002) return v4FromGroups(g[1] ?? 0, g[2] ?? 0);
  return undefined;
}

export function classifyAddress(rawAddress: string): AddressClass {
  const address = rawAddress.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 4) {
    return V4_LISTS.find(({ list }) => list.check(address, 'ipv4'))?.kind ?? 'public';
  }
  if (family === 6) {
    const embedded = embeddedIpv4(address);
    if (embedded !== undefined) return classifyAddress(embedded);
    return V6_LISTS.find(({ list }) => list.check(address, 'ipv6'))?.kind ?? 'public';
  }
  return 'invalid';
}

export interface EgressRules {
  /**
   * Local mode: the ports on 127.0.0.1 / ::1 the page may reach (the demo page's, the meeting URL's).
   * Empty in a deployment. Any other local service stays out of a recorded page's reach.
   */
  loopbackPorts: readonly number[];
}

export function isAddressAllowed(address: string, port: number, rules: EgressRules): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (kind === 'loopback' && rules.loopbackPorts.includes(port));
}
