import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedFile {
  durationSeconds: number;
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  duration?: string;
}

function rate(fraction: string | undefined): number | null {
  if (!fraction) return null;
  const [numerator = 0, denominator = 1] = fraction.split('/').map(Number);
  return denominator > 0 ? numerator / denominator : null;
}

/** ffprobe of a file or URL: the streams it holds and its real duration. */
export async function probeFile(source: string, timeoutMs = 60_000): Promise<ProbedFile> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_entries',
      'format=duration:stream=codec_type,codec_name,width,height,avg_frame_rate,duration',
      '-of',
      'json',
      source,
    ],
    { timeout: timeoutMs, maxBuffer: 1024 * 1024 },
  );
  const parsed = JSON.parse(stdout) as { format?: { duration?: string }; streams?: FfprobeStream[] };
  const video = parsed.streams?.find((stream) => stream.codec_type === 'video');
  const audio = parsed.streams?.find((stream) => stream.codec_type === 'audio');
  return {
    durationSeconds: Number(parsed.format?.duration ?? video?.duration ?? 0),
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    frameRate: rate(video?.avg_frame_rate),
  };
}
