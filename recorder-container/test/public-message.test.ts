import { describe, expect, it } from 'vitest';
import { publicMessage } from '../src/public-message.js';

describe('the failure message the client sees', () => {
  it.each([
    [
      'UploadPart 1 failed: connect ETIMEDOUT 127.0.0.1:47101',
      'UploadPart 1 failed: connect ETIMEDOUT <address>',
    ],
    ['getaddrinfo ENOTFOUND my-bucket.s3.eu-west-1.amazonaws.com', 'getaddrinfo ENOTFOUND <host>'],
    ['connect ECONNREFUSED [::1]:4569', 'connect ECONNREFUSED <address>'],
    ['connect EHOSTUNREACH fd00::5:443', 'connect EHOSTUNREACH <address>'],
    ['request to http://169.254.170.2/v2/credentials/abc failed', 'request to <url> failed'],
    ['ip-10-0-1-23.ec2.internal refused', '<host> refused'],
  ])('%s → %s', (message, expected) => {
    expect(publicMessage(message)).toBe(expected);
  });

  it("keeps the meeting's own host, which the client gave, and plain text", () => {
    expect(
      publicMessage(
        'meeting URL refused: meet.example.com resolves to 10.0.0.5 (private)',
        'https://meet.example.com/x',
      ),
    ).toBe('meeting URL refused: meet.example.com resolves to <address> (private)');
    expect(publicMessage('stopped at 01:35:38 after 2.5 s: the encoder produced no complete fragment')).toBe(
      'stopped at 01:35:38 after 2.5 s: the encoder produced no complete fragment',
    );
  });
});
