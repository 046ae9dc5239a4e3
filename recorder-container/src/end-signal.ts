import type { CDPSession } from 'puppeteer-core';
import { hostMatches } from '../../lambdas/domain/meeting-url.js';
import { log } from './log.js';

const END_BINDING = '__meetingRecorderEnd';
const END_MESSAGE = 'meeting-recorder:end';

/**
 * Runs in every document before its own scripts: the hook a meeting page uses to end the recording.
 * A frame's `end()` posts to the top document; only the top document forwards, with the sender's origin,
 * and only its own calls of the binding count (see `listenForEndSignal`).
 */
export const END_HOOK_SCRIPT = `(() => {
  const isTop = globalThis === globalThis.top;
  const forward = globalThis[${JSON.stringify(END_BINDING)}];
  const end = isTop
    ? (reason) => forward(JSON.stringify({ reason: String(reason ?? 'ended'), origin: 'self' }))
    : (reason) => globalThis.top.postMessage({ type: ${JSON.stringify(END_MESSAGE)}, reason: String(reason ?? 'ended') }, '*');
  Object.defineProperty(globalThis, 'meetingRecorder', {
    value: Object.freeze({ recording: true, end }), configurable: false, writable: false,
  });
  if (!isTop || typeof forward !== 'function') return;
  globalThis.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || typeof data !== 'object' || data.type !== ${JSON.stringify(END_MESSAGE)}) return;
    const own = event.source === globalThis || event.origin === globalThis.location.origin;
    forward(JSON.stringify({ reason: String(data.reason ?? 'ended'), origin: own ? 'self' : event.origin }));
  });
})();`;

/**
 * Whether an end signal from a frame of this origin counts: an https origin whose host is on the
 * deployment's meeting-origin allow-list by name. `*` (any meeting host) does not make every frame, an ad's
 * included, trusted.
 */
export function frameMayEnd(origin: string, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  return allowedOrigins.some((pattern) => pattern !== '*' && hostMatches(host, pattern));
}

/**
 * Calls `onEnd` for end signals of the top document: its own, or a frame's whose origin may end. The binding
 * is the page target's own, so cross-site frames (their own targets) never have it, and a same-site
 * frame's direct call is refused by its execution context.
 */
export async function listenForEndSignal(
  session: CDPSession,
  allowedOrigins: readonly string[],
  onEnd: (reason: string) => void,
): Promise<void> {
  const frameOfContext = new Map<number, string | undefined>();
  session.on('Runtime.executionContextCreated', ({ context }) => {
    frameOfContext.set(context.id, (context.auxData as { frameId?: string } | undefined)?.frameId);
  });
  session.on('Runtime.executionContextDestroyed', ({ executionContextId }) =>
    frameOfContext.delete(executionContextId),
  );
  session.on('Runtime.executionContextsCleared', () => frameOfContext.clear());
  await session.send('Runtime.enable');
  const { frameTree } = await session.send('Page.getFrameTree');
  const topFrame = frameTree.frame.id;
  session.on('Runtime.bindingCalled', ({ name, payload, executionContextId }) => {
    if (name !== END_BINDING) return;
    const signal = parseSignal(payload);
    if (frameOfContext.get(executionContextId) !== topFrame) {
      log('end_refused', { reason: 'not the top document' });
    } else if (!signal) {
      log('end_refused', { reason: 'malformed signal' });
    } else if (signal.origin !== 'self' && !frameMayEnd(signal.origin, allowedOrigins)) {
      log('end_refused', { reason: 'frame origin not allowed', origin: signal.origin });
    } else {
      onEnd(signal.reason);
    }
  });
  await session.send('Runtime.addBinding', { name: END_BINDING });
}

function parseSignal(payload: string): { reason: string; origin: string } | undefined {
  try {
    const { reason, origin } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof reason === 'string' && typeof origin === 'string')
      return { reason: reason.slice(0, 200), origin };
  } catch {}
  return undefined;
}
