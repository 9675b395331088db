// Checks ywebsocket-server.js with a raw WebSocket client whose frames are built by hand from the
// reference doc: the Hocuspocus message types without the document-name prefix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, assertDelays, awarenessUpdate, bytes, hex, randomClientId, startServer, varBytes } from './helpers.js';

const SERVER_SYNC_STEP1_EMPTY = '00000100'; // 00 00 varBytes(empty state vector)
const awareness = (entries) => bytes(1, varBytes(awarenessUpdate(entries)));

describe('ywebsocket-server.js', () => {
  let server;
  before(async () => { server = await startServer('ywebsocket-server.js'); });
  after(() => server.stop());

  it('speaks first with SyncStep1; answers SyncStep1 with SyncStep2', async () => {
    const client = await Client.open(`ws://127.0.0.1:${server.port}/room-sync`);
    const first = await client.next();
    assert.equal(first.isBinary, true);
    assert.equal(hex(first.data), SERVER_SYNC_STEP1_EMPTY);
    client.send(bytes(0, 0, 1, 0));
    assert.equal(hex((await client.next()).data), '0001020000'); // 00 01 varBytes(empty update)
    client.send(bytes(0, 1, 2, 0, 0)); // an empty SyncStep2 is not acknowledged
    await client.expectSilence(200);
    client.close();
  });

  it('broadcasts an awareness update to every connection of the room, sender included', async () => {
    const url = `ws://127.0.0.1:${server.port}/room-aw`;
    const [a, b, other] = await Promise.all([Client.open(url), Client.open(url), Client.open(`ws://127.0.0.1:${server.port}/room-other`)]);
    for (const client of [a, b, other]) {
      assert.equal(hex((await client.next()).data), SERVER_SYNC_STEP1_EMPTY);
    }
    const clientId = randomClientId();
    const marker = awareness([{ clientId, clock: 1, state: { probe: { id: 'y1' } } }]);
    a.send(marker);
    assert.equal(hex((await b.next()).data), hex(marker));
    assert.equal(hex((await a.next()).data), hex(marker));
    await other.expectSilence(150);

    // A later connection gets SyncStep1, then the current states.
    const late = await Client.open(url);
    assert.equal(hex((await late.next()).data), SERVER_SYNC_STEP1_EMPTY);
    assert.equal(hex((await late.next()).data), hex(marker));

    const leave = awareness([{ clientId, clock: 2, state: null }]);
    a.send(leave);
    for (const client of [a, b, late]) {
      assert.equal(hex((await client.next()).data), hex(leave));
    }
    [a, b, late, other].forEach((client) => client.close());
  });

  it('answers a plain GET with 200 "okay"', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/room-aw`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'okay');
  });
});

describe('ywebsocket-server.js --drop-all', () => {
  let server;
  before(async () => { server = await startServer('ywebsocket-server.js', ['--drop-all']); });
  after(() => server.stop());

  it('relays no awareness; still answers SyncStep1', async () => {
    const url = `ws://127.0.0.1:${server.port}/room-drop`;
    const [a, b] = await Promise.all([Client.open(url), Client.open(url)]);
    await Promise.all([a.next(), b.next()]);
    a.send(awareness([{ clientId: randomClientId(), clock: 1, state: { probe: { id: 'lost' } } }]));
    await Promise.all([a.expectSilence(300), b.expectSilence(0)]);
    a.send(bytes(0, 0, 1, 0));
    assert.equal(hex((await a.next()).data), '0001020000');
    a.close();
    b.close();
  });
});

describe('ywebsocket-server.js --delay-ms 100', () => {
  let server;
  before(async () => { server = await startServer('ywebsocket-server.js', ['--delay-ms', '100']); });
  after(() => server.stop());

  it('broadcasts awareness 100 ms late', async () => {
    const url = `ws://127.0.0.1:${server.port}/room-slow`;
    const [a, b] = await Promise.all([Client.open(url), Client.open(url)]);
    await Promise.all([a.next(), b.next()]);
    const clientId = randomClientId();
    const delays = [];
    for (let clock = 1; clock <= 5; clock++) {
      const marker = awareness([{ clientId, clock, state: { probe: { id: `s${clock}` } } }]);
      const sentAt = a.send(marker);
      const received = await b.next();
      assert.equal(hex(received.data), hex(marker));
      delays.push(received.at - sentAt);
      await a.next();
    }
    assertDelays(delays, 100);
    a.close();
    b.close();
  });
});
