import { createRecordingsClient, RecordingsApiError, waitForRecording } from '@meeting-recorder/client';

const api = createRecordingsClient({ baseUrl: process.env.API_URL!, apiKey: process.env.API_KEY! });
const { data, error, response } = await api.POST('/v1/recordings', {
  body: {
    meetingId: 'weekly-sync',
    meetingUrl: process.env.MEETING_URL!,
    host: { email: 'host@example.com' },
  },
});
if (!data) throw RecordingsApiError.from(response, error);
const recording = await waitForRecording(api, data.id, ['UPLOADED']);
console.log(recording.status, recording.file?.sizeBytes, recording.email?.linkExpiresAt);
