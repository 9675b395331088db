// Plumbing shared by the fixture servers: options, the LISTENING line, and dying with the parent.
//
// Contract with the Java tests: options come as `--name value`, the server listens on --host
// (127.0.0.1) and --port (0 = any free port), prints exactly one line `LISTENING <port>` on stdout
// once it accepts connections, logs everything else to stderr, and exits on SIGTERM/SIGINT and
// when its stdin closes, so a server whose test JVM died does not linger.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

// stdout carries the LISTENING line alone: whatever a library logs goes to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const COMMON_OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '0' },
  // For running a server by hand with `&` or `< /dev/null`: do not exit when stdin closes.
  'ignore-stdin': { type: 'boolean', default: false },
};

/** Parses `--name value` options (plus the common ones); unknown options are an error. */
export function parseOptions(options) {
  try {
    return parseArgs({ options: { ...COMMON_OPTIONS, ...options }, strict: true }).values;
  } catch (error) {
    fail(error.message);
  }
}

/** Reads option `name` as a non-negative integer. */
export function intOption(values, name) {
  const text = values[name];
  const number = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(number) || number < 0) {
    fail(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return number;
}

export function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Prints the one stdout line the Java tests wait for. */
export function announce(port) {
  process.stdout.write(`LISTENING ${port}\n`);
}

/** Exits on SIGTERM/SIGINT, when stdin closes, and when a launching wrapper goes away. */
export function exitWithParent(values) {
  const exit = () => process.exit(0);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  if (!values['ignore-stdin']) {
    process.stdin.on('end', exit);
    process.stdin.on('close', exit);
    process.stdin.on('error', exit);
    process.stdin.resume();
  }
  // Started by a wrapper with an IPC channel (see hocuspocus-server.js): the channel closes
  // when the wrapper dies, even from SIGKILL.
  if (process.send) {
    process.on('disconnect', exit);
  }
}

// Delayed actions, in arrival order. setTimeout alone counts from the event loop's cached clock,
// which can lag by a few ms on a busy machine, so a message could leave a little *before* its
// delay: each action keeps its own due time on the monotonic clock instead, and one timer waits
// for the oldest. The delay is the same for a whole process, so the queue stays sorted.
const delayed = [];
let delayTimer = null;

/** Calls `action` now, or `delayMs` after this call, never earlier, in call order. */
export function later(delayMs, action) {
  if (delayMs <= 0) {
    action();
    return;
  }
  delayed.push({ due: performance.now() + delayMs, action });
  if (delayTimer === null) {
    armDelayTimer();
  }
}

function armDelayTimer() {
  delayTimer = setTimeout(runDueActions, Math.max(0, Math.ceil(delayed[0].due - performance.now())));
}

function runDueActions() {
  delayTimer = null;
  while (delayed.length > 0 && delayed[0].due <= performance.now()) {
    delayed.shift().action();
  }
  if (delayed.length > 0) {
    armDelayTimer();
  }
}
