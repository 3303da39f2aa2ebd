// @ts-check
/* An emulator of the Zoom Apps SDK (`window.zoomSdk`) for tests and rehearsals: NOT part of the app.
 * (It lives in the Zoom emulator package because the rehearsal page, /zoomapp/rehearsal, serves it
 * when the service runs against the built-in Zoom emulator; the real app never loads it.)
 *
 * It implements the functions the host's Zoom App uses with their documented behaviour
 * (@zoom/appssdk 0.16, dist/sdk.d.ts): `config` first, and only listed capabilities; 1–50 rooms;
 * rooms created, renamed or deleted only while closed; hosts and co-hosts cannot be assigned; one
 * person per `assignParticipantToBreakoutRoom` call; failures are rejected promises carrying an
 * Error with `message` and `code` like the SDK's ZoomApiError; events for joins, leaves, renames
 * (`onParticipantChange`) and room changes (`onMeetingConfigChanged`, as sdk.d.ts types them:
 * `breakoutRoomsCreated`, `breakoutRoomParticipantsAssigned`, opened/closed).
 *
 * Load it before the app with `window.__ZOOMAPP_SCENARIO__ = {participants: [...]}` set; tests
 * drive the meeting through `zoomSdk.__emulator` (join, leave, rename, hostMove, snapshot, calls).
 * With `storageKey` in the scenario the meeting lives in sessionStorage, like the Zoom client that
 * outlives a reload of the app's panel: a reload finds the rooms and members as they were.
 */
(() => {
  "use strict";

  /** @typedef {import("@zoom/appssdk").Apis} Apis */
  /** @typedef {import("@zoom/appssdk").Participant} Participant */
  /** @typedef {import("@zoom/appssdk").BreakoutRoomsResponse} BreakoutRoomsResponse */
  /** @typedef {import("@zoom/appssdk").OnParticipantChangeEvent} OnParticipantChangeEvent */
  /** @typedef {import("@zoom/appssdk").OnBreakoutRoomChangeEvent} OnBreakoutRoomChangeEvent */
  /**
   * @typedef {{screenName: string, participantUUID: string, role?: string}} ScenarioParticipant
   * @typedef {{participants: ScenarioParticipant[], clientVersion?: string, storageKey?: string}} Scenario
   * @typedef {{breakoutRoomId: string, name: string, members: Map<string, "assigned" | "joined">}} Room
   */

  const MAX_ROOMS = 50;
  const NOT_CONFIGURED = "must call zoomSdk.config before using other API methods";

  class ZoomApiError extends Error {
    /** @param {string} message @param {string} code */
    constructor(message, code) {
      super(message);
      this.name = "ZoomApiError";
      this.code = code;
    }
  }

  /** @param {string} message @param {string} code @returns {Promise<never>} */
  const reject = (message, code) => Promise.reject(new ZoomApiError(message, code));

  /** @param {Scenario} scenario */
  function createZoomSdkEmulator(scenario) {
    /** @type {Map<string, Participant>} */
    const participants = new Map();
    let nextId = 1000;
    for (const p of scenario.participants) {
      participants.set(p.participantUUID, {
        screenName: p.screenName,
        participantUUID: p.participantUUID,
        participantId: String(nextId++),
        role: p.role || "attendee",
      });
    }
    /** @type {Room[]} */
    let rooms = [];
    let state = /** @type {"open" | "closed"} */ ("closed");
    /** @type {Record<string, unknown>} */
    let roomOptions = {};
    /** @type {Set<string> | null} */
    let capabilities = null;
    /** @type {{name: string, args: unknown}[]} */
    const calls = [];
    /** @type {Record<string, ((event: any) => void)[]>} */
    const handlers = { onParticipantChange: [], onBreakoutRoomChange: [], onMeetingConfigChanged: [] };
    let roomCounter = 0;
    const storageKey = scenario.storageKey;

    /** The meeting as it was before the panel reloaded (when the scenario keeps it). */
    function restore() {
      const saved = storageKey ? sessionStorage.getItem(storageKey) : null;
      if (!saved) return;
      const data = JSON.parse(saved);
      participants.clear();
      for (const p of data.participants) participants.set(p.participantUUID, p);
      rooms = data.rooms.map((/** @type {any} */ r) => ({ breakoutRoomId: r.breakoutRoomId, name: r.name,
        members: new Map(r.members) }));
      state = data.state;
      roomOptions = data.roomOptions;
      calls.push(...data.calls);
      nextId = data.nextId;
      roomCounter = data.roomCounter;
    }

    function save() {
      if (!storageKey) return;
      sessionStorage.setItem(storageKey, JSON.stringify({
        participants: [...participants.values()],
        rooms: rooms.map((r) => ({ breakoutRoomId: r.breakoutRoomId, name: r.name, members: [...r.members] })),
        state, roomOptions, calls, nextId, roomCounter,
      }));
    }

    restore();

    /** @param {string} name @param {unknown} event */
    function emit(name, event) {
      save();
      for (const handler of handlers[name] || []) setTimeout(() => handler(event), 0);
    }

    /** @param {Apis} name @param {unknown} args @returns {string | null} why the call is refused */
    function gate(name, args) {
      calls.push({ name, args });
      save();
      if (capabilities === null) return NOT_CONFIGURED;
      if (!capabilities.has(name)) return `${name} is not in the capabilities passed to zoomSdk.config`;
      return null;
    }

    /** @param {string} uuid */
    const isStaff = (uuid) => ["host", "cohost"].includes(String(participants.get(uuid)?.role).toLowerCase());

    /** @param {string} uuid */
    function removeFromRooms(uuid) {
      for (const room of rooms) room.members.delete(uuid);
    }

    /** @returns {BreakoutRoomsResponse} */
    function roomList() {
      const placed = new Set(rooms.flatMap((room) => [...room.members.keys()]));
      return {
        state,
        rooms: rooms.map((room) => ({
          breakoutRoomId: room.breakoutRoomId,
          name: room.name,
          participants: [...room.members.entries()]
            .filter(([uuid]) => participants.has(uuid))
            .map(([uuid, status]) => {
              const p = /** @type {Participant} */ (participants.get(uuid));
              return { participantUUID: uuid, participantId: Number(p.participantId), displayName: p.screenName,
                participantStatus: status };
            }),
        })),
        unassigned: [...participants.values()]
          .filter((p) => !placed.has(p.participantUUID))
          .map((p) => ({ participantUUID: p.participantUUID, participantId: Number(p.participantId),
            displayName: p.screenName })),
      };
    }

    const sdk = {
      /** @param {import("@zoom/appssdk").ConfigOptions} options */
      config(options) {
        calls.push({ name: "config", args: options });
        if (!options || !Array.isArray(options.capabilities)) {
          return reject("capabilities must be an array", "10001");
        }
        capabilities = new Set(options.capabilities);
        return Promise.resolve({
          runningContext: "inMeeting",
          unsupportedApis: [],
          clientVersion: scenario.clientVersion || "6.4.0.99999",
          browserVersion: "emulator",
          auth: { status: "authorized", upgradeable: false },
        });
      },

      /** @returns {Promise<import("@zoom/appssdk").GetMeetingParticipantsResponse>} */
      getMeetingParticipants() {
        const refused = gate("getMeetingParticipants", null);
        if (refused) return reject(refused, "10001");
        return Promise.resolve({ participants: [...participants.values()].map((p) => ({ ...p })) });
      },

      /** @returns {Promise<BreakoutRoomsResponse>} */
      getBreakoutRoomList() {
        const refused = gate("getBreakoutRoomList", null);
        if (refused) return reject(refused, "10001");
        if (rooms.length === 0) return reject("Breakout Rooms are not open.", "10092");
        return Promise.resolve(roomList());
      },

      /** @param {import("@zoom/appssdk").CreateBreakoutRoomsOptions} options */
      createBreakoutRooms(options) {
        const refused = gate("createBreakoutRooms", options);
        if (refused) return reject(refused, "10001");
        if (state === "open") return reject("Breakout rooms are open: close them first.", "10097");
        const count = options.numberOfRooms;
        if (!Number.isInteger(count) || count < 1 || count > MAX_ROOMS) {
          return reject("The count is over the max count.", "10095");
        }
        if (!["automatically", "manually", "participantsChoose"].includes(options.assign)) {
          return reject("The assignment type is incorrect.", "10096");
        }
        if (options.names && options.names.length !== count) {
          return reject("Bo count and the name size do not match.", "10122");
        }
        rooms = Array.from({ length: count }, (_v, i) => ({
          breakoutRoomId: `{BO-${++roomCounter}-${i + 1}}`,
          name: options.names ? options.names[i] : `Breakout Room ${i + 1}`,
          members: new Map(),
        }));
        if (options.assign === "automatically") {
          const guests = [...participants.keys()].filter((uuid) => !isStaff(uuid));
          guests.forEach((uuid, i) => rooms[i % count].members.set(uuid, "assigned"));
        }
        emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomsCreated",
          breakoutRoomUUIDs: rooms.map((r) => r.breakoutRoomId) });
        return Promise.resolve(roomList());
      },

      /** @param {import("@zoom/appssdk").ConfigureBreakoutRoomsOptions} options */
      configureBreakoutRooms(options) {
        const refused = gate("configureBreakoutRooms", options);
        if (refused) return reject(refused, "10001");
        if (rooms.length === 0) return reject("There are no breakout rooms.", "10092");
        roomOptions = { ...roomOptions, ...options };
        emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomsConfigured" });
        return Promise.resolve({ ...roomOptions });
      },

      /** @param {import("@zoom/appssdk").AssignParticipantToBreakoutRoomOptions} options */
      assignParticipantToBreakoutRoom(options) {
        const refused = gate("assignParticipantToBreakoutRoom", options);
        if (refused) return reject(refused, "10001");
        const who = options.participantUUID ?? options.participant;
        if (typeof who !== "string") return reject("The id of the user is incorrect.", "10094");
        const room = rooms.find((r) => r.breakoutRoomId === options.uuid);
        if (!room) return reject("The id of the Breakout room is incorrect.", "10093");
        if (!participants.has(who)) {
          return reject("The participant ID is error, please get the newest participant ID.", "10075");
        }
        if (isStaff(who)) return reject("Assign user to Breakout Room failed.", "10103");
        removeFromRooms(who);
        room.members.set(who, state === "open" ? "joined" : "assigned");
        emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomParticipantsAssigned",
          breakoutRoomUUID: room.breakoutRoomId, participantUUIDs: [who] });
        return Promise.resolve({ message: "success" });
      },

      openBreakoutRooms() {
        const refused = gate("openBreakoutRooms", null);
        if (refused) return reject(refused, "10001");
        if (rooms.length === 0) return reject("There are no breakout rooms.", "10092");
        state = "open";
        for (const room of rooms) for (const uuid of room.members.keys()) room.members.set(uuid, "joined");
        emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomOpened" });
        return Promise.resolve({ message: "success" });
      },

      closeBreakoutRooms() {
        const refused = gate("closeBreakoutRooms", null);
        if (refused) return reject(refused, "10001");
        if (state !== "open") return reject("Breakout Rooms are not open.", "10092");
        state = "closed";
        for (const room of rooms) for (const uuid of room.members.keys()) room.members.set(uuid, "assigned");
        emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomClosed" });
        return Promise.resolve({ message: "success" });
      },

      /** @param {(event: OnParticipantChangeEvent) => void} handler */
      onParticipantChange(handler) {
        if (gate("onParticipantChange", null)) throw new Error(NOT_CONFIGURED);
        handlers.onParticipantChange.push(handler);
      },

      /** The app user's own room changes (the host stays in the main room here). @param {(event: OnBreakoutRoomChangeEvent) => void} handler */
      onBreakoutRoomChange(handler) {
        if (gate("onBreakoutRoomChange", null)) throw new Error(NOT_CONFIGURED);
        handlers.onBreakoutRoomChange.push(handler);
      },

      /** Room options, rooms opened/closed/created and participants assigned. @param {(event: import("@zoom/appssdk").onMeetingConfigChangedEvent) => void} handler */
      onMeetingConfigChanged(handler) {
        if (gate("onMeetingConfigChanged", null)) throw new Error(NOT_CONFIGURED);
        handlers.onMeetingConfigChanged.push(handler);
      },

      /** What tests use to change the meeting and look into it. */
      __emulator: {
        /** @param {ScenarioParticipant} p */
        join(p) {
          const participant = { screenName: p.screenName, participantUUID: p.participantUUID,
            participantId: String(nextId++), role: p.role || "attendee" };
          participants.set(p.participantUUID, participant);
          emit("onParticipantChange", { timestamp: Date.now(), participants: [{ status: "join",
            screenName: p.screenName, participantId: Number(participant.participantId),
            participantUUID: p.participantUUID, role: participant.role }] });
        },
        /** @param {string} uuid */
        leave(uuid) {
          const p = participants.get(uuid);
          if (!p) return;
          participants.delete(uuid);
          emit("onParticipantChange", { timestamp: Date.now(), participants: [{ status: "leave",
            screenName: p.screenName, participantId: Number(p.participantId), participantUUID: uuid, role: p.role }] });
        },
        /** A rename is a leave and a join under the same UUID (how the client reports it). @param {string} uuid @param {string} name */
        rename(uuid, name) {
          const p = participants.get(uuid);
          if (!p) return;
          p.screenName = name;
          emit("onParticipantChange", { timestamp: Date.now(), participants: [
            { status: "leave", screenName: name, participantId: Number(p.participantId), participantUUID: uuid, role: p.role },
            { status: "join", screenName: name, participantId: Number(p.participantId), participantUUID: uuid, role: p.role },
          ] });
        },
        /**
         * The host moves someone in Zoom's own breakout window (not through the app): into the room
         * named `roomName`, or back to the main room with null.
         * @param {string} uuid @param {string | null} roomName
         */
        hostMove(uuid, roomName) {
          if (!participants.has(uuid) || isStaff(uuid)) return false;
          const room = roomName === null ? null : rooms.find((r) => r.name === roomName);
          if (room === undefined) return false;
          const left = rooms.find((r) => r.members.has(uuid));
          removeFromRooms(uuid);
          if (room) {
            room.members.set(uuid, state === "open" ? "joined" : "assigned");
            emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomParticipantsAssigned",
              breakoutRoomUUID: room.breakoutRoomId, participantUUIDs: [uuid] });
          } else if (left) {
            emit("onMeetingConfigChanged", { timestamp: Date.now(), change: "breakoutRoomParticipantsLeft",
              breakoutRoomUUID: left.breakoutRoomId, participantUUIDs: [uuid] });
          }
          return true;
        },
        /** Rooms by name with their members' UUIDs, the state and the options. */
        snapshot() {
          return {
            state,
            options: { ...roomOptions },
            rooms: Object.fromEntries(rooms.map((r) => [r.name, [...r.members.keys()]])),
          };
        },
        calls,
      },
    };
    return sdk;
  }

  const scenario = /** @type {any} */ (window).__ZOOMAPP_SCENARIO__;
  /** @type {any} */ (window).createZoomSdkEmulator = createZoomSdkEmulator;
  if (scenario) /** @type {any} */ (window).zoomSdk = createZoomSdkEmulator(scenario);
})();
