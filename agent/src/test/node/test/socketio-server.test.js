import assert from 'node:assert/strict';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { Client, assertDelays, sleep, startServer } from './helpers.js';

const ENGINE_PATH = '/socket.io/?EIO=4&transport=websocket';

/** A socket.io-client socket (websocket transport only, as Docmost's client) once connected. */
async function connect(port, { namespace = '', ...options } = {}) {
  const socket = io(`http://127.0.0.1:${port}${namespace}`, { transports: ['websocket'], reconnection: false, ...options });
  await once(socket, 'connect');
  return socket;
}

/** Resolves with the arguments of the next `event`, or null after `ms`. */
function nextEvent(socket, event, ms = 1000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.off(event, handler); resolve(null); }, ms);
    const handler = (...args) => { clearTimeout(timer); resolve({ args, at: performance.now() }); };
    socket.once(event, handler);
  });
}

describe('socketio-server.js', () => {
  let server;
  before(async () => { server = await startServer('socketio-server.js', ['--namespace', '/ns']); });
  after(() => server.stop());

  it('speaks Engine.IO 4 / Socket.IO 5 packets on a direct websocket', async () => {
    const raw = await Client.open(`ws://127.0.0.1:${server.port}${ENGINE_PATH}`);
    const open = (await raw.next()).text;
    assert.match(open, /^0\{/);
    const handshake = JSON.parse(open.slice(1));
    assert.equal(typeof handshake.sid, 'string');
    assert.deepEqual(handshake.upgrades, []);
    assert.equal(handshake.pingInterval, 25000);
    assert.equal(handshake.pingTimeout, 20000);
    assert.equal(handshake.maxPayload, 1000000);

    raw.send('40');
    assert.match((await raw.next()).text, /^40\{"sid":"[^"]+"\}$/);
    raw.send('40/ns,');
    assert.match((await raw.next()).text, /^40\/ns,\{"sid":"[^"]+"\}$/);
    raw.send('421["join","raw-room"]');
    assert.equal((await raw.next()).text, '431["raw-room"]');

    const peer = await connect(server.port);
    peer.emit('join', 'raw-room');
    await sleep(50);
    const event = nextEvent(peer, 'message');
    raw.send('42["message",{"operation":"refetchRootTreeNodeEvent","spaceId":"s1"}]');
    assert.deepEqual((await event).args, [{ operation: 'refetchRootTreeNodeEvent', spaceId: 's1' }]);
    peer.emit('message', { back: 1 });
    assert.equal((await raw.next()).text, '42["message",{"back":1}]');
    raw.close();
    peer.close();
  });

  it('relays an event to the other sockets of the sender\'s rooms only', async () => {
    const [a, b, c, outsider] = await Promise.all([1, 2, 3, 4].map(() => connect(server.port)));
    assert.equal(await a.emitWithAck('join', 'room-1'), 'room-1');
    assert.equal(await b.emitWithAck('join', 'room-1'), 'room-1');
    assert.equal(await c.emitWithAck('join', 'room-1'), 'room-1');
    await outsider.emitWithAck('join', 'room-2');
    const received = [b, c, a, outsider].map((socket) => nextEvent(socket, 'probe', 400));
    a.emit('probe', { id: 42 }, 'second');
    const [atB, atC, atA, atOutsider] = await Promise.all(received);
    assert.deepEqual(atB.args, [{ id: 42 }, 'second']);
    assert.deepEqual(atC.args, [{ id: 42 }, 'second']);
    assert.equal(atA, null, 'the sender must not get its own event');
    assert.equal(atOutsider, null, 'another room must not get it');
    [a, b, c, outsider].forEach((socket) => socket.close());
  });

  it('relays to all other sockets when the sender joined no room', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => connect(server.port)));
    await b.emitWithAck('join', 'some-room');
    const received = [b, c, a].map((socket) => nextEvent(socket, 'hello', 400));
    a.emit('hello', 1);
    const [atB, atC, atA] = await Promise.all(received);
    assert.deepEqual(atB.args, [1]);
    assert.deepEqual(atC.args, [1]);
    assert.equal(atA, null);
    [a, b, c].forEach((socket) => socket.close());
  });

  it('relays within a namespace', async () => {
    const [a, b, root] = await Promise.all([
      connect(server.port, { namespace: '/ns' }), connect(server.port, { namespace: '/ns' }), connect(server.port),
    ]);
    await a.emitWithAck('join', 'r');
    await b.emitWithAck('join', 'r');
    await root.emitWithAck('join', 'r');
    const received = [b, root].map((socket) => nextEvent(socket, 'e', 400));
    a.emit('e', 'x');
    const [atB, atRoot] = await Promise.all(received);
    assert.deepEqual(atB.args, ['x']);
    assert.equal(atRoot, null, 'rooms belong to one namespace');
    [a, b, root].forEach((socket) => socket.close());
  });
});

describe('socketio-server.js --token T', () => {
  let server;
  before(async () => { server = await startServer('socketio-server.js', ['--token', 'sekret']); });
  after(() => server.stop());

  it('refuses a connect without the token with 44{"message":"Unauthorized"}', async () => {
    const raw = await Client.open(`ws://127.0.0.1:${server.port}${ENGINE_PATH}`);
    assert.match((await raw.next()).text, /^0\{/);
    raw.send('40');
    assert.equal((await raw.next()).text, '44{"message":"Unauthorized"}');
    raw.send('40{"token":"wrong"}');
    assert.equal((await raw.next()).text, '44{"message":"Unauthorized"}');
    raw.send('40{"token":"sekret"}');
    assert.match((await raw.next()).text, /^40\{"sid":"[^"]+"\}$/);
    raw.close();
  });

  it('accepts the authToken cookie on the upgrade request', async () => {
    const raw = await Client.open(`ws://127.0.0.1:${server.port}${ENGINE_PATH}`, { headers: { Cookie: 'theme=dark; authToken=sekret' } });
    await raw.next();
    raw.send('40');
    assert.match((await raw.next()).text, /^40\{"sid":"[^"]+"\}$/);
    raw.close();
  });

  it('socket.io-client: auth.token connects, a wrong one gets connect_error Unauthorized', async () => {
    const good = await connect(server.port, { auth: { token: 'sekret' } });
    assert.ok(good.connected);
    good.close();
    const bad = io(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], reconnection: false, auth: { token: 'nope' } });
    const [error] = await once(bad, 'connect_error');
    assert.equal(error.message, 'Unauthorized');
    bad.close();
  });
});

describe('socketio-server.js --delay-ms 100 --auto-join space-1', () => {
  let server;
  before(async () => { server = await startServer('socketio-server.js', ['--delay-ms', '100', '--auto-join', 'space-1']); });
  after(() => server.stop());

  it('relays 100 ms late to the auto-joined room', async () => {
    const [a, b] = await Promise.all([connect(server.port), connect(server.port)]);
    const delays = [];
    for (let i = 0; i < 5; i++) {
      const event = nextEvent(b, 'message', 1000);
      const sentAt = performance.now();
      a.emit('message', { i });
      const received = await event;
      assert.deepEqual(received.args, [{ i }]);
      delays.push(received.at - sentAt);
    }
    assertDelays(delays, 100);
    a.close();
    b.close();
  });
});

describe('socketio-server.js --drop-all', () => {
  let server;
  before(async () => { server = await startServer('socketio-server.js', ['--drop-all']); });
  after(() => server.stop());

  it('relays nothing', async () => {
    const [a, b] = await Promise.all([connect(server.port), connect(server.port)]);
    await a.emitWithAck('join', 'r');
    await b.emitWithAck('join', 'r');
    const event = nextEvent(b, 'message', 300);
    a.emit('message', 'lost');
    assert.equal(await event, null);
    assert.ok(b.connected);
    a.close();
    b.close();
  });
});

describe('socketio-server.js --ping-interval-ms 200 --ping-timeout-ms 200', () => {
  let server;
  before(async () => {
    server = await startServer('socketio-server.js', ['--ping-interval-ms', '200', '--ping-timeout-ms', '200', '--websocket-only']);
  });
  after(() => server.stop());

  it('pings with "2"; a client answering "3" stays, a silent one is closed', async () => {
    const url = `ws://127.0.0.1:${server.port}${ENGINE_PATH}`;
    const [polite, silent] = await Promise.all([Client.open(url), Client.open(url)]);
    for (const client of [polite, silent]) {
      const handshake = JSON.parse((await client.next()).text.slice(1));
      assert.equal(handshake.pingInterval, 200);
      assert.equal(handshake.pingTimeout, 200);
      client.send('40');
      assert.match((await client.next()).text, /^40/);
    }
    for (let i = 0; i < 4; i++) {
      assert.equal((await polite.next(1000)).text, '2');
      polite.send('3');
    }
    const closed = await Promise.race([silent.closed, sleep(2000).then(() => null)]);
    assert.ok(closed, 'a client that never answers "3" must be closed');
    assert.equal(polite.ws.readyState, polite.ws.OPEN);
    polite.close();
  });
});
