import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type CDPSession, type Page } from 'puppeteer-core';
import { END_HOOK_SCRIPT, listenForEndSignal } from './end-signal.js';
import { errorMessage, log } from './log.js';
import { PAINT_PROBE_BINDING, PAINT_PROBE_PX, PAINT_PROBE_SCRIPT } from './paint-probe.js';
import { scrubbedEnv, sleep } from './processes.js';

export interface MeetingBrowserOptions {
  executablePath: string;
  display: string;
  pulseServer: string;
  proxyUrl: string;
  /** The recorded area; the viewport is PAINT_PROBE_PX wider, for the paint probe. */
  width: number;
  height: number;
  workDir: string;
  meetingUrl: string;
  /** The deployment's meeting-origin allow-list: frames of these hosts may end the recording too. */
  allowedOrigins: readonly string[];
  pageLoadTimeoutMs: number;
  /** Use Chromium's own sandbox (needs unprivileged user namespaces). */
  sandbox: boolean;
  /** Runs once, in the first browser, before the meeting is loaded (the A/V sync calibration). */
  beforeFirstMeeting?: (page: Page) => Promise<void>;
}

export interface MeetingBrowserEvents {
  /** The meeting page called `window.meetingRecorder.end()`, or an allowed frame posted `meeting-recorder:end`. */
  onMeetingEnded(detail: string): void;
  /** The browser could not be brought back. */
  onUnrecoverable(error: Error): void;
  /** The paint probe flipped in the animation frame of that wall-clock time (s). */
  onPaintProbe(frameAtSeconds: number, lit: boolean): void;
}

const REFUSED_URL = 'http://127.0.0.1:1/';

const FIRST_PAINT = `new Promise((resolve) => {
  const shows = () => document.body !== null &&
    (document.body.children.length > 0 || (document.body.textContent ?? '').trim() !== '');
  const check = () => shows() ? requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))) : setTimeout(check, 50);
  check();
})`;

function chromiumArgs(options: MeetingBrowserOptions, userDataDir: string): string[] {
  const args = [
    `--user-data-dir=${userDataDir}`,
    '--kiosk',
    '--window-position=0,0',
    `--window-size=${options.width + PAINT_PROBE_PX + 1},${options.height + 1}`,
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-timer-throttling',
    '--disable-backgrounding-occluded-windows',
    '--disable-renderer-backgrounding',
    '--disable-dev-shm-usage',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-infobars',
    '--hide-scrollbars',
    '--test-type',
    '--password-store=basic',
    '--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider',
    `--proxy-server=${options.proxyUrl}`,
    // Without this Chromium sends loopback requests around the proxy.
    '--proxy-bypass-list=<-loopback>',
    '--force-webrtc-ip-handling-policy=default_public_interface_only',
    // Chromium's own services still call home with every policy set: the component updater installs the
    // on-device model manifest on demand (update.googleapis.com), and account checks go to
    // accounts.google.com. Both are pointed at port 1, which is on Chromium's blocked list: it refuses
    // the request before any connection, so they never reach the egress guard. Pages are unaffected.
    `--component-updater=url-source=${REFUSED_URL}`,
    `--gaia-url=${REFUSED_URL}`,
  ];
  // Chromium's sandbox needs user namespaces, which Fargate does not give a task: there the container
  // (non-root, no credentials in Chromium's environment, egress through the guard) is the boundary.
  if (!options.sandbox || process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

/**
 * Chromium showing the meeting, kept alive: a crashed page is reloaded and a dead browser relaunched,
 * so the capture (which never stops) loses only the seconds of the gap.
 */
export class MeetingBrowser {
  private browser: Browser | undefined;
  private closing = false;
  private recovering = false;
  private firstMeetingPrepared = false;
  /** How many times the browser was lost and brought back, and the time that cost. */
  gaps = 0;
  gapMs = 0;

  constructor(
    private readonly options: MeetingBrowserOptions,
    private readonly events: MeetingBrowserEvents,
  ) {}

  get pid(): number | undefined {
    return this.browser?.process()?.pid;
  }

  /** Launches and loads the meeting, retrying until `deadline` (epoch ms). Resolves once it shows. */
  async open(deadline: number): Promise<void> {
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        await this.launchAndLoad();
        log('meeting_shown', { attempt, pid: this.pid });
        return;
      } catch (error) {
        log('meeting_load_failed', { attempt, error: errorMessage(error) });
        await this.closeBrowser();
        if (this.closing) throw new Error('closed while loading the meeting');
        const wait = Math.min(1000 * 2 ** (attempt - 1), 8000);
        if (Date.now() + wait >= deadline) {
          throw new MeetingUnreachableError(`meeting page did not load: ${errorMessage(error)}`);
        }
        await sleep(wait);
      }
    }
  }

  private async launchAndLoad(): Promise<void> {
    const userDataDir = await mkdtemp(join(this.options.workDir, 'chromium-'));
    const browser = await puppeteer.launch({
      executablePath: this.options.executablePath,
      headless: false,
      pipe: true,
      userDataDir,
      defaultViewport: null,
      // Puppeteer's --disable-popup-blocking would let a page open windows.
      ignoreDefaultArgs: ['--enable-automation', '--disable-popup-blocking'],
      args: chromiumArgs(this.options, userDataDir),
      env: scrubbedEnv(process.env, {
        DISPLAY: this.options.display,
        PULSE_SERVER: this.options.pulseServer,
        HOME: userDataDir,
      }),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      protocolTimeout: 60_000,
    });
    this.browser = browser;
    browser.once('disconnected', () => {
      rm(userDataDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      if (this.browser === browser) void this.recover('browser disconnected');
    });
    const browserSession = await browser.target().createCDPSession();
    // Downloads are refused: the page may fetch a file, but nothing is saved.
    browserSession.on('Browser.downloadWillBegin', ({ suggestedFilename }) =>
      log('download_refused', { suggestedFilename }),
    );
    await browserSession.send('Browser.setDownloadBehavior', { behavior: 'deny', eventsEnabled: true });
    const [existing] = await browser.pages();
    const page = existing ?? (await browser.newPage());
    if (!this.firstMeetingPrepared && this.options.beforeFirstMeeting) {
      this.firstMeetingPrepared = true;
      await this.options.beforeFirstMeeting(page);
    }
    await this.loadMeeting(page);
  }

  private async loadMeeting(page: Page): Promise<void> {
    const session = await page.createCDPSession();
    await listenForEndSignal(session, this.options.allowedOrigins, (reason) =>
      this.events.onMeetingEnded(reason),
    );
    // A raw binding, not Puppeteer's exposeFunction: Puppeteer answers each call by evaluating in the page
    // with a user gesture, and the probe calls it twice a second, so the page could always open popups.
    session.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name !== PAINT_PROBE_BINDING) return;
      const [frameAtMs, lit] = parsePaintProbe(payload);
      if (typeof frameAtMs === 'number' && Number.isFinite(frameAtMs))
        this.events.onPaintProbe(frameAtMs / 1000, lit === true);
    });
    await session.send('Runtime.addBinding', { name: PAINT_PROBE_BINDING });
    await page.evaluateOnNewDocument(END_HOOK_SCRIPT);
    await page.evaluateOnNewDocument(PAINT_PROBE_SCRIPT);
    page.once('error', (error) => {
      if (this.browser === page.browser()) void this.recover(`page crashed: ${error.message}`);
    });
    const response = await page.goto(this.options.meetingUrl, {
      waitUntil: 'load',
      timeout: this.options.pageLoadTimeoutMs,
    });
    if (response === null) throw new Error('no response');
    if (response.status() >= 400) throw new Error(`HTTP ${response.status()}`);
    if (page.url().startsWith('chrome-error:')) throw new Error('browser error page');
    await this.untilFirstPaint(session);
  }

  /**
   * Waits until the page shows something and that paint reached the screen (two animation frames).
   * Evaluated without a user gesture: Puppeteer's evaluate gives the page one, which would let it open
   * popups for the next five seconds.
   */
  private async untilFirstPaint(session: CDPSession): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the page showed nothing')), this.options.pageLoadTimeoutMs);
    });
    try {
      await Promise.race([
        session.send('Runtime.evaluate', { expression: FIRST_PAINT, awaitPromise: true, userGesture: false }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async recover(cause: string): Promise<void> {
    if (this.closing || this.recovering) return;
    this.recovering = true;
    const lostAt = Date.now();
    log('browser_lost', { cause });
    try {
      await this.closeBrowser();
      await this.open(Date.now() + 60_000);
      this.gaps += 1;
      this.gapMs += Date.now() - lostAt;
      log('browser_recovered', { gapMs: Date.now() - lostAt, pid: this.pid });
    } catch (error) {
      if (!this.closing)
        this.events.onUnrecoverable(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.recovering = false;
    }
  }

  private async closeBrowser(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser === undefined) return;
    const child = browser.process();
    await Promise.race([browser.close().catch(() => undefined), sleep(5000)]);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.closeBrowser();
  }
}

export class MeetingUnreachableError extends Error {
  override name = 'MeetingUnreachableError';
}

function parsePaintProbe(payload: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(payload);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
