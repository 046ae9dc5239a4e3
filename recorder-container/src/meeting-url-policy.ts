import { isIP } from 'node:net';
import { classifyAddress } from './address-policy.js';

export type MeetingUrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

export interface MeetingUrlRules {
  /** Host patterns: `meet.example.com`, `*.example.com` (any subdomain), `*` (any host). */
  allowedOrigins: readonly string[];
  /** Local mode: `http` (and https) to 127.0.0.1, ::1 and localhost, whatever the allow-list says. */
  allowLoopbackHttp: boolean;
}

export function parseOriginPatterns(commaList: string): string[] {
  return commaList
    .split(',')
    .map((pattern) => pattern.trim().toLowerCase())
    .filter((pattern) => pattern.length > 0);
}

export function hostMatchesPattern(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return host === pattern;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && classifyAddress(host) === 'loopback';
}

/** The first gate: the URL a client asked us to record. The browser's egress guard is the second. */
export function checkMeetingUrl(raw: string, rules: MeetingUrlRules): MeetingUrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials in the URL' };
  const host = bareHost(url);
  const loopback = isLoopbackHost(host);
  if (loopback && rules.allowLoopbackHttp && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return { ok: true, url };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `scheme ${url.protocol} is not allowed` };
  if (isIP(host) !== 0 && classifyAddress(host) !== 'public') {
    return { ok: false, reason: `address ${host} is ${classifyAddress(host)}` };
  }
  if (loopback) return { ok: false, reason: 'loopback host outside local mode' };
  if (!rules.allowedOrigins.some((pattern) => hostMatchesPattern(host, pattern))) {
    return { ok: false, reason: `host ${host} is not on the meeting-origin allow-list` };
  }
  return { ok: true, url };
}
