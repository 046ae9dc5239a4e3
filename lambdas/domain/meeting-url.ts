import { isIP } from 'node:net';
import { classifyAddress } from './address-policy.js';

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

export function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** True for every address a browser on our network must never reach: not globally routable. */
export function isNonPublicAddress(address: string): boolean {
  return classifyAddress(address) !== 'public';
}
