/** The part of x11 (pure-JS X11 client) that display-refresh.ts uses. */
declare module 'x11' {
  type Callback<T> = (error: Error | null, value: T) => void;
  interface ModeInfo {
    width: number;
    height: number;
    dot_clock: number;
    h_sync_start: number;
    h_sync_end: number;
    h_total: number;
    v_sync_start: number;
    v_sync_end: number;
    v_total: number;
    name: string;
  }
  interface RandR {
    GetScreenResourcesCurrent(
      window: number,
      callback: Callback<{
        timestamp: number;
        config_timestamp: number;
        crtcs: number[];
        outputs: number[];
        modeinfos: (ModeInfo & { id: number })[];
      }>,
    ): void;
    GetCrtcInfo(crtc: number, configTimestamp: number, callback: Callback<{ mode: number }>): void;
    CreateMode(window: number, mode: ModeInfo, callback: Callback<number>): void;
    AddOutputMode(output: number, mode: number): void;
    SetCrtcConfig(
      crtc: number,
      timestamp: number,
      configTimestamp: number,
      x: number,
      y: number,
      mode: number,
      rotation: number,
      outputs: number[],
      callback: Callback<{ status: number; timestamp: number }>,
    ): void;
  }
  interface XClient {
    require(name: 'randr', callback: Callback<RandR>): void;
    close(callback?: () => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
  }
  interface Display {
    client: XClient;
    screen: { root: number }[];
  }
  export function createClient(options: { display: string }, callback: Callback<Display>): XClient;
}
