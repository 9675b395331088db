// Just enough of the Hocuspocus framing to tell message types apart:
// varString(documentName) varUint(type) payload, with lib0's LEB128 varUint.
import * as decoding from 'lib0/decoding';

export const AWARENESS = 1;

/** The message type of one Hocuspocus frame, or -1 if it does not parse. */
export function readMessageType(bytes) {
  try {
    const decoder = decoding.createDecoder(bytes);
    decoding.readVarString(decoder);
    return decoding.readVarUint(decoder);
  } catch {
    return -1;
  }
}
