import { describe, expect, it } from 'vitest';
import {
  isNonPublicAddress,
  meetingUrlProblem,
  parseAllowedOrigins,
} from '../../lambdas/domain/meeting-url.js';

const policy = {
  allowedOrigins: parseAllowedOrigins(' meet.example.com, *.example.org '),
  allowLoopbackHttp: false,
};

describe('meetingUrlProblem', () => {
  it.each([
    'https://meet.example.com/r/1',
    'https://MEET.example.com:8443/r/1?x=1#y',
    'https://a.example.org/r',
    'https://deep.a.example.org/r',
  ])('accepts %s', (url) => {
    expect(meetingUrlProblem(url, policy)).toBeNull();
  });

  it.each([
    ['not a url', 'absolute'],
    ['/relative/path', 'absolute'],
    ['http://meet.example.com/r/1', 'https'],
    ['ftp://meet.example.com/', 'https'],
    ['file:///etc/passwd', 'https'],
    ['javascript:alert(1)', 'https'],
    ['data:text/html,<h1>x', 'https'],
    ['chrome://settings', 'https'],
    ['https://user:pass@meet.example.com/', 'credentials'],
    ['https://example.org/', 'allow-list'],
    ['https://evilexample.org/', 'allow-list'],
    ['https://meet.example.com.evil.net/', 'allow-list'],
    ['https://169.254.169.254/latest/meta-data/', 'private'],
    ['https://169.254.170.2/v2/credentials', 'private'],
    ['https://10.1.2.3/', 'private'],
    ['https://172.16.0.1/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://127.0.0.1/', 'private'],
    ['https://0.0.0.0/', 'private'],
    ['https://[::1]/', 'private'],
    ['https://[fd00::1]/', 'private'],
    ['https://[fe80::1]/', 'private'],
    ['https://[::ffff:169.254.169.254]/', 'private'],
    ['https://0x7f000001/', 'private'],
    ['https://2130706433/', 'private'],
    ['https://localhost/', 'public host'],
    ['https://metadata.google.internal/', 'public host'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(meetingUrlProblem(url, policy)).toContain(reason);
  });

  it('accepts any public host with the wildcard, but never an internal address', () => {
    const open = { allowedOrigins: ['*'], allowLoopbackHttp: false };
    expect(meetingUrlProblem('https://any.where.example/', open)).toBeNull();
    expect(meetingUrlProblem('https://8.8.8.8/', open)).toBeNull();
    expect(meetingUrlProblem('https://169.254.169.254/', open)).not.toBeNull();
  });

  it('accepts loopback http only in local mode', () => {
    const local = { allowedOrigins: [], allowLoopbackHttp: true };
    expect(meetingUrlProblem('http://127.0.0.1:4800/meeting', local)).toBeNull();
    expect(meetingUrlProblem('http://localhost:4800/meeting', local)).toBeNull();
    expect(meetingUrlProblem('http://10.0.0.1/meeting', local)).not.toBeNull();
    expect(meetingUrlProblem('http://127.0.0.1:4800/meeting', policy)).not.toBeNull();
  });
});

describe('isNonPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700::1111', '100.128.0.1'])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
  it.each([
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    'not-an-ip',
  ])('%s is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });
});
