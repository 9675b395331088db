// A stand-in for a `ws` WebSocket that lets a fixture drop or hold back inbound frames before the
// real library (Hocuspocus v3, the y-websocket server util) sees them. Those libraries take the
// socket object and subscribe to its events themselves, so the filter has to sit in between.
import { EventEmitter } from 'node:events';
import { later } from './fixture.js';

export class FilteredSocket extends EventEmitter {
  /**
   * @param ws a connected `ws` WebSocket
   * @param accept (bytes: Uint8Array) => boolean; a frame it rejects is dropped
   * @param delayMs hold every accepted inbound frame this long (order is kept)
   */
  constructor(ws, { accept = () => true, delayMs = 0 } = {}) {
    super();
    this.setMaxListeners(0);
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (!accept(asBytes(data))) {
        return;
      }
      later(delayMs, () => this.emit('message', data, isBinary));
    });
    for (const name of ['close', 'ping', 'pong']) {
      ws.on(name, (...args) => this.emit(name, ...args));
    }
    // Not forwarded: an 'error' event without a listener would throw.
    ws.on('error', (error) => console.error('websocket error:', error.message));
  }

  get readyState() {
    return this.ws.readyState;
  }

  get binaryType() {
    return this.ws.binaryType;
  }

  set binaryType(type) {
    this.ws.binaryType = type;
  }

  send(...args) {
    this.ws.send(...args);
  }

  ping(...args) {
    this.ws.ping(...args);
  }

  close(...args) {
    this.ws.close(...args);
  }

  terminate() {
    this.ws.terminate();
  }
}

function asBytes(data) {
  if (data instanceof Uint8Array) {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  }
  return new Uint8Array(Buffer.concat(data)); // binaryType 'fragments'
}
