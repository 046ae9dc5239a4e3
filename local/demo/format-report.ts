import type { DemoReport } from './run-demo.js';

const time = (iso: string | null) => (iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '—');

/** The demo's report as a few readable lines. */
export function formatReport(report: DemoReport): string {
  const file = report.recording.file as {
    name?: string;
    sizeBytes?: number;
    durationSeconds?: number;
    videoCodec?: string;
    audioCodec?: string;
    width?: number;
    height?: number;
  } | null;
  const { probe } = report;
  return [
    `Recording ${report.recordingId} of ${report.meetingUrl}`,
    '',
    'States',
    ...report.states.map(({ status, at }) => `  ${status.padEnd(10)} ${time(at)}`),
    '',
    'File',
    `  name       ${file?.name ?? '—'}`,
    `  API says   ${file?.sizeBytes ?? '?'} bytes, ${file?.durationSeconds ?? '?'} s, ${file?.videoCodec ?? '?'}/${file?.audioCodec ?? '?'}, ${file?.width ?? '?'}x${file?.height ?? '?'}`,
    `  ffprobe    ${probe.formatName}, ${probe.durationSeconds.toFixed(1)} s, ${probe.sizeBytes} bytes, video ${probe.video ? `${probe.video.codec} ${probe.video.width}x${probe.video.height}` : 'none'}, audio ${probe.audio ? `${probe.audio.codec} ${probe.audio.sampleRate} Hz` : 'none'}`,
    `  saved as   ${report.download.path}`,
    '',
    'Email to the host',
    `  to         ${report.email.to}`,
    `  subject    ${report.email.subject}`,
    `  link       ${report.email.link}`,
    '',
    `Stop → email: ${report.stopToEmailSeconds.toFixed(1)} s`,
  ].join('\n');
}
