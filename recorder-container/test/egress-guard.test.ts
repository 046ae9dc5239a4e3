import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEgressGuard } from '../src/egress-guard.js';
import { REPO_ROOT } from './support/recorder-process.js';
import { type Stage, startStage } from './support/recording-session.js';

/**
 * Everything here may aim at link-local and private addresses, so it runs only inside a network
 * namespace whose one interface is loopback: a guard bug could not send a packet anywhere. Outside,
 * this file creates the namespace (with its own /etc/hosts naming hostile hosts) and runs itself in it.
 */
const INSIDE = process.env['RECORDER_EGRESS_NETNS'] === '1';
const THIS_FILE = fileURLToPath(import.meta.url);

const HOSTS = {
  'metadata.hostile.test': '169.254.169.254',
  'credentials.hostile.test': '169.254.170.2',
  'intranet.hostile.test': '10.0.0.5',
  'ula.hostile.test': 'fd00::5',
};

describe.runIf(!INSIDE)('the egress guard', () => {
  it('holds inside a loopback-only network namespace (see the inner run)', () => {
    const name = `recguard${process.pid}`;
    const etc = `/etc/netns/${name}`;
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      `${etc}/hosts`,
      [
        '127.0.0.1 localhost',
        '::1 localhost',
        ...Object.entries(HOSTS).map(([host, ip]) => `${ip} ${host}`),
        '',
      ].join('\n'),
    );
    writeFileSync(`${etc}/resolv.conf`, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    try {
      const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
      expect(add.status, add.stderr).toBe(0);
      spawnSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
      const inner = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          name,
          process.execPath,
          'node_modules/vitest/vitest.mjs',
          'run',
          '--project',
          'recorder',
          THIS_FILE,
        ],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: { ...process.env, RECORDER_EGRESS_NETNS: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
          timeout: 240_000,
        },
      );
      const output = `${inner.stdout}\n${inner.stderr}`;
      expect(inner.status, output).toBe(0);
      // Every inner test ran and passed; only this outer one is skipped in there.
      expect(output).toMatch(/Tests\s+11 passed \| 1 skipped \(12\)/);
    } finally {
      spawnSync('ip', ['netns', 'del', name]);
      rmSync(etc, { recursive: true, force: true });
    }
  });
});

describe.runIf(INSIDE)('inside the namespace', () => {
  let target: Server;
  let targetConnections = 0;
  let targetPort = 0;
  let stage: Stage;

  beforeAll(async () => {
    target = createServer((_request, response) => response.end('reached'));
    target.on('connection', () => {
      targetConnections += 1;
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetPort = (target.address() as AddressInfo).port;
    stage = await startStage();
  });
  afterAll(async () => {
    await stage?.close();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  it('has nothing but loopback', () => {
    expect(Object.keys(networkInterfaces())).toEqual(['lo']);
  });

  /** Sends one raw request through the proxy and returns its status line. */
  async function throughProxy(proxyUrl: string, request: string): Promise<string> {
    const { port } = new URL(proxyUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('\r\n')) {
          resolve(answer.split('\r\n')[0] ?? '');
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
  }

  it.each([
    [
      'CONNECT 169.254.169.254:443',
      'CONNECT 169.254.169.254:443 HTTP/1.1\r\nHost: 169.254.169.254:443\r\n\r\n',
    ],
    [
      'CONNECT [fd00:ec2::254]:443',
      'CONNECT [fd00:ec2::254]:443 HTTP/1.1\r\nHost: [fd00:ec2::254]:443\r\n\r\n',
    ],
    ['GET http://10.0.0.5/', 'GET http://10.0.0.5/ HTTP/1.1\r\nHost: 10.0.0.5\r\n\r\n'],
    [
      'GET http://metadata.hostile.test/',
      'GET http://metadata.hostile.test/ HTTP/1.1\r\nHost: metadata.hostile.test\r\n\r\n',
    ],
    ['GET http://[::ffff:a9fe:a9fe]/', 'GET http://[::ffff:a9fe:a9fe]/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'upgrade ws://192.168.1.1/',
      'GET ws://192.168.1.1/ HTTP/1.1\r\nHost: 192.168.1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    ],
    ['GET ftp://intranet.hostile.test/', 'GET ftp://intranet.hostile.test/ HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('refuses %s with 403', async (_what, request) => {
    const guard = await startEgressGuard({ loopbackPorts: [targetPort] });
    try {
      expect(await throughProxy(guard.proxyUrl, request)).toMatch(/^HTTP\/1\.1 403/);
    } finally {
      await guard.close();
    }
  });

  it('refuses loopback outside local mode before connecting, and passes it in local mode on its ports only', async () => {
    const production = await startEgressGuard({ loopbackPorts: [] });
    const local = await startEgressGuard({ loopbackPorts: [targetPort] });
    try {
      // Another local service: here the guard's own port.
      const otherPort = Number(new URL(local.proxyUrl).port);
      const elsewhere = `GET http://127.0.0.1:${otherPort}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      expect(await throughProxy(local.proxyUrl, elsewhere)).toMatch(/^HTTP\/1\.1 403/);
      const before = targetConnections;
      const get = `GET http://127.0.0.1:${targetPort}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      const tunnel = `CONNECT localhost:${targetPort} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
      expect(await throughProxy(production.proxyUrl, get)).toMatch(/403/);
      expect(await throughProxy(production.proxyUrl, tunnel)).toMatch(/403/);
      expect(targetConnections).toBe(before);
      expect(await throughProxy(local.proxyUrl, get)).toMatch(/^HTTP\/1\.1 200/);
      expect(targetConnections).toBe(before + 1);
    } finally {
      await production.close();
      await local.close();
    }
  });

  it('keeps a hostile meeting page from every forbidden destination, redirects included', async () => {
    const targets = [
      'http://169.254.169.254/latest/meta-data/',
      'http://169.254.170.2/v2/credentials/',
      'https://10.0.0.5/',
      'http://192.168.1.1:8080/',
      'http://172.16.0.1/',
      'http://[fd00::5]/',
      'http://[::ffff:169.254.169.254]/',
      'ws://172.17.0.1/socket',
      'wss://10.1.1.1/socket',
      'http://metadata.hostile.test/',
      'https://credentials.hostile.test/',
      'http://ula.hostile.test/',
      `${stage.meeting.origin}/redirect?to=${encodeURIComponent('http://intranet.hostile.test/')}`,
      'file:///etc/passwd',
    ];
    const page = `/meeting?hostile=1&end=6&targets=${encodeURIComponent(targets.join(','))}`;
    const recording = stage.record(page);
    expect(await recording.process.exited).toBe(0);

    const blockedHosts = recording.process.events
      .filter((event) => event.event === 'egress_blocked')
      .map((event) => String(event['host']).replace(/^\[|\]$/g, ''));
    const connectedHosts = recording.process.events
      .filter((event) => event.event === 'egress_connect' || event.event === 'egress_failed')
      .map((event) => String(event['host']));
    for (const host of [
      '169.254.169.254',
      '169.254.170.2',
      '10.0.0.5',
      '192.168.1.1',
      '172.16.0.1',
      'fd00::5',
      '::ffff:a9fe:a9fe',
      '172.17.0.1',
      '10.1.1.1',
      'metadata.hostile.test',
      'credentials.hostile.test',
      'ula.hostile.test',
      'intranet.hostile.test',
    ]) {
      expect(blockedHosts, host).toContain(host);
    }
    expect(connectedHosts.every((host) => host === '127.0.0.1')).toBe(true);
  });

  it('refuses a meeting URL whose name resolves to the metadata endpoint before starting anything', async () => {
    const recording = stage.record('/meeting', {
      MEETING_URL: 'https://metadata.hostile.test/meeting',
      ALLOWED_MEETING_ORIGINS: '*.hostile.test',
      ALLOW_LOOPBACK_HTTP: 'false',
    });
    expect(await recording.process.exited).toBe(1);
    expect(recording.process.find('task_failed')).toMatchObject({ error: 'Recorder.UrlRefused' });
    expect(String(recording.process.find('task_failed')?.['cause'])).toContain('link-local');
  });
});
