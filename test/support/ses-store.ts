import { setTimeout as sleep } from 'node:timers/promises';
import { requireEnv } from './aws.js';

/** One message as aws-ses-v2-local's `GET /store` reports it. */
export interface SentEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

const sesEndpoint = (): string => requireEnv('AWS_ENDPOINT_URL_SESV2');

/** Mail the SES emulator accepted, oldest first; `since` in epoch seconds. */
export async function sentEmails(filter: { to?: string; since?: number } = {}): Promise<SentEmail[]> {
  const url = new URL('/store', sesEndpoint());
  if (filter.since !== undefined) url.searchParams.set('since', String(Math.floor(filter.since)));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: SentEmail[] };
  return filter.to === undefined
    ? emails
    : emails.filter((email) => email.destination.to.includes(filter.to!));
}

/** Polls the store until an email matches, or fails after `timeoutMs`. */
export async function waitForEmail(
  predicate: (email: SentEmail) => boolean,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<SentEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = (await sentEmails()).find(predicate);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no matching email within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Empties the emulator's mail store (shared by every test file of the run). */
export async function clearSentEmails(): Promise<void> {
  const response = await fetch(new URL('/clear-store', sesEndpoint()), { method: 'POST' });
  if (!response.ok) throw new Error(`POST /clear-store answered ${response.status}`);
}
