/**
 * CloudWatch metrics as embedded metric format: one JSON object per line on stdout, which CloudWatch
 * Logs turns into metrics as it ingests the task's log (the awslogs driver sends stdout as it is).
 */
export function emitMetrics(
  values: Record<string, { value: number; unit: 'Count' | 'Bytes' | 'Seconds' }>,
  namespace = process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'MeetingRecorder',
): void {
  const metrics = Object.entries(values).map(([name, { unit }]) => ({ Name: name, Unit: unit }));
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Service']], Metrics: metrics }],
    },
    Service: 'recorder',
    ...Object.fromEntries(Object.entries(values).map(([name, { value }]) => [name, value])),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
