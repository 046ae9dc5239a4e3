import { describe, expect, it } from 'vitest';
import { type AddressClass, classifyAddress, isAddressAllowed } from '../../lambdas/domain/address-policy.js';
import { parseAllowedOrigins as parseOriginPatterns } from '../../lambdas/domain/meeting-url.js';
import { Mp4BoxBoundaries } from '../src/box-boundaries.js';
import { checkMeetingUrl } from '../src/meeting-url-policy.js';

describe('classifyAddress', () => {
  it.each<[string, AddressClass]>([
    ['169.254.169.254', 'link-local'],
    ['169.254.170.2', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['[fe80::1%eth0]', 'link-local'],
    ['fd00:ec2::254', 'private'],
    ['fc00::1', 'private'],
    ['ff02::1', 'multicast'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:0808:0808::1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['example.com', 'invalid'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('allows loopback only in local mode and only on its ports, public always, nothing else', () => {
    const local = { loopbackPorts: [8080] };
    expect(isAddressAllowed('127.0.0.1', 8080, { loopbackPorts: [] })).toBe(false);
    expect(isAddressAllowed('127.0.0.1', 8080, local)).toBe(true);
    expect(isAddressAllowed('::1', 8080, local)).toBe(true);
    expect(isAddressAllowed('127.0.0.1', 5432, local)).toBe(false);
    expect(isAddressAllowed('93.184.216.34', 443, { loopbackPorts: [] })).toBe(true);
    expect(isAddressAllowed('169.254.169.254', 8080, local)).toBe(false);
    expect(isAddressAllowed('10.0.0.1', 8080, local)).toBe(false);
  });
});

describe('checkMeetingUrl', () => {
  const production = {
    allowedOrigins: parseOriginPatterns('meet.example.com, *.video.example.org'),
    allowLoopbackHttp: false,
  };
  const local = { ...production, allowLoopbackHttp: true };

  it('accepts https on an allowed host', () => {
    expect(checkMeetingUrl('https://meet.example.com/r/1?bot=1', production).ok).toBe(true);
    expect(checkMeetingUrl('https://a.b.video.example.org/x', production).ok).toBe(true);
  });

  it.each([
    ['http://meet.example.com/', 'must use https'],
    ['https://video.example.org/', 'allow-list'],
    ['https://evilvideo.example.org/', 'allow-list'],
    ['https://other.example.com/', 'allow-list'],
    ['file:///etc/passwd', 'must use https'],
    ['chrome://settings', 'must use https'],
    ['javascript:alert(1)', 'must use https'],
    ['data:text/html,hi', 'must use https'],
    ['ftp://meet.example.com/', 'must use https'],
    ['https://user:secret@meet.example.com/', 'must not carry credentials'],
    ['not a url', 'must be an absolute URL'],
    ['http://127.0.0.1:8080/meeting', 'must use https'],
    ['https://localhost/meeting', 'public host'],
  ])('refuses %s in production (%s)', (url, reason) => {
    const verdict = checkMeetingUrl(url, production);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(reason);
  });

  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.8/',
    'https://[fd00:ec2::254]/',
    'https://[::ffff:169.254.169.254]/',
    'https://0x7f.1/',
  ])('refuses the address %s even when every host is allowed', (url) => {
    expect(checkMeetingUrl(url, { allowedOrigins: ['*'], allowLoopbackHttp: false }).ok).toBe(false);
  });

  it('allows loopback http only in local mode', () => {
    expect(checkMeetingUrl('http://127.0.0.1:4000/meeting', local).ok).toBe(true);
    expect(checkMeetingUrl('http://localhost:4000/meeting', local).ok).toBe(true);
    expect(checkMeetingUrl('http://[::1]:4000/meeting', local).ok).toBe(true);
    expect(checkMeetingUrl('http://10.0.0.1:4000/meeting', local).ok).toBe(false);
    expect(checkMeetingUrl('http://169.254.169.254/', local).ok).toBe(false);
  });

  it('matches host patterns', () => {
    const allowed = (host: string, pattern: string) =>
      checkMeetingUrl(`https://${host}/`, { allowedOrigins: [pattern], allowLoopbackHttp: false }).ok;
    expect(allowed('a.example.com', '*.example.com')).toBe(true);
    expect(allowed('example.com', '*.example.com')).toBe(false);
    expect(allowed('badexample.com', '*.example.com')).toBe(false);
    expect(allowed('anything.net', '*')).toBe(true);
  });
});

describe('Mp4BoxBoundaries', () => {
  function box(type: string, payload: number): Buffer {
    const data = Buffer.alloc(8 + payload, 7);
    data.writeUInt32BE(8 + payload, 0);
    data.write(type, 4, 'latin1');
    return data;
  }
  function largeBox(type: string, payload: number): Buffer {
    const data = Buffer.alloc(16 + payload, 9);
    data.writeUInt32BE(1, 0);
    data.write(type, 4, 'latin1');
    data.writeBigUInt64BE(BigInt(16 + payload), 8);
    return data;
  }

  it('reports the end of the last whole box, whatever the chunking', () => {
    const stream = Buffer.concat([
      box('ftyp', 20),
      box('moov', 300),
      box('moof', 50),
      largeBox('mdat', 1000),
      box('moof', 40),
    ]);
    const wholeEnds = [28, 336, 394, 1410, 1458];
    for (const chunkSize of [1, 3, 7, 64, 5000]) {
      const boundaries = new Mp4BoxBoundaries();
      for (let offset = 0; offset < stream.length - 10; offset += chunkSize) {
        const end = Math.min(offset + chunkSize, stream.length - 10);
        const reported = boundaries.push(stream.subarray(offset, end));
        expect(reported).toBe(Math.max(0, ...wholeEnds.filter((boxEnd) => boxEnd <= end)));
      }
    }
  });
});
