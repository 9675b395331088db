// The y-websocket reference server: @y/websocket-server's setupWSConnection util on a ws server,
// wired the way its own src/server.js does it. The room (document) is the URL path.
//
//   node ywebsocket-server.js --port 0 [--drop-all] [--delay-ms N]
//
// --drop-all    discard what clients send that would reach others (awareness updates, SyncStep2
//               and document updates); SyncStep1 is still answered
// --delay-ms N  hold every inbound frame N ms before the util handles it (order kept), so its
//               broadcasts go out N ms late
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';
import { FilteredSocket } from './lib/filtered-socket.js';
import { announce, exitWithParent, intOption, parseOptions } from './lib/fixture.js';

const options = parseOptions({
  'drop-all': { type: 'boolean', default: false },
  'delay-ms': { type: 'string', default: '0' },
});
const delayMs = intOption(options, 'delay-ms');
exitWithParent(options);

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const SYNC_STEP1 = 0;

/** y-websocket frames start with varUint(type); sync frames then varUint(step). All are < 128. */
function reachesOthers(bytes) {
  return !(bytes[0] === MESSAGE_AWARENESS || (bytes[0] === MESSAGE_SYNC && bytes[1] !== SYNC_STEP1));
}

// Like the reference server: a plain GET gets 200 "okay".
const httpServer = createServer((request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' });
  response.end('okay');
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws, request) => {
  const filtered = options['drop-all'] || delayMs > 0;
  const accept = options['drop-all'] ? reachesOthers : () => true;
  setupWSConnection(filtered ? new FilteredSocket(ws, { accept, delayMs }) : ws, request);
});
httpServer.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});

httpServer.listen(intOption(options, 'port'), options.host, () => announce(httpServer.address().port));
