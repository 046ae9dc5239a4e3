/**
 * S3 unreachable for 10 minutes in the middle of a 1080p recording, at the recorder's real defaults
 * (8 MiB parts, 30 s request timeout, 5-minute retry window, the spool under the OS temp dir): local mode
 * with the real recorder inside a loopback-only network namespace, packets to s3rver dropped. Prints
 * what was lost (recorded wall time against the file's duration), the backlog the recorder held, and the
 * time from the stop to the email. Needs root, ip and iptables.
 *
 * Options: --partition-seconds 600 --before 30 --after 30 --resolution 1080p
 */
import { createNetworkNamespace, partitionUnsupported } from '../test/support/network-partition.js';
import { recordThroughPartition } from '../test/support/partitioned-recording.js';
import { option } from './support/args.js';
import { fixed, table, writeResult } from './support/report.js';

const PARTITION_SECONDS = Number(option('partition-seconds', '600'));
const BEFORE_SECONDS = Number(option('before', '30'));
const AFTER_SECONDS = Number(option('after', '30'));
const RESOLUTION = option('resolution', '1080p') === '720p' ? '720p' : '1080p';

const unsupported = partitionUnsupported();
if (unsupported) {
  console.error(`partition-s3: ${unsupported}`);
  process.exit(1);
}
const namespace = createNetworkNamespace('benchs3part');
let outcome: Awaited<ReturnType<typeof recordThroughPartition>>;
const startedAt = Date.now();
try {
  outcome = await recordThroughPartition(namespace, {
    service: 's3',
    beforeSeconds: BEFORE_SECONDS,
    partitionSeconds: PARTITION_SECONDS,
    afterSeconds: AFTER_SECONDS,
    resolution: RESOLUTION,
    progress: (message) => console.error(message),
  });
} finally {
  namespace.remove();
}
const { recording, peakBacklog } = outcome;
const stopToEmailSeconds =
  (Date.parse(String((recording.email as { sentAt?: string } | null)?.sentAt ?? Number.NaN)) -
    Date.parse(String(recording.stoppedAt))) /
  1000;
console.log(
  table(
    [
      'S3 partition',
      'status',
      'partial',
      'emails',
      'recorded s',
      'file s',
      'lost s',
      'peak parts',
      'peak MiB',
      'oldest s',
      'stop → email s',
    ],
    [
      [
        `${fixed(outcome.partitionedSeconds, 0)} s at ${RESOLUTION}`,
        recording.status,
        String(recording.partial),
        String(outcome.emails.length),
        fixed(outcome.recordedSeconds),
        fixed(outcome.fileSeconds),
        fixed(outcome.lostSeconds),
        String(peakBacklog.parts),
        fixed(peakBacklog.bytes / 1024 / 1024, 2),
        fixed(peakBacklog.oldestWaitingMs / 1000, 0),
        fixed(stopToEmailSeconds),
      ],
    ],
  ),
);
const path = writeResult('partition-s3', {
  method:
    'local mode in a loopback-only network namespace, the real recorder at its default upload settings, the demo meeting; iptables DROP of the s3rver port mid-recording; stopped through the API',
  settings: {
    partitionSeconds: PARTITION_SECONDS,
    beforeSeconds: BEFORE_SECONDS,
    afterSeconds: AFTER_SECONDS,
    resolution: RESOLUTION,
  },
  outcome: {
    status: recording.status,
    partial: recording.partial,
    emails: outcome.emails.length,
    recordedSeconds: outcome.recordedSeconds,
    fileSeconds: outcome.fileSeconds,
    lostSeconds: outcome.lostSeconds,
    partitionedSeconds: outcome.partitionedSeconds,
    peakBacklog,
    stopToEmailSeconds,
  },
  wallSeconds: (Date.now() - startedAt) / 1000,
});
console.log(`\nwritten to ${path}`);
const whole = recording.status === 'UPLOADED' && recording.partial === false && outcome.emails.length === 1;
if (!whole || Math.abs(outcome.lostSeconds) > 3) process.exitCode = 1;
