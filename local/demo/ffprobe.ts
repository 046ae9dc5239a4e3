import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface MediaFacts {
  readonly formatName: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
  readonly video?: { codec: string; width: number; height: number };
  readonly audio?: { codec: string; sampleRate: number; channels: number };
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; size?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    sample_rate?: string;
    channels?: number;
  }[];
}

/** What ffprobe says about a media file. */
export async function probeMedia(path: string): Promise<MediaFacts> {
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    path,
  ]);
  const json = JSON.parse(stdout) as FfprobeJson;
  const video = json.streams?.find((stream) => stream.codec_type === 'video');
  const audio = json.streams?.find((stream) => stream.codec_type === 'audio');
  return {
    formatName: json.format?.format_name ?? '',
    durationSeconds: Number(json.format?.duration ?? 0),
    sizeBytes: Number(json.format?.size ?? 0),
    ...(video
      ? { video: { codec: video.codec_name ?? '', width: video.width ?? 0, height: video.height ?? 0 } }
      : {}),
    ...(audio
      ? {
          audio: {
            codec: audio.codec_name ?? '',
            sampleRate: Number(audio.sample_rate ?? 0),
            channels: audio.channels ?? 0,
          },
        }
      : {}),
  };
}
