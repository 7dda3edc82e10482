// The client's opening handshake over plain TCP (ocpp/handshake.ts), through transport.connect as stations use
// it: against raw TCP servers that answer exactly what each test needs, and against the real OCPP server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { acceptFor, judge } from '../../src/ocpp/handshake.js';
import { connect, startOcppServer, type ConnectResult, type WsConnection } from '../../src/ocpp/transport.js';

/** A TCP server that reads one request head and lets `answer` write whatever it likes. */
async function rawServer(answer: (socket: Socket, key: string, request: string) => void): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let text = '';
    socket.on('data', function onData(d: Buffer) {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      const request = text.slice(0, end);
      requests.push(request);
      answer(socket, /sec-websocket-key: (\S+)/i.exec(request)?.[1] ?? '', request);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/ocpp`,
    requests,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

const upgrade = (key: string, extra = 'Sec-WebSocket-Protocol: ocpp2.1\r\n'): string =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n${extra}\r\n`;

/** An unmasked server text frame (RFC 6455 §5.2), payload under 126 bytes. */
const textFrame = (text: string): Buffer => Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);

const events = (got: string[]): { onText(t: string): void; onClose(): void } => ({ onText: (t) => { got.push(t); }, onClose() {} });
const open = (url: string, got: string[] = [], timeoutMs = 2000): Promise<ConnectResult> =>
  connect(`${url}/CS-1`, { protocols: ['ocpp2.1', 'ocpp2.0.1'], handshakeTimeoutMs: timeoutMs, basicAuth: { user: 'CS-1', password: 'pw' } }, events(got));

test('the request is an RFC 6455 upgrade: path with the identity, Host, version 13, a fresh key, offered subprotocols, Basic auth', async () => {
  const srv = await rawServer((s, key) => s.write(upgrade(key)));
  try {
    const a = await open(srv.url);
    const b = await open(srv.url);
    assert.ok(a.ok && b.ok);
    const [first, second] = srv.requests;
    assert.match(first!, /^GET \/ocpp\/CS-1 HTTP\/1\.1\r\n/);
    assert.match(first!, new RegExp(`\\r\\nHost: ${new URL(srv.url).host}\\r\\n`));
    assert.match(first!, /\r\nUpgrade: websocket\r\n/);
    assert.match(first!, /\r\nConnection: Upgrade\r\n/);
    assert.match(first!, /\r\nSec-WebSocket-Version: 13\r\n/);
    assert.match(first!, /\r\nSec-WebSocket-Protocol: ocpp2\.1,ocpp2\.0\.1(\r\n|$)/);
    assert.match(first!, new RegExp(`\\r\\nauthorization: Basic ${Buffer.from('CS-1:pw').toString('base64')}(\\r\\n|$)`));
    const key = (r: string): string => /Sec-WebSocket-Key: (\S+)/.exec(r)![1]!;
    assert.equal(Buffer.from(key(first!), 'base64').length, 16);
    assert.notEqual(key(first!), key(second!));
    if (a.ok) a.conn.terminate();
    if (b.ok) b.conn.terminate();
  } finally {
    await srv.close();
  }
});

test('a frame in the same packet as the 101 response reaches the station, and the station\'s frames are masked', async () => {
  let reply: Buffer | undefined;
  const srv = await rawServer((s, key) => {
    s.write(Buffer.concat([Buffer.from(upgrade(key)), textFrame('[2,"c1","Heartbeat",{}]')]));
    s.once('data', (d: Buffer) => { reply = d; });
  });
  try {
    const got: string[] = [];
    const r = await open(srv.url, got);
    assert.ok(r.ok);
    assert.equal(r.conn.protocol, 'ocpp2.1');
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(got, ['[2,"c1","Heartbeat",{}]']);
    r.conn.send('[3,"c1",{}]');
    for (let i = 0; i < 100 && !reply; i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(reply, 'the server got the answer');
    assert.equal(reply[0], 0x81, 'FIN + text');
    assert.equal(reply[1]! & 0x80, 0x80, 'a client frame is masked');
    const len = reply[1]! & 0x7f;
    const mask = reply.subarray(2, 6);
    const payload = Buffer.from(reply.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]!));
    assert.equal(payload.toString(), '[3,"c1",{}]');
    r.conn.terminate();
  } finally {
    await srv.close();
  }
});

test('a response head split over several packets is read whole', async () => {
  const srv = await rawServer((s, key) => {
    const head = upgrade(key);
    s.write(head.slice(0, 20));
    setTimeout(() => s.write(head.slice(20, 70)), 20);
    setTimeout(() => s.write(head.slice(70)), 40);
  });
  try {
    const r = await open(srv.url);
    assert.ok(r.ok, JSON.stringify(r));
    r.conn.terminate();
  } finally {
    await srv.close();
  }
});

test('refusals are told apart: HTTP status, no or a foreign subprotocol, bad accept, extensions, garbage, silence, a closed port', async () => {
  const cases: { name: string; answer: (s: Socket, key: string) => void; kind: string; status?: number; detail?: RegExp }[] = [
    { name: '401', answer: (s) => s.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'), kind: 'http-status', status: 401 },
    { name: 'no subprotocol', answer: (s, k) => s.write(upgrade(k, '')), kind: 'no-subprotocol' },
    { name: 'foreign subprotocol', answer: (s, k) => s.write(upgrade(k, 'Sec-WebSocket-Protocol: ocpp1.6\r\n')), kind: 'no-subprotocol', detail: /ocpp1\.6/ },
    { name: 'bad accept', answer: (s) => s.write(upgrade('not-the-key')), kind: 'error', detail: /Sec-WebSocket-Accept/ },
    { name: 'extension', answer: (s, k) => s.write(upgrade(k, 'Sec-WebSocket-Protocol: ocpp2.1\r\nSec-WebSocket-Extensions: permessage-deflate\r\n')), kind: 'error', detail: /Extensions/ },
    { name: 'garbage', answer: (s) => s.write('SSH-2.0-OpenSSH\r\n\r\n'), kind: 'error', detail: /not an HTTP response/ },
    { name: 'close', answer: (s) => s.destroy(), kind: 'error', detail: /closed during handshake/ },
    { name: 'silence', answer: () => {}, kind: 'timeout' },
  ];
  for (const c of cases) {
    const srv = await rawServer(c.answer);
    try {
      const r = await open(srv.url, [], 300);
      assert.equal(r.ok, false, c.name);
      if (r.ok) continue;
      assert.equal(r.kind, c.kind, `${c.name}: ${r.detail}`);
      if (c.status !== undefined) assert.equal(r.status, c.status, c.name);
      if (c.detail) assert.match(r.detail, c.detail, c.name);
    } finally {
      await srv.close();
    }
  }
  const gone = await rawServer(() => {});
  await gone.close();
  const r = await open(gone.url);
  assert.equal(r.ok ? 'ok' : r.kind, 'refused');
});

test('judge: header names are case-insensitive, Connection may list several tokens', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  // RFC 6455 §1.3's worked example.
  assert.equal(acceptFor(key), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  const head = `HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-accept: ${acceptFor(key)}\r\nsec-websocket-protocol: ocpp2.0.1`;
  assert.deepEqual(judge(head, key, ['ocpp2.1', 'ocpp2.0.1']), { ok: true, protocol: 'ocpp2.0.1' });
  assert.equal(judge(head.replace('upgrade: WebSocket', 'upgrade: h2c'), key, ['ocpp2.0.1']).ok, false);
});

test('against the real OCPP server: text both ways, close with a code', async () => {
  let serverSide: WsConnection | undefined;
  const got: string[] = [];
  const closed: number[] = [];
  const server = await startOcppServer({
    host: '127.0.0.1', port: 0, protocols: ['ocpp2.0.1'],
    onConnection(conn) { serverSide = conn; return { onText: (t) => { conn.send(`echo:${t}`); }, onClose: (code) => { closed.push(code); } }; },
  });
  try {
    const r = await connect(`${server.url}/ocpp/CS-9`, { protocols: ['ocpp2.1', 'ocpp2.0.1'], handshakeTimeoutMs: 2000 }, events(got));
    assert.ok(r.ok);
    assert.equal(r.conn.protocol, 'ocpp2.0.1');
    r.conn.send('x'.repeat(70_000));
    for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(got[0], `echo:${'x'.repeat(70_000)}`);
    r.conn.close(1000, 'bye');
    for (let i = 0; i < 200 && closed.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(closed, [1000]);
    assert.ok(serverSide);
  } finally {
    await server.close();
  }
});
