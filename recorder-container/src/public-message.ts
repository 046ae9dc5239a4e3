const URLS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi;
const IPV6 =
  /\[?(?<![0-9a-f:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}|::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?)(?![0-9a-f:])\]?(?::\d{1,5})?/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
const HOSTS = /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}\b(?::\d{1,5})?/gi;

/**
 * What the recorder tells the client about a failure: the message without the URLs, addresses and
 * host names of the infrastructure (the log keeps them). The meeting's own host, which the client
 * gave, may stay.
 */
export function publicMessage(message: string, meetingUrl?: string): string {
  let keep: string | undefined;
  try {
    keep = meetingUrl ? new URL(meetingUrl).hostname.toLowerCase() : undefined;
  } catch {
    keep = undefined;
  }
  const unlessMeeting = (replacement: string) => (found: string) =>
    keep && found.toLowerCase().includes(keep) ? found : replacement;
  return message
    .replace(URLS, unlessMeeting('<url>'))
    .replace(IPV4, '<address>')
    .replace(IPV6, '<address>')
    .replace(HOSTS, unlessMeeting('<host>'));
}
