// A Socket.IO 4 relay server, shaped like Docmost's gateway: a socket joins rooms, and any event
// it emits is relayed to the other sockets of its rooms (the sender never gets it back).
//
//   node socketio-server.js --port 0 [--namespace /ns] [--token T] [--auto-join ROOM]
//        [--auto-join-delay-ms N] [--no-join-ack] [--disconnect-on-join] [--delay-ms N] [--drop-all]
//        [--ping-interval-ms N] [--ping-timeout-ms N] [--websocket-only]
//
// Events: `join` with a room name joins that room (an ack, if asked for, gets the room name).
// Any other event E with its arguments is relayed as E to the other sockets of every room the
// sender joined; a sender that joined no room reaches all other sockets of the namespace. With
// --auto-join, events are relayed to the other sockets of that room only, as Docmost relays to a
// space's room whether or not the sender is in it yet.
// --namespace /ns   also serve namespace /ns (namespace / is always served)
// --token T         connect middleware: socket.handshake.auth.token === T or cookie authToken=T
//                   on the upgrade request; otherwise refused with Error("Unauthorized"), which
//                   the client sees as the packet 44{"message":"Unauthorized"}
// --auto-join ROOM  every socket joins ROOM on connect (Docmost joins its space rooms this way)
// --auto-join-delay-ms N   ... N ms after the namespace connect was answered (Docmost first checks
//                   the token and reads the member's spaces, so its rooms are joined late)
// --no-join-ack     never call a join's acknowledgement callback (a handler that ignores it)
// --disconnect-on-join   answer a join by disconnecting the socket (a server refusing the room)
// --delay-ms N      relay N ms after the event arrived (never earlier)
// --drop-all        relay nothing
// --ping-interval-ms / --ping-timeout-ms   Engine.IO heartbeat (defaults 25000 / 20000)
// --websocket-only  transports: ['websocket'] as Docmost configures it (default: polling too)
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announce, exitWithParent, intOption, later, parseOptions } from './lib/fixture.js';

const options = parseOptions({
  namespace: { type: 'string' },
  token: { type: 'string' },
  'auto-join': { type: 'string' },
  'auto-join-delay-ms': { type: 'string', default: '0' },
  'no-join-ack': { type: 'boolean', default: false },
  'disconnect-on-join': { type: 'boolean', default: false },
  'delay-ms': { type: 'string', default: '0' },
  'drop-all': { type: 'boolean', default: false },
  'ping-interval-ms': { type: 'string', default: '25000' },
  'ping-timeout-ms': { type: 'string', default: '20000' },
  'websocket-only': { type: 'boolean', default: false },
});
const delayMs = intOption(options, 'delay-ms');
const autoJoinDelayMs = intOption(options, 'auto-join-delay-ms');
exitWithParent(options);

const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: intOption(options, 'ping-interval-ms'),
  pingTimeout: intOption(options, 'ping-timeout-ms'),
  transports: options['websocket-only'] ? ['websocket'] : ['polling', 'websocket'],
  serveClient: false,
});

function cookie(header, name) {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      return value.join('=');
    }
  }
  return undefined;
}

function serve(namespace) {
  if (options.token !== undefined) {
    namespace.use((socket, next) => {
      const { auth, headers } = socket.handshake;
      if (auth?.token === options.token || cookie(headers.cookie, 'authToken') === options.token) {
        next();
      } else {
        next(new Error('Unauthorized'));
      }
    });
  }

  namespace.on('connection', (socket) => {
    console.error(`socket ${socket.id} connected to ${namespace.name}`);
    if (options['auto-join'] !== undefined) {
      if (autoJoinDelayMs > 0) {
        setTimeout(() => socket.join(options['auto-join']), autoJoinDelayMs);
      } else {
        socket.join(options['auto-join']);
      }
    }

    socket.on('join', (room, ack) => {
      if (options['disconnect-on-join']) {
        socket.disconnect(true);
        return;
      }
      socket.join(String(room));
      if (typeof ack === 'function' && !options['no-join-ack']) {
        ack(String(room));
      }
    });

    socket.onAny((event, ...args) => {
      if (event === 'join') {
        return;
      }
      if (typeof args.at(-1) === 'function') {
        args.pop()(); // acknowledge receipt; the relay itself carries no ack
      }
      if (options['drop-all']) {
        return;
      }
      const rooms = options['auto-join'] !== undefined ? [options['auto-join']]
        : [...socket.rooms].filter((room) => room !== socket.id);
      const receivers = rooms.length > 0 ? socket.to(rooms) : socket.broadcast;
      later(delayMs, () => receivers.emit(event, ...args));
    });
  });
}

serve(io.of('/'));
if (options.namespace !== undefined && options.namespace !== '/') {
  serve(io.of(options.namespace));
}

httpServer.listen(intOption(options, 'port'), options.host, () => announce(httpServer.address().port));
