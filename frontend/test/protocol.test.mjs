import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ACK, AWARENESS, SYNC_STEP1, SYNC_STEP2, UPDATE,
  decodeClientFrame, decodeServerFrame, encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate,
} from "../src/protocol.js";

test("frames are [type][room: varString][payload] as PROTOCOL.md says", () => {
  assert.deepEqual(Array.from(encodeSyncStep1("summary", new Uint8Array([0]))),
    [SYNC_STEP1, 7, ...Buffer.from("summary"), 1, 0]);
  assert.deepEqual(Array.from(encodeUpdate("section-1", 300, new Uint8Array([9, 8]))),
    [UPDATE, 9, ...Buffer.from("section-1"), 0xac, 0x02, 2, 9, 8]);
  assert.deepEqual(Array.from(encodeSyncStep2("s", 1, new Uint8Array([5]))), [SYNC_STEP2, 1, 115, 1, 1, 5]);
  assert.deepEqual(Array.from(encodeAwareness("s", new Uint8Array([1, 2]))), [AWARENESS, 1, 115, 2, 1, 2]);
});

test("client frames read back with their seq", () => {
  const frame = decodeClientFrame(encodeSyncStep2("section-12", 7, new Uint8Array([1, 2, 3])));
  assert.equal(frame.type, SYNC_STEP2);
  assert.equal(frame.room, "section-12");
  assert.equal(frame.seq, 7);
  assert.deepEqual(Array.from(frame.update), [1, 2, 3]);
});

test("server frames: step 2 and update without seq, ACK with one", () => {
  const step2 = decodeServerFrame(new Uint8Array([SYNC_STEP2, 1, 97, 2, 4, 5]).buffer);
  assert.deepEqual({ ...step2, update: Array.from(step2.update) }, { type: SYNC_STEP2, room: "a", update: [4, 5] });
  assert.deepEqual(decodeServerFrame(new Uint8Array([ACK, 1, 97, 0xac, 0x02])), { type: ACK, room: "a", seq: 300 });
  assert.equal(decodeServerFrame(new Uint8Array([9, 1, 97])), null);
});
