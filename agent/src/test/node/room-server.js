// A plain WebSocket broadcast server (ws): the URL path is the room, and every text or binary
// message a session sends goes to every other session of the same room (never back to the
// sender). Path /echo instead sends each message back to its sender only.
//
//   node room-server.js --port 0 [--delay-ms N] [--drop-all] [--per-message-deflate]
//
// --delay-ms N            deliver each message N ms after it arrived (never earlier), echo included
// --drop-all              deliver nothing at all, echo included (sessions stay open)
// --per-message-deflate   agree to permessage-deflate when a client offers it, and then
//                         compress every message, however short (ws's threshold 0)
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { announce, exitWithParent, intOption, later, parseOptions } from './lib/fixture.js';

const options = parseOptions({
  'delay-ms': { type: 'string', default: '0' },
  'drop-all': { type: 'boolean', default: false },
  'per-message-deflate': { type: 'boolean', default: false },
});
const delayMs = intOption(options, 'delay-ms');
exitWithParent(options);

/** room path -> sessions in join order */
const rooms = new Map();

// A plain GET (for example through a proxy that dropped the Upgrade headers) gets what ws
// itself answers when it owns the HTTP server.
const httpServer = createServer((request, response) => {
  response.writeHead(426, { 'Content-Type': 'text/plain' });
  response.end('Upgrade Required');
});
// ws compresses only messages of 1024 bytes or more by default: threshold 0 compresses every one,
// so a short echo travels compressed both ways.
const wss = new WebSocketServer({
  server: httpServer,
  perMessageDeflate: options['per-message-deflate'] ? { threshold: 0 } : false,
});

wss.on('connection', (session, request) => {
  const path = new URL(request.url, 'http://fixture').pathname;
  const echo = path === '/echo';
  if (!echo) {
    if (!rooms.has(path)) {
      rooms.set(path, new Set());
    }
    rooms.get(path).add(session);
  }
  console.error(`session joined ${path}`);

  session.on('message', (data, isBinary) => {
    if (options['drop-all']) {
      return;
    }
    // The receivers are the sessions present when the message arrived.
    const receivers = echo ? [session] : [...rooms.get(path)].filter((other) => other !== session);
    later(delayMs, () => {
      for (const receiver of receivers) {
        if (receiver.readyState === WebSocket.OPEN) {
          receiver.send(data, { binary: isBinary });
        }
      }
    });
  });

  session.on('close', () => {
    const room = rooms.get(path);
    room?.delete(session);
    if (room?.size === 0) {
      rooms.delete(path);
    }
  });
  session.on('error', (error) => console.error(`session error on ${path}: ${error.message}`));
});

httpServer.listen(intOption(options, 'port'), options.host, () => announce(httpServer.address().port));
