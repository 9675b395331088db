import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, assertDelays, exitWithin, startServer } from './helpers.js';

describe('room-server.js', () => {
  let server;
  let url;
  before(async () => {
    server = await startServer('room-server.js');
    url = `ws://127.0.0.1:${server.port}`;
  });
  after(() => server.stop());

  it('sends a message to the other sessions of the room, not to the sender nor other rooms', async () => {
    const [a, b, c, other] = await Promise.all([
      Client.open(`${url}/r1`), Client.open(`${url}/r1`), Client.open(`${url}/r1?x=1`), Client.open(`${url}/r2`),
    ]);
    a.send('hello');
    a.send(Buffer.from([0, 1, 2]));
    for (const receiver of [b, c]) {
      const text = await receiver.next();
      assert.equal(text.isBinary, false);
      assert.equal(text.text, 'hello');
      const binary = await receiver.next();
      assert.equal(binary.isBinary, true);
      assert.deepEqual([...binary.data], [0, 1, 2]);
    }
    await Promise.all([a.expectSilence(150), other.expectSilence(0)]);
    [a, b, c, other].forEach((client) => client.close());
  });

  it('echoes to the sender only on /echo', async () => {
    const [a, b] = await Promise.all([Client.open(`${url}/echo`), Client.open(`${url}/echo`)]);
    a.send('ping-1');
    assert.equal((await a.next()).text, 'ping-1');
    await b.expectSilence(150);
    a.close();
    b.close();
  });

  it('answers a plain GET with 426', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/r1`);
    assert.equal(response.status, 426);
  });
});

describe('room-server.js --delay-ms 120', () => {
  let server;
  before(async () => { server = await startServer('room-server.js', ['--delay-ms', '120']); });
  after(() => server.stop());

  it('delivers 120 ms after the send, within a few ms', async () => {
    const url = `ws://127.0.0.1:${server.port}/delay`;
    const [a, b] = await Promise.all([Client.open(url), Client.open(url)]);
    const delays = [];
    for (let i = 0; i < 5; i++) {
      const sentAt = a.send(`m${i}`);
      const received = await b.next();
      assert.equal(received.text, `m${i}`);
      delays.push(received.at - sentAt);
    }
    assertDelays(delays, 120);
    a.close();
    b.close();
  });

  it('delays the echo too', async () => {
    const a = await Client.open(`ws://127.0.0.1:${server.port}/echo`);
    const delays = [];
    for (let i = 0; i < 3; i++) {
      const sentAt = a.send('e');
      delays.push((await a.next()).at - sentAt);
    }
    assertDelays(delays, 120);
    a.close();
  });
});

describe('room-server.js --drop-all', () => {
  let server;
  before(async () => { server = await startServer('room-server.js', ['--drop-all']); });
  after(() => server.stop());

  it('delivers nothing, keeps sessions open', async () => {
    const url = `ws://127.0.0.1:${server.port}/r`;
    const [a, b, echo] = await Promise.all([Client.open(url), Client.open(url), Client.open(`ws://127.0.0.1:${server.port}/echo`)]);
    a.send('lost');
    echo.send('lost too');
    await Promise.all([a.expectSilence(300), b.expectSilence(0), echo.expectSilence(0)]);
    assert.equal(b.ws.readyState, b.ws.OPEN);
    [a, b, echo].forEach((client) => client.close());
  });
});

describe('fixture lifecycle (room-server.js)', () => {
  it('exits 0 on SIGTERM', async () => {
    const server = await startServer('room-server.js');
    server.child.kill('SIGTERM');
    const [code] = await exitWithin(server, 3000);
    assert.equal(code, 0);
  });

  it('exits when stdin closes', async () => {
    const server = await startServer('room-server.js');
    server.child.stdin.end();
    const [code] = await exitWithin(server, 3000);
    assert.equal(code, 0);
  });

  it('refuses an unknown option', async () => {
    await assert.rejects(startServer('room-server.js', ['--nope', '1']), /exited \(2\).*Unknown option '--nope'/s);
  });
});
