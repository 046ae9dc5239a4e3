import { type MeetingUrlPolicy, meetingUrlProblem } from '../../lambdas/domain/meeting-url.js';

export type MeetingUrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * The first gate: the URL a client asked us to record, under the very rules the start route applied
 * (lambdas/domain/meeting-url.ts). The browser's egress guard is the second.
 */
export function checkMeetingUrl(raw: string, rules: MeetingUrlPolicy): MeetingUrlVerdict {
  const problem = meetingUrlProblem(raw, rules);
  return problem ? { ok: false, reason: problem } : { ok: true, url: new URL(raw) };
}
