/* The page's one WebSocket to the server (submissions/live/PROTOCOL.md), multiplexing a room per
 * text: one Y.Doc per room, kept in IndexedDB (y-indexeddb, one database per room and person) and
 * loaded before connecting, so that what is typed offline survives a reload; sync step 1/step 2
 * both ways; local updates sent with an increasing seq and counted until the server acknowledges
 * them (the count is kept in localStorage beside the database, so a reload offline still shows it,
 * and so are the unacknowledged updates themselves: IndexedDB writes still in flight when a page is
 * closed are lost, a localStorage write is not);
 * awareness (carets, selections) relayed per room; reconnection with backoff (0.5 s doubling to
 * 10 s, reset on success), each time redoing the join and the sync exchange. */
import * as Y from "yjs";
import { fromBase64, toBase64 } from "lib0/buffer";
import { IndexeddbPersistence } from "y-indexeddb";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import {
  ACK, AWARENESS, SYNC_STEP1, SYNC_STEP2, UPDATE,
  decodeServerFrame, encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate,
} from "./protocol.js";

export const MIN_DELAY = 500;
export const MAX_DELAY = 10000;
const DENIED_CODES = new Set([4403, 4404]);
const LOAD_TIMEOUT = 4000; // IndexedDB that never answers (a broken profile) must not block the page
const REBUILD_PAUSE = 10000; // a room is rebuilt from the server at most this often
const CONNECT_TIMEOUT = 8000; // a handshake that hangs (a captive portal, a half-open network) is retried

export function databaseName(documentId, room, userId) {
  return "upr-live:" + documentId + ":" + room + ":" + userId;
}

function readNumber(key) {
  try {
    const value = parseInt(window.localStorage.getItem(key) || "0", 10);
    return Number.isFinite(value) && value > 0 ? value : 0;
  } catch (error) {
    return 0;
  }
}

function writeNumber(key, value) {
  try {
    if (value > 0) window.localStorage.setItem(key, String(value));
    else window.localStorage.removeItem(key);
  } catch (error) {
    // storage full or forbidden: the count lives in memory only
  }
}

// Updates re-applied from the localStorage journal (already counted as pending).
const JOURNAL = { journal: true };
const JOURNAL_COMPACT = 64; // entries merged into one beyond this

function readJournal(key) {
  try {
    const value = window.localStorage.getItem(key);
    return value ? value.split(",").filter(Boolean) : [];
  } catch (error) {
    return [];
  }
}

/** Is the state vector `ours` covered by `theirs` (nothing of ours they lack)? */
function covered(ours, theirs) {
  const mine = Y.decodeStateVector(ours);
  const known = Y.decodeStateVector(theirs);
  for (const [client, clock] of mine) {
    if ((known.get(client) || 0) < clock) return false;
  }
  return true;
}

export class Room {
  constructor(connection, name) {
    this.connection = connection;
    this.name = name;
    this.dbName = databaseName(connection.documentId, name, connection.userId);
    this.pendingKey = this.dbName + ":pending";
    this.pending = readNumber(this.pendingKey);
    this.journalKey = this.dbName + ":unsent";
    this.journal = this.pending > 0 ? readJournal(this.journalKey) : []; // base64 updates not yet acknowledged
    this.generation = 0;
    this.gone = false;
    this.writable = null; // null until an `access` message (or the page) says
    this.synced = false; // the server's step 2 arrived since the last connect
    this.everSynced = false;
    this.live = false; // the server's step 1 was answered: local updates go out as UPDATE
    this.rebuilding = false;
    this.lastRebuild = 0;
    this.createState();
  }

  createState() {
    this.generation += 1;
    const generation = this.generation;
    const doc = new Y.Doc();
    this.doc = doc;
    this.awareness = new Awareness(doc);
    this.loaded = false;
    let persistence = null;
    try {
      if (window.indexedDB) persistence = new IndexeddbPersistence(this.dbName, doc);
    } catch (error) {
      persistence = null;
    }
    this.persistence = persistence;
    const loaded = persistence
      ? Promise.race([persistence.whenSynced, new Promise((resolve) => setTimeout(resolve, LOAD_TIMEOUT))])
      : Promise.resolve();
    this.whenLoaded = loaded.catch(() => undefined).then(() => {
      if (this.generation !== generation) return;
      // What IndexedDB may have missed (a page closed just after typing): applying twice is harmless.
      for (const entry of this.journal) {
        try {
          Y.applyUpdate(doc, fromBase64(entry), JOURNAL);
        } catch (error) {
          // a damaged entry: IndexedDB and the server hold the rest
        }
      }
      this.loaded = true;
    });
    doc.on("update", (update, origin) => {
      if (this.generation !== generation || origin === this.connection || origin === JOURNAL) return;
      if (persistence && origin === persistence) return;
      this.connection.onLocalUpdate(this, update);
    });
    this.awareness.on("update", ({ added, updated, removed }, origin) => {
      if (this.generation !== generation || origin === this.connection) return;
      this.connection.sendAwareness(this, added.concat(updated, removed));
    });
  }

  /** The local awareness state goes (the others stop showing our caret), then everything. */
  dropState() {
    const awareness = this.awareness;
    removeAwarenessStates(awareness, [this.doc.clientID], "local");
    this.generation += 1; // silences the old listeners
    awareness.destroy();
    const persistence = this.persistence;
    this.persistence = null;
    return persistence ? persistence.clearData().catch(() => undefined) : Promise.resolve();
  }

  setPending(value) {
    this.pending = Math.max(0, value);
    writeNumber(this.pendingKey, this.pending);
    if (this.pending === 0 && this.journal.length) {
      this.journal = [];
      this.writeJournal();
    }
  }

  /** Keeps a local update until the server acknowledges it (see the journal above). */
  remember(update) {
    this.journal.push(toBase64(update));
    if (this.journal.length > JOURNAL_COMPACT) {
      this.journal = [toBase64(Y.mergeUpdates(this.journal.map((entry) => fromBase64(entry))))];
    }
    this.writeJournal();
  }

  writeJournal() {
    try {
      if (this.journal.length) window.localStorage.setItem(this.journalKey, this.journal.join(","));
      else window.localStorage.removeItem(this.journalKey);
    } catch (error) {
      // storage full: IndexedDB keeps the text, only a page closed mid-write could lose a keystroke
    }
  }

  /** Does the room hold any text (so that it can be shown before the server answers)? */
  hasContent() {
    return this.doc.getXmlFragment("default").length > 0;
  }
}

export class LiveConnection {
  /**
   * hooks: onStatus(), onLoaded(room), onSynced(room), onAccess(room, mode, message), onReview(what),
   * beforeRebuild(room), afterRebuild(room, message), onRoomGone(room, message), onPresence(people),
   * onDenied(code). All optional.
   */
  constructor({ url, documentId, userId, hooks }) {
    this.url = url;
    this.documentId = documentId;
    this.userId = userId;
    this.hooks = hooks || {};
    this.rooms = new Map();
    this.ws = null;
    this.state = "idle"; // idle, connecting, open, closed, denied
    this.delay = MIN_DELAY;
    this.timer = null;
    this.nextSeq = 1;
    this.inflight = new Map(); // seq -> {room, generation, n}
    this.focus = null;
    this.started = false;
    this.onOnline = () => {
      if (this.state === "denied") return;
      if (this.ws && this.ws.readyState === 0) this.drop(); // a handshake begun while offline
      this.delay = MIN_DELAY;
      if (!this.ws) {
        clearTimeout(this.timer);
        this.timer = null;
        this.connect();
      }
    };
    this.onOffline = () => {
      // The browser knows the network is gone (a socket may not notice for minutes).
      if (this.ws) this.drop();
    };
  }

  hook(name, ...args) {
    const hook = this.hooks[name];
    if (typeof hook === "function") {
      try {
        hook(...args);
      } catch (error) {
        if (window.console) window.console.error(error);
      }
    }
  }

  addRoom(name) {
    if (!this.rooms.has(name)) this.rooms.set(name, new Room(this, name));
    return this.rooms.get(name);
  }

  /** Loads every room from IndexedDB while the socket connects (the two overlap: opening the page is
   * faster); the rooms are synchronised once both are done (see `connect`). */
  async start() {
    if (this.started) return;
    this.started = true;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.loaded = Promise.all(Array.from(this.rooms.values()).map((room) => room.whenLoaded.then(() => this.hook("onLoaded", room))));
    this.connect();
    await this.loaded;
  }

  isOpen() {
    return this.ws !== null && this.ws.readyState === 1 && this.state === "open";
  }

  connected() {
    return this.isOpen();
  }

  pending() {
    let total = 0;
    for (const room of this.rooms.values()) if (!room.gone) total += room.pending;
    return total;
  }

  synced() {
    if (!this.isOpen()) return false;
    for (const room of this.rooms.values()) if (!room.gone && !room.synced) return false;
    return true;
  }

  connect() {
    if (this.ws || this.state === "denied") return;
    if (window.navigator.onLine === false) {
      this.state = "closed";
      this.scheduleReconnect(); // the `online` event reconnects sooner
      this.hook("onStatus");
      return;
    }
    this.state = "connecting";
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      this.state = "closed";
      this.scheduleReconnect();
      this.hook("onStatus");
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    const timeout = setTimeout(() => {
      if (this.ws === ws && ws.readyState === 0) this.drop();
    }, CONNECT_TIMEOUT);
    ws.onopen = () => {
      clearTimeout(timeout);
      if (this.ws !== ws) return;
      // Each room's sync step 1 states what this browser holds, IndexedDB's copy included: the rooms
      // must have loaded before it is sent (what they kept offline then reaches the server).
      (this.loaded || Promise.resolve()).then(() => {
        if (this.ws !== ws || ws.readyState !== 1) return;
        this.state = "open";
        this.delay = MIN_DELAY;
        this.onOpen();
      });
    };
    ws.onmessage = (event) => {
      if (this.ws === ws) this.onMessage(event.data);
    };
    ws.onclose = (event) => {
      clearTimeout(timeout);
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClose(event.code);
    };
    ws.onerror = () => {}; // a close follows
    this.hook("onStatus");
  }

  /** Closes the socket from our side (the browser went offline) and reconnects later. */
  drop() {
    const ws = this.ws;
    this.ws = null;
    try {
      ws.close(4000);
    } catch (error) {
      // already closing
    }
    this.onClose(1006);
  }

  scheduleReconnect() {
    if (this.timer || this.state === "denied") return;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  send(data) {
    if (!this.isOpen()) return false;
    this.ws.send(data);
    return true;
  }

  sendJson(message) {
    return this.send(JSON.stringify(message));
  }

  onOpen() {
    const rooms = Array.from(this.rooms.values()).filter((room) => !room.gone);
    for (const room of rooms) {
      room.synced = false;
      room.live = false;
    }
    this.sendJson({ type: "join", rooms: rooms.map((room) => room.name) });
    for (const room of rooms) {
      if (room.rebuilding) continue;
      this.send(encodeSyncStep1(room.name, Y.encodeStateVector(room.doc)));
      this.sendLocalAwareness(room);
    }
    if (this.focus !== null) this.sendJson({ type: "focus", room: this.focus });
    this.hook("onStatus");
  }

  onClose(code) {
    if (this.state === "open") this.closedAt = Date.now(); // when the connection was lost (not each retry)
    this.inflight.clear();
    for (const room of this.rooms.values()) {
      room.live = false;
      room.synced = false;
      // The others' carets go with the connection (the server tells the others about ours).
      const remote = Array.from(room.awareness.getStates().keys()).filter((id) => id !== room.doc.clientID);
      if (remote.length) removeAwarenessStates(room.awareness, remote, this);
    }
    if (DENIED_CODES.has(code)) {
      this.state = "denied";
      clearTimeout(this.timer);
      this.timer = null;
      this.hook("onDenied", code);
    } else {
      this.state = "closed";
      this.scheduleReconnect();
    }
    this.hook("onPresence", null);
    this.hook("onStatus");
  }

  onMessage(data) {
    if (typeof data === "string") {
      let message;
      try {
        message = JSON.parse(data);
      } catch (error) {
        return;
      }
      if (message && typeof message === "object") this.onControl(message);
      return;
    }
    let frame;
    try {
      frame = decodeServerFrame(data);
    } catch (error) {
      return;
    }
    if (!frame) return;
    if (frame.type === ACK) {
      this.onAck(frame.seq);
      return;
    }
    const room = this.rooms.get(frame.room);
    if (!room || room.gone || room.rebuilding) return;
    try {
      if (frame.type === SYNC_STEP1) this.answerStep1(room, frame.stateVector);
      else if (frame.type === SYNC_STEP2) {
        Y.applyUpdate(room.doc, frame.update, this);
        room.synced = true;
        room.everSynced = true;
        this.hook("onSynced", room);
        this.hook("onStatus");
      } else if (frame.type === UPDATE) {
        Y.applyUpdate(room.doc, frame.update, this);
      } else if (frame.type === AWARENESS) {
        applyAwarenessUpdate(room.awareness, frame.update, this);
      }
    } catch (error) {
      if (window.console) window.console.error(error);
    }
  }

  // The server's step 1: send back what it lacks, with a seq (stored and acknowledged like an
  // UPDATE). A room we may only read gets an answer only when it holds something of ours: the
  // server refuses anything from a reader, and an empty answer would be refused again and again.
  answerStep1(room, stateVector) {
    room.live = true;
    const ours = Y.encodeStateVector(room.doc);
    if (room.writable === false && room.pending === 0 && covered(ours, stateVector)) return;
    const update = Y.encodeStateAsUpdate(room.doc, stateVector);
    let inFlight = 0;
    for (const entry of this.inflight.values()) if (entry.room === room && entry.generation === room.generation) inFlight += entry.n;
    const seq = this.nextSeq++;
    this.inflight.set(seq, { room, generation: room.generation, n: Math.max(0, room.pending - inFlight) });
    this.send(encodeSyncStep2(room.name, seq, update));
  }

  onLocalUpdate(room, update) {
    if (room.gone) return;
    // A text this person may not write cannot have been changed by them (y-prosemirror may tidy
    // what it cannot show: that stays here, the server would refuse it).
    if (room.writable === false) return;
    room.setPending(room.pending + 1);
    room.remember(update);
    if (room.live && this.isOpen()) {
      const seq = this.nextSeq++;
      this.inflight.set(seq, { room, generation: room.generation, n: 1 });
      this.send(encodeUpdate(room.name, seq, update));
    }
    this.hook("onStatus");
  }

  onAck(seq) {
    const entry = this.inflight.get(seq);
    if (!entry) return;
    this.inflight.delete(seq);
    const room = entry.room;
    if (room.generation === entry.generation && !room.gone) room.setPending(room.pending - entry.n);
    this.hook("onStatus");
  }

  sendAwareness(room, clients) {
    if (!room.gone && this.isOpen() && clients.length) {
      this.send(encodeAwareness(room.name, encodeAwarenessUpdate(room.awareness, clients)));
    }
  }

  sendLocalAwareness(room) {
    if (room.awareness.getLocalState() !== null) this.sendAwareness(room, [room.doc.clientID]);
  }

  setFocus(roomName) {
    const value = roomName || null;
    if (value === this.focus) return;
    this.focus = value;
    this.sendJson({ type: "focus", room: value });
  }

  onControl(message) {
    const type = message.type;
    if (type === "access") {
      const rooms = message.rooms && typeof message.rooms === "object" ? message.rooms : {};
      for (const [name, mode] of Object.entries(rooms)) {
        const room = this.rooms.get(name);
        if (!room || room.gone) continue;
        room.writable = mode === "write" || mode === "suggest"; // a suggester's changes are sent (and checked)
        this.hook("onAccess", room, mode, typeof message.message === "string" ? message.message : "");
      }
    } else if (type === "refused") {
      const room = this.rooms.get(message.room);
      if (room && !room.gone) this.rebuild(room, typeof message.message === "string" ? message.message : "");
    } else if (type === "room-gone") {
      const room = this.rooms.get(message.room);
      if (room && !room.gone) this.roomGone(room, typeof message.message === "string" ? message.message : "");
    } else if (type === "review") {
      this.hook("onReview", typeof message.what === "string" ? message.what : "");
    } else if (type === "presence") {
      this.hook("onPresence", Array.isArray(message.people) ? message.people : []);
    }
  }

  /** `refused`: the server did not keep a change of ours. The room's local copy (IndexedDB too)
   * goes, and the room is rebuilt from the server's copy. */
  async rebuild(room, message) {
    if (room.rebuilding) return;
    const now = Date.now();
    if (now - room.lastRebuild < REBUILD_PAUSE) {
      // Refused again at once: stop writing there rather than loop.
      room.writable = false;
      this.hook("onAccess", room, "read", message);
      return;
    }
    room.lastRebuild = now;
    room.rebuilding = true;
    for (const [seq, entry] of this.inflight) if (entry.room === room) this.inflight.delete(seq);
    this.hook("beforeRebuild", room);
    const cleared = room.dropState();
    room.doc.destroy();
    await cleared;
    room.setPending(0);
    room.synced = false;
    room.everSynced = false;
    room.live = false;
    room.createState();
    await room.whenLoaded;
    room.rebuilding = false;
    this.hook("afterRebuild", room, message);
    if (this.isOpen()) {
      this.send(encodeSyncStep1(room.name, Y.encodeStateVector(room.doc)));
      this.sendLocalAwareness(room);
    }
    this.hook("onStatus");
  }

  roomGone(room, message) {
    room.gone = true;
    room.live = false;
    for (const [seq, entry] of this.inflight) if (entry.room === room) this.inflight.delete(seq);
    const awareness = room.awareness;
    const remote = Array.from(awareness.getStates().keys()).filter((id) => id !== room.doc.clientID);
    if (remote.length) removeAwarenessStates(awareness, remote, this);
    removeAwarenessStates(awareness, [room.doc.clientID], this);
    room.setPending(0);
    const persistence = room.persistence;
    room.persistence = null;
    room.generation += 1; // nothing more goes out for it
    if (persistence) persistence.clearData().catch(() => undefined);
    this.hook("onRoomGone", room, message);
    this.hook("onStatus");
  }
}
