import { describe, expect, it } from 'vitest';
import {
  newLinkToken,
  newRecordingId,
  recordingFileName,
  recordingPrefix,
} from '../../lambdas/domain/names.js';
import { RECORDING_ID_PATTERN } from '../../lambdas/http/schemas.js';

const startedAt = '2026-11-23T09:41:07.123Z';

describe('recordingFileName', () => {
  it('names the file after the title and the start time', () => {
    expect(recordingFileName({ meetingTitle: 'Weekly sync', meetingId: 'w', startedAt, format: 'mp4' })).toBe(
      'Weekly sync-2026-11-23T09-41-07Z.mp4',
    );
  });

  it.each([
    ['../../etc/passwd', 'etc passwd'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a b c d e f g h i j'],
    ['line\r\nbreak\u0000', 'line break'],
    ['...hidden', 'hidden'],
    ['CON', 'weekly'],
    ['   ', 'weekly'],
    ['Réunion 周会 🎉', 'Réunion 周会 🎉'],
  ])('makes %j safe', (title, base) => {
    const name = recordingFileName({ meetingTitle: title, meetingId: 'weekly', startedAt, format: 'mkv' });
    expect(name).toBe(`${base}-2026-11-23T09-41-07Z.mkv`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting control characters are gone
    expect(name).not.toMatch(/[/\\:*?"<>|\u0000-\u001f]|^\./);
  });

  it('bounds the length without splitting characters', () => {
    const name = recordingFileName({
      meetingTitle: '🎉'.repeat(300),
      meetingId: 'w',
      startedAt,
      format: 'mp4',
    });
    expect(Array.from(name.split('-')[0]!)).toHaveLength(45);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name).not.toContain('\ufffd');
  });
});

describe('ids and keys', () => {
  it('makes recording ids the API accepts, unique and sortable by time', () => {
    const ids = Array.from({ length: 100 }, newRecordingId);
    for (const id of ids) expect(id).toMatch(RECORDING_ID_PATTERN);
    expect(new Set(ids).size).toBe(100);
  });

  it('makes 256-bit URL-safe link tokens', () => {
    expect(newLinkToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps every key under its client, meeting and recording prefix', () => {
    expect(recordingPrefix('acme', 'team:sync.1', 'rec_1')).toBe('recordings/acme/team:sync.1/rec_1/');
    expect(recordingPrefix('..', '.', 'rec_1')).toBe('recordings/__/_/rec_1/');
  });
});
