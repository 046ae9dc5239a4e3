import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIG = 512 * 1024 * 1024;

export interface StreamFacts {
  codecType: string;
  codecName: string;
  width?: number;
  height?: number;
  startTime: number;
  duration: number;
  frames?: number;
  profile?: string;
  pixFmt?: string;
  /** The sample entry's four-character code in MP4 (avc1, mp4a). */
  codecTag: string;
  /** H.264 level × 10 (40 = level 4.0). */
  level?: number;
}

export interface FileFacts {
  formatName: string;
  duration: number;
  video: StreamFacts;
  audio: StreamFacts;
}

/** ffprobe facts of both streams; counts video frames by decoding (what a player would show). */
export async function probeMedia(file: string): Promise<FileFacts> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'format=format_name,duration:stream=codec_type,codec_name,codec_tag_string,level,width,height,start_time,duration,nb_read_frames,profile,pix_fmt',
      '-of',
      'json',
      file,
    ],
    { maxBuffer: BIG },
  );
  const parsed = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: Array<Record<string, string | number | undefined>>;
  };
  const facts = (type: string): StreamFacts => {
    const stream = parsed.streams.find((candidate) => candidate['codec_type'] === type);
    if (!stream) throw new Error(`no ${type} stream in ${file}`);
    return {
      codecType: type,
      codecName: String(stream['codec_name']),
      width: stream['width'] === undefined ? undefined : Number(stream['width']),
      height: stream['height'] === undefined ? undefined : Number(stream['height']),
      startTime: Number(stream['start_time'] ?? 0),
      duration: Number(stream['duration'] ?? parsed.format.duration),
      frames: stream['nb_read_frames'] === undefined ? undefined : Number(stream['nb_read_frames']),
      profile: stream['profile'] === undefined ? undefined : String(stream['profile']),
      pixFmt: stream['pix_fmt'] === undefined ? undefined : String(stream['pix_fmt']),
      codecTag: String(stream['codec_tag_string']),
      level: stream['level'] === undefined ? undefined : Number(stream['level']),
    };
  };
  return {
    formatName: parsed.format.format_name,
    duration: Number(parsed.format.duration),
    video: facts('video'),
    audio: facts('audio'),
  };
}

/** Frames per second over the video's own span, from its packets' timestamps. */
export async function videoPacketRate(file: string): Promise<number> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
    { maxBuffer: BIG },
  );
  const times = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number)
    .sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? 0;
  return times.length > 1 ? (times.length - 1) / (last - first) : 0;
}

/** Mean luma (0–255) and a small thumbnail of every video frame, at `fps`. */
export async function videoFrames(file: string, fps: number): Promise<{ luma: number[]; thumbs: Buffer[] }> {
  const width = 64;
  const height = 36;
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `fps=${fps},scale=${width}:${height},format=gray`,
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: BIG },
  );
  const size = width * height;
  const luma: number[] = [];
  const thumbs: Buffer[] = [];
  for (let offset = 0; offset + size <= stdout.length; offset += size) {
    const thumb = stdout.subarray(offset, offset + size);
    thumbs.push(thumb);
    luma.push(thumb.reduce((sum, value) => sum + value, 0) / size);
  }
  return { luma, thumbs };
}

/** Mono 48 kHz samples (−1..1) of the audio stream. */
export async function audioSamples(file: string): Promise<Float32Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
    {
      encoding: 'buffer',
      maxBuffer: BIG,
    },
  );
  const samples = new Float32Array(Math.floor(stdout.length / 2));
  for (let index = 0; index < samples.length; index += 1)
    samples[index] = stdout.readInt16LE(index * 2) / 32768;
  return samples;
}

export function rmsDbfs(samples: Float32Array): number {
  let squares = 0;
  for (const sample of samples) squares += sample * sample;
  return 10 * Math.log10(squares / Math.max(samples.length, 1) + 1e-12);
}

export interface SyncMeasurement {
  /** Audio onset minus video onset per flash/beep pair, in ms: positive when audio lags. */
  offsetsMs: number[];
  medianMs: number;
  flashes: number;
  beeps: number;
}

/**
 * A/V offset on the sync test page (a white flash and a 1 kHz beep together once a second): the
 * time between each flash's first bright frame and the onset of its beep, on the file's own timeline.
 */
export async function measureSync(file: string): Promise<SyncMeasurement> {
  const facts = await probeMedia(file);
  const frames = await frameLuma(file);
  const flashTimes: number[] = [];
  frames.forEach((frame, index) => {
    if (frame.luma > 128 && (frames[index - 1]?.luma ?? 0) <= 128) flashTimes.push(frame.time);
  });
  const samples = await audioSamples(file);
  const windowSize = 48;
  const beepTimes: number[] = [];
  let quietSince = 0;
  for (let start = 0; start + windowSize <= samples.length; start += windowSize) {
    let squares = 0;
    for (let index = start; index < start + windowSize; index += 1) squares += (samples[index] ?? 0) ** 2;
    const loud = Math.sqrt(squares / windowSize) > 0.05;
    const time = facts.audio.startTime + start / 48000;
    if (loud && time - quietSince > 0.3) beepTimes.push(time);
    if (loud) quietSince = time;
  }
  const offsetsMs: number[] = [];
  for (const flash of flashTimes) {
    const nearest = beepTimes.reduce(
      (best, beep) => (Math.abs(beep - flash) < Math.abs(best - flash) ? beep : best),
      Number.POSITIVE_INFINITY,
    );
    if (Math.abs(nearest - flash) < 0.5) offsetsMs.push(Math.round((nearest - flash) * 1000));
  }
  const sorted = [...offsetsMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return { offsetsMs, medianMs, flashes: flashTimes.length, beeps: beepTimes.length };
}

/**
 * Every decoded video frame's own presentation time (s, on the file's timeline, as a player shows it)
 * and mean luma (0–255).
 */
export async function frameLuma(file: string): Promise<Array<{ time: number; luma: number }>> {
  const { stdout } = await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-copyts', '-i', file, '-map', '0:v', '-fps_mode', 'passthrough'],
      ...[
        '-vf',
        'scale=64:36,signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-',
        '-f',
        'null',
        '-',
      ],
    ],
    { maxBuffer: BIG },
  );
  const frames: Array<{ time: number; luma: number }> = [];
  let time: number | undefined;
  for (const line of stdout.split('\n')) {
    const pts = line.match(/ pts_time:([\d.]+)/)?.[1];
    if (pts !== undefined) time = Number(pts);
    const luma = line.match(/YAVG=([\d.]+)/)?.[1];
    if (luma !== undefined && time !== undefined) frames.push({ time, luma: Number(luma) });
  }
  return frames;
}

export interface PictureFacts {
  /** Frames per second that differ from the frame before (what the viewer sees move). */
  changingFps: number;
  /** Mean luma of the darkest frame in the first second. */
  firstSecondMinLuma: number;
  /** Frames in the first second that differ from their predecessor. */
  firstSecondChanges: number;
  /** Longest run of identical frames, in seconds. */
  longestFreezeSeconds: number;
}

export async function pictureFacts(file: string, fps = 30): Promise<PictureFacts> {
  const { luma, thumbs } = await videoFrames(file, fps);
  let changes = 0;
  let run = 0;
  let longest = 0;
  let firstSecondChanges = 0;
  thumbs.forEach((thumb, index) => {
    const previous = thumbs[index - 1];
    const changed = previous !== undefined && !thumb.equals(previous);
    if (changed) {
      changes += 1;
      run = 0;
      if (index < fps) firstSecondChanges += 1;
    } else {
      run += 1;
      longest = Math.max(longest, run);
    }
  });
  return {
    changingFps: changes / Math.max(thumbs.length / fps, 1e-9),
    firstSecondMinLuma: Math.min(...luma.slice(0, fps)),
    firstSecondChanges,
    longestFreezeSeconds: longest / fps,
  };
}

/** The types of an MP4's top-level boxes, in order. */
export function topLevelBoxes(data: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 0; offset < data.length; ) {
    const size = data.readUInt32BE(offset);
    types.push(data.toString('latin1', offset + 4, offset + 8));
    offset += size === 1 ? Number(data.readBigUInt64BE(offset + 8)) : size;
  }
  return types;
}

const MATROSKA_NAMES = new Map<number, string>([
  [0x114d9b74, 'SeekHead'],
  [0x1549a966, 'Info'],
  [0x1654ae6b, 'Tracks'],
  [0x1254c367, 'Tags'],
  [0x1f43b675, 'Cluster'],
  [0x1c53bb6b, 'Cues'],
  [0xec, 'Void'],
]);

/** An EBML vint at `offset`: value (marker removed unless `id`), length, and whether it is all ones. */
function ebmlVint(data: Buffer, offset: number, id: boolean) {
  const first = data[offset] ?? 0;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length += 1;
  let value = id ? first : first & (0xff >> length);
  let ones = value === 0xff >> length;
  for (let index = 1; index < length; index += 1) {
    value = value * 256 + (data[offset + index] ?? 0);
    ones &&= data[offset + index] === 0xff;
  }
  return { value, length, unknown: !id && ones };
}

/**
 * The level-1 layout of a Matroska file, read independently of the recorder's own index: element names in
 * order (consecutive clusters as one), the Segment's size (undefined: unknown), Info's Duration in seconds,
 * and the names the SeekHead points at.
 */
export function matroskaLayout(data: Buffer) {
  const ebml = ebmlVint(data, 0, true);
  const ebmlSize = ebmlVint(data, ebml.length, false);
  const segmentAt = ebml.length + ebmlSize.length + ebmlSize.value;
  const segmentId = ebmlVint(data, segmentAt, true);
  const segmentSize = ebmlVint(data, segmentAt + segmentId.length, false);
  const segmentDataStart = segmentAt + segmentId.length + segmentSize.length;
  const elements: string[] = [];
  const seekTargets: string[] = [];
  let duration: number | undefined;
  let timecodeScale = 1_000_000;
  let firstClusterAt = -1;
  let offset = segmentDataStart;
  while (offset < data.length) {
    const id = ebmlVint(data, offset, true);
    const size = ebmlVint(data, offset + id.length, false);
    const body = offset + id.length + size.length;
    const name = MATROSKA_NAMES.get(id.value) ?? id.value.toString(16);
    if (name === 'Cluster' && firstClusterAt < 0) firstClusterAt = offset;
    if (elements.at(-1) !== 'Cluster' || name !== 'Cluster') elements.push(name);
    for (let child = body; (name === 'Info' || name === 'SeekHead') && child < body + size.value; ) {
      const childId = ebmlVint(data, child, true);
      const childSize = ebmlVint(data, child + childId.length, false);
      const childBody = child + childId.length + childSize.length;
      if (childId.value === 0x2ad7b1) timecodeScale = data.readUIntBE(childBody, childSize.value);
      if (childId.value === 0x4489)
        duration = childSize.value === 8 ? data.readDoubleBE(childBody) : data.readFloatBE(childBody);
      if (childId.value === 0x4dbb) {
        const seekId = ebmlVint(data, childBody + 2, false);
        const target = ebmlVint(data, childBody + 2 + seekId.length, true);
        seekTargets.push(MATROSKA_NAMES.get(target.value) ?? target.value.toString(16));
      }
      child = childBody + childSize.value;
    }
    offset = body + size.value;
  }
  return {
    elements,
    segmentDataStart,
    segmentSize: segmentSize.unknown ? undefined : segmentSize.value,
    duration: duration === undefined ? undefined : (duration * timecodeScale) / 1e9,
    seekTargets,
    firstClusterAt,
  };
}
