/* The wire protocol of submissions/live/PROTOCOL.md: binary frames
 * [type: uint8][room: varString][payload], encoded with lib0 as the server decodes them. Pure. */
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const UPDATE = 2;
export const AWARENESS = 3;
export const ACK = 4;

function frame(type, room, write) {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, type);
  encoding.writeVarString(encoder, room);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** "Here is what I have": the room's state vector. */
export function encodeSyncStep1(room, stateVector) {
  return frame(SYNC_STEP1, room, (e) => encoding.writeVarUint8Array(e, stateVector));
}

/** The client's answer to the server's step 1, with a seq: stored and acknowledged like an UPDATE. */
export function encodeSyncStep2(room, seq, update) {
  return frame(SYNC_STEP2, room, (e) => {
    encoding.writeVarUint(e, seq);
    encoding.writeVarUint8Array(e, update);
  });
}

/** A local change. */
export function encodeUpdate(room, seq, update) {
  return frame(UPDATE, room, (e) => {
    encoding.writeVarUint(e, seq);
    encoding.writeVarUint8Array(e, update);
  });
}

/** An awareness update (y-protocols/awareness encoding). */
export function encodeAwareness(room, update) {
  return frame(AWARENESS, room, (e) => encoding.writeVarUint8Array(e, update));
}

/**
 * A frame from the server: {type, room, stateVector | update | seq}. The server's SYNC_STEP2 and
 * UPDATE carry no seq. Returns null for a frame it cannot read (an unknown type).
 */
export function decodeServerFrame(data) {
  const decoder = decoding.createDecoder(data instanceof Uint8Array ? data : new Uint8Array(data));
  const type = decoding.readUint8(decoder);
  const room = decoding.readVarString(decoder);
  switch (type) {
    case SYNC_STEP1:
      return { type, room, stateVector: decoding.readVarUint8Array(decoder) };
    case SYNC_STEP2:
    case UPDATE:
    case AWARENESS:
      return { type, room, update: decoding.readVarUint8Array(decoder) };
    case ACK:
      return { type, room, seq: decoding.readVarUint(decoder) };
    default:
      return null;
  }
}

/** For tests and mock servers: reads a frame as the server does (client frames carry a seq). */
export function decodeClientFrame(data) {
  const decoder = decoding.createDecoder(data instanceof Uint8Array ? data : new Uint8Array(data));
  const type = decoding.readUint8(decoder);
  const room = decoding.readVarString(decoder);
  if (type === SYNC_STEP1) return { type, room, stateVector: decoding.readVarUint8Array(decoder) };
  if (type === SYNC_STEP2 || type === UPDATE) {
    const seq = decoding.readVarUint(decoder);
    return { type, room, seq, update: decoding.readVarUint8Array(decoder) };
  }
  if (type === AWARENESS) return { type, room, update: decoding.readVarUint8Array(decoder) };
  return null;
}
