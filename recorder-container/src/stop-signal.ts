import type { StopReason } from '../../lambdas/domain/recording.js';
import { log } from './log.js';

export interface StopCause {
  reason: StopReason;
  detail: string;
}

/** Every way a recording can end funnels into this one signal; the first cause wins. */
export class StopSignal {
  private resolve: (cause: StopCause) => void = () => undefined;
  cause: StopCause | undefined;
  readonly stopped: Promise<StopCause> = new Promise((resolve) => {
    this.resolve = resolve;
  });

  trigger(reason: StopReason, detail: string): void {
    if (this.cause) return;
    this.cause = { reason, detail };
    log('stop_triggered', { reason, detail });
    this.resolve(this.cause);
  }
}
