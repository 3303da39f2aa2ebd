// @ts-check
/* The host's Zoom App: puts everyone in the meeting, guests included, into the round's breakout rooms.
 *
 * Runs in the Zoom client's side panel. Zoom's Apps SDK (loaded from Zoom's CDN before this file)
 * provides `window.zoomSdk`. Everything is idempotent: each run reads the rooms' current members
 * first and assigns only the difference, so pressing the button again resumes an interrupted run.
 * The server decides who is who (POST /zoomapp/api/match); nothing is placed on a guess.
 *
 * While the panel is open it follows the meeting: newcomers are assigned as they join; the round's
 * plan is polled every ~2 s, so a move made in the moderator console is applied here; and a move the
 * host makes in Zoom's own breakout window (a room change the app did not cause) is reported to the
 * server, which records it for the console and lets the plan follow it.
 */
(() => {
  "use strict";

  /** @typedef {import("@zoom/appssdk").default} ZoomSdk */
  /** @typedef {import("@zoom/appssdk").BreakoutRoomsResponse} BreakoutRoomsResponse */
  /** @typedef {import("@zoom/appssdk").Apis} Apis */
  /**
   * @typedef {{countdown_seconds: number, allow_return: boolean, move_automatically: boolean,
   *   allow_choose_room: boolean, close_at_end: boolean}} RoomOptions
   * @typedef {{number: number, title: string, start: string, end: string, rooms: string[],
   *   options: RoomOptions}} RoundInfo
   * @typedef {{id: number, name: string, organisation: string | null}} PersonInfo
   * @typedef {{event_key: string, event_title: string, round: RoundInfo, rounds: RoundInfo[],
   *   plan_version: string, plan: Record<string, string>, people: PersonInfo[],
   *   choices: Record<string, number | string>}} RoundState
   * @typedef {{participant: {participant_uuid: string, screen_name: string, role: string}, status: string,
   *   person_id: number | null, target_room: string | null, current_room: string | null,
   *   candidates: number[]}} ParticipantMatch
   * @typedef {{participant_uuid: string, room: string, person_id: number}} Assignment
   * @typedef {{person_id: number, room: string, possibly_present: boolean}} AbsentPerson
   * @typedef {{participants: ParticipantMatch[], absent: AbsentPerson[], assignments: Assignment[],
   *   missing_rooms: string[], counts: Record<string, number>}} MatchReport
   * @typedef {{action: string, sdk_function: string, outcome: "ok" | "failed", round?: number,
   *   participant_uuid?: string, person_id?: number, room?: string, count?: number, error?: string}} ActionEntry
   * @typedef {{participant_uuid: string, person_id: number | null, from_room: string | null,
   *   to_room: string | null}} ZoomMove
   */

  /** Every SDK function this script calls or listens to (Zoom refuses anything not listed). @type {Apis[]} */
  const CAPABILITIES = [
    "getMeetingParticipants",
    "getBreakoutRoomList",
    "createBreakoutRooms",
    "configureBreakoutRooms",
    "assignParticipantToBreakoutRoom",
    "openBreakoutRooms",
    "closeBreakoutRooms",
    "onParticipantChange",
    "onMeetingConfigChanged",
  ];
  const MAX_ROOMS = 50; // the Apps SDK's limit
  const PACE_MS = 60; // between two assignments: one person per call, never a burst
  const CHANGE_DEBOUNCE_MS = 800; // joins and room changes arrive in bursts
  const POLL_MS = 2000; // the plan's version: the console's moves arrive within one poll
  const ACTION_BATCH = 50;

  /** @param {string} name */
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? "";
  const labelsNode = document.getElementById("zoomapp-labels");
  /** @type {Record<string, string>} */
  const labels = labelsNode ? JSON.parse(labelsNode.textContent || "{}") : {};
  const token = meta("zoomapp-token");
  const lang = meta("zoomapp-lang") || "de";

  /** @param {string} key @param {Record<string, string | number>} [values] */
  function t(key, values = {}) {
    return (labels[key] ?? key).replace(/\{(\w+)\}/g, (_m, name) => String(values[name] ?? `{${name}}`));
  }

  /** @param {string} id */
  function el(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error(`missing element #${id}`);
    return node;
  }

  const app = {
    /** @type {ZoomSdk | null} */ sdk: null,
    /** @type {RoundState | null} */ state: null,
    /** @type {MatchReport | null} */ report: null,
    round: Number(meta("zoomapp-round")) || 0,
    busy: false,
    again: false,
    autoAssign: false,
    planVersion: "",
    /** @type {ReturnType<typeof setTimeout> | null} */ changeTimer: null,
    /** Room of each participant at the last look (null: no look yet). @type {Map<string, string> | null} */
    lastRooms: null,
    /** @type {string} */ lastRoomNames: "",
    /** Assignments the app made itself and has not seen yet. @type {Map<string, string>} */
    expected: new Map(),
    /** Identified people the host took out of the rooms in Zoom: left alone. @type {Set<string>} */
    held: new Set(),
  };

  // Survives a reload of the panel (the Zoom client keeps the tab's session storage).
  const memoryKey = () => `zoomapp.round.${app.round}`;
  function remember() {
    try {
      sessionStorage.setItem(memoryKey(), JSON.stringify({ auto: app.autoAssign, held: [...app.held] }));
    } catch (_error) {
      /* storage unavailable: the host presses the button again */
    }
  }
  function recall() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(memoryKey()) || "{}");
      app.autoAssign = saved.auto === true;
      app.held = new Set(Array.isArray(saved.held) ? saved.held.map(String) : []);
    } catch (_error) {
      app.autoAssign = false;
    }
  }

  // --- server -------------------------------------------------------------------------------------

  class ServerError extends Error {
    /** @param {string} message @param {number} status @param {string} reason */
    constructor(message, status, reason) {
      super(message);
      this.status = status;
      this.reason = reason;
    }
  }

  /** @param {string} path @param {unknown} [body] @returns {Promise<any>} */
  async function api(path, body) {
    /** @type {Record<string, string>} */
    const headers = { "X-App-Token": token, Accept: "application/json" };
    /** @type {RequestInit} */
    const init = { method: body === undefined ? "GET" : "POST", headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`/zoomapp/api/${path}${path.includes("?") ? "&" : "?"}lang=${lang}`, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ServerError(String(data.error || response.status), response.status, String(data.reason || ""));
    }
    return data;
  }

  /** Record actions in the server's audit log, in batches. @param {ActionEntry[]} entries */
  async function record(entries) {
    for (let i = 0; i < entries.length; i += ACTION_BATCH) {
      await api("actions", { entries: entries.slice(i, i + ACTION_BATCH) });
    }
  }

  // --- Zoom ----------------------------------------------------------------------------------------

  /** @param {unknown} error */
  function errorText(error) {
    if (error instanceof ServerError) return t("server_error", { message: error.message });
    const message = error instanceof Error ? error.message : String(error);
    return t("sdk_error", { message });
  }

  /** The current rooms; no rooms at all is an empty, closed list (the SDK may reject then). */
  async function roomList() {
    const sdk = /** @type {ZoomSdk} */ (app.sdk);
    try {
      const list = await sdk.getBreakoutRoomList();
      return { rooms: list.rooms || [], state: list.state || "closed" };
    } catch (error) {
      return { rooms: [], state: /** @type {"open" | "closed"} */ ("closed") };
    }
  }

  /** @param {BreakoutRoomsResponse["rooms"]} rooms */
  function roomMembers(rooms) {
    return rooms.map((room) => ({
      name: room.name,
      participants: (room.participants || []).map((p) => p.participantUUID),
    }));
  }

  /** @param {string} uuid @returns {number | null} the person the last match identified */
  function personOf(uuid) {
    const match = app.report?.participants.find((m) => m.participant.participant_uuid === uuid);
    return match && match.person_id !== null && match.status !== "unsure" ? match.person_id : null;
  }

  /**
   * Room changes since the last look that the app did not make: the host's moves in Zoom.
   * @param {BreakoutRoomsResponse["rooms"]} rooms @param {Set<string>} present @returns {ZoomMove[]}
   */
  function zoomMoves(rooms, present) {
    /** @type {Map<string, string>} */
    const now = new Map();
    for (const room of rooms) for (const p of room.participants || []) now.set(p.participantUUID, room.name);
    const names = rooms.map((r) => r.name).sort().join("\n");
    const before = app.lastRooms;
    const sameRooms = names === app.lastRoomNames;
    app.lastRooms = now;
    app.lastRoomNames = names;
    if (!before || !sameRooms) return []; // first look, or the rooms were recreated: a new baseline
    /** @type {ZoomMove[]} */
    const moves = [];
    for (const uuid of new Set([...before.keys(), ...now.keys()])) {
      const from = before.get(uuid) ?? null;
      const to = now.get(uuid) ?? null;
      if (from === to || !present.has(uuid)) continue; // unchanged, or left the meeting
      if (app.expected.has(uuid) && app.expected.get(uuid) === to) {
        app.expected.delete(uuid);
        continue;
      }
      moves.push({ participant_uuid: uuid, person_id: personOf(uuid), from_room: from, to_room: to });
    }
    return moves;
  }

  /** Tell the server about the host's moves in Zoom (the plan follows identified people). @param {ZoomMove[]} moves */
  async function reportMoves(moves) {
    for (const move of moves) {
      if (move.to_room === null && move.person_id !== null) app.held.add(move.participant_uuid);
      else app.held.delete(move.participant_uuid);
    }
    remember();
    for (let i = 0; i < moves.length; i += ACTION_BATCH) {
      const answer = await api("zoom-moves", { round: app.round, moves: moves.slice(i, i + ACTION_BATCH) });
      app.planVersion = String(answer.plan_version || app.planVersion);
    }
  }

  /** Read participants and rooms from Zoom, report the host's moves, ask the server who is who, show it. */
  async function rematch() {
    const sdk = /** @type {ZoomSdk} */ (app.sdk);
    const { participants } = await sdk.getMeetingParticipants();
    const list = await roomList();
    const moves = zoomMoves(list.rooms, new Set(participants.map((p) => p.participantUUID)));
    if (moves.length) await reportMoves(moves);
    app.report = await api("match", {
      round: app.round,
      participants: participants.map((p) => ({
        participantUUID: p.participantUUID,
        screenName: p.screenName,
        role: p.role,
      })),
      rooms: roomMembers(list.rooms),
    });
    renderReport();
    return list;
  }

  /** @param {number} ms */
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Create the round's rooms unless they exist already (only possible while rooms are closed). */
  async function ensureRooms() {
    const sdk = /** @type {ZoomSdk} */ (app.sdk);
    const state = /** @type {RoundState} */ (app.state);
    const wanted = state.round.rooms;
    if (wanted.length > MAX_ROOMS) throw new Error(t("too_many_rooms", { count: wanted.length }));
    const list = await roomList();
    const current = list.rooms.map((r) => r.name);
    const same = current.length === wanted.length && wanted.every((name) => current.includes(name));
    if (same) return;
    if (list.state === "open") throw new Error(t("rooms_open"));
    try {
      app.lastRooms = null; // new rooms: their (empty) membership is the next baseline
      await sdk.createBreakoutRooms({ numberOfRooms: wanted.length, assign: "manually", names: wanted });
      await record([{ action: "create_rooms", sdk_function: "createBreakoutRooms", outcome: "ok",
        round: app.round, count: wanted.length }]);
    } catch (error) {
      await record([{ action: "create_rooms", sdk_function: "createBreakoutRooms", outcome: "failed",
        round: app.round, count: wanted.length, error: errorText(error).slice(0, 500) }]);
      throw error;
    }
  }

  /** Assign what the match says is missing, one person per call, paced; returns how many succeeded. */
  async function assignMissing() {
    const sdk = /** @type {ZoomSdk} */ (app.sdk);
    const list = await rematch();
    const report = /** @type {MatchReport} */ (app.report);
    const roomIds = new Map(list.rooms.map((r) => [r.name, r.breakoutRoomId]));
    const todo = report.assignments.filter((a) => roomIds.has(a.room) && !app.held.has(a.participant_uuid));
    /** @type {ActionEntry[]} */
    const done = [];
    let ok = 0;
    for (const [index, assignment] of todo.entries()) {
      progress(t("progress", { done: index, total: todo.length }));
      /** @type {ActionEntry} */
      const entry = { action: "assign", sdk_function: "assignParticipantToBreakoutRoom", outcome: "ok",
        round: app.round, participant_uuid: assignment.participant_uuid, person_id: assignment.person_id,
        room: assignment.room };
      app.expected.set(assignment.participant_uuid, assignment.room);
      try {
        await sdk.assignParticipantToBreakoutRoom({
          uuid: roomIds.get(assignment.room),
          participantUUID: assignment.participant_uuid,
        });
        ok += 1;
      } catch (error) {
        app.expected.delete(assignment.participant_uuid);
        entry.outcome = "failed";
        entry.error = errorText(error).slice(0, 500);
      }
      done.push(entry);
      if (done.length >= ACTION_BATCH) await record(done.splice(0));
      if (index + 1 < todo.length) await pause(PACE_MS);
    }
    await record(done);
    progress(todo.length ? t("progress", { done: todo.length, total: todo.length }) : "");
    await rematch();
    return { ok, total: todo.length };
  }

  /** @param {() => Promise<string | void>} work */
  async function run(work) {
    if (app.busy) return;
    app.busy = true;
    setButtons(false);
    showError("");
    try {
      const message = await work();
      if (message) progress(message);
    } catch (error) {
      showError(errorText(error), error instanceof ServerError && error.status === 401);
    } finally {
      app.busy = false;
      setButtons(true);
      if (app.again) {
        app.again = false;
        schedulePass(0);
      }
    }
  }

  async function assignAll() {
    await run(async () => {
      progress(t("working"));
      await ensureRooms();
      app.autoAssign = true;
      remember();
      const { ok, total } = await assignMissing();
      return total ? t("done", { count: ok }) : t("nothing");
    });
  }

  /** The round's options from the agenda as Zoom's configureBreakoutRooms options. @param {RoundInfo} round */
  function roomOptions(round) {
    const options = round.options;
    const minutes = Math.max(1, Math.round((Date.parse(round.end) - Date.now()) / 60000));
    return {
      allowParticipantsChooseRoom: options.allow_choose_room,
      allowParticipantsReturnToMainSession: options.allow_return,
      automaticallyMoveParticipantsIntoRooms: options.move_automatically,
      closeAfter: options.close_at_end && Number.isFinite(minutes) ? minutes : 0,
      countDown: options.countdown_seconds,
      automaticallyMoveParticipantsIntoMainRoom: options.move_automatically,
    };
  }

  /** Run one SDK call on the rooms and record it (also when Zoom refuses). @param {string} action
   * @param {Apis} fn @param {() => Promise<unknown>} call */
  async function recorded(action, fn, call) {
    try {
      await call();
    } catch (error) {
      await record([{ action, sdk_function: fn, outcome: "failed", round: app.round,
        error: errorText(error).slice(0, 500) }]);
      throw error;
    }
    await record([{ action, sdk_function: fn, outcome: "ok", round: app.round }]);
  }

  async function openRooms() {
    const sdk = /** @type {ZoomSdk} */ (app.sdk);
    const round = /** @type {RoundState} */ (app.state).round;
    await run(async () => {
      await recorded("configure_rooms", "configureBreakoutRooms", () =>
        sdk.configureBreakoutRooms(roomOptions(round)));
      await recorded("open_rooms", "openBreakoutRooms", () => sdk.openBreakoutRooms());
      await rematch();
      return t("opened");
    });
  }

  async function closeRooms() {
    const sdk = /** @type {ZoomSdk} */ (app.sdk);
    await run(async () => {
      await recorded("close_rooms", "closeBreakoutRooms", () => sdk.closeBreakoutRooms());
      await rematch();
      return t("closed");
    });
  }

  /** One pass: match again and, once the host started, assign what is missing. @param {number} delay */
  function schedulePass(delay) {
    if (app.changeTimer) clearTimeout(app.changeTimer);
    app.changeTimer = setTimeout(() => {
      app.changeTimer = null;
      if (app.busy) {
        app.again = true;
        return;
      }
      run(async () => {
        if (app.autoAssign) {
          const { ok, total } = await assignMissing();
          if (total) return t("done", { count: ok });
        } else {
          await rematch();
        }
      });
    }, delay);
  }

  /** Someone joined, left or was renamed, or the rooms changed. */
  function onChange() {
    schedulePass(CHANGE_DEBOUNCE_MS);
  }

  /** The plan's version every ~2 s: a change (a move in the console) starts a pass at once. */
  async function poll() {
    try {
      if (app.state && !document.hidden) {
        const answer = await api(`version?round=${app.round}`);
        const version = String(answer.plan_version || "");
        if (version && version !== app.planVersion) {
          app.planVersion = version;
          schedulePass(0);
        }
      }
    } catch (_error) {
      /* a failed poll is retried; an expired token shows up on the next action */
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  // --- page ----------------------------------------------------------------------------------------

  /** @param {string} text */
  function progress(text) {
    el("progress").textContent = text;
  }

  /** @param {string} text @param {boolean} [offerReload] */
  function showError(text, offerReload = false) {
    const box = el("error");
    box.textContent = text;
    box.hidden = !text;
    if (offerReload) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = t("reload");
      button.addEventListener("click", () => window.location.reload());
      box.append(" ", button);
    }
  }

  /** @param {boolean} enabled */
  function setButtons(enabled) {
    for (const id of ["assign", "open-rooms", "close-rooms"]) {
      /** @type {HTMLButtonElement} */ (el(id)).disabled = !enabled || !app.sdk || !app.state;
    }
  }

  /** @param {number | null} id */
  function personName(id) {
    const person = app.state?.people.find((p) => p.id === id);
    if (!person) return "?";
    return person.organisation ? `${person.name} (${person.organisation})` : person.name;
  }

  function renderRound() {
    const state = /** @type {RoundState} */ (app.state);
    el("round-title").textContent = t("round", { number: state.round.number, title: state.round.title });
    const o = state.round.options;
    el("room-options").textContent = [
      o.countdown_seconds ? t("countdown", { seconds: o.countdown_seconds }) : t("no_countdown"),
      t(o.allow_return ? "may_return" : "no_return"),
      t(o.move_automatically ? "auto_move" : "asked_to_join"),
    ].join(" · ");
  }

  function renderReport() {
    const report = app.report;
    if (!report) return;
    const counts = el("counts");
    counts.replaceChildren();
    const shown = ["placed", "to_place", "unsure", "unknown", "not_planned", "own_room", "host"];
    for (const status of shown) {
      const item = document.createElement("li");
      item.className = status;
      item.dataset.status = status;
      const label = document.createElement("span");
      label.textContent = t(status);
      const number = document.createElement("span");
      number.className = "n";
      number.textContent = String(report.counts[status] ?? 0);
      item.append(label, number);
      counts.append(item);
    }
    const absent = document.createElement("li");
    absent.className = "absent";
    absent.dataset.status = "absent";
    const absentLabel = document.createElement("span");
    absentLabel.textContent = t("absent");
    const absentNumber = document.createElement("span");
    absentNumber.className = "n";
    absentNumber.textContent = String(report.absent.length);
    absent.append(absentLabel, absentNumber);
    counts.append(absent);
    renderUnsure(report);
    el("absent-summary").textContent = `${t("absent")}: ${report.absent.length}`;
    const absentList = el("absent-list");
    absentList.replaceChildren(
      ...report.absent.slice(0, 300).map((a) => {
        const li = document.createElement("li");
        li.textContent = `${personName(a.person_id)} → ${a.room}`;
        return li;
      }),
    );
  }

  /** The unsure participants, each with a choice of candidates (or "own room"). @param {MatchReport} report */
  function renderUnsure(report) {
    const unsure = report.participants.filter((m) => m.status === "unsure");
    const section = el("decide");
    section.hidden = unsure.length === 0;
    const list = el("unsure-list");
    list.replaceChildren();
    for (const match of unsure.slice(0, 100)) {
      const li = document.createElement("li");
      const label = document.createElement("label");
      const select = document.createElement("select");
      label.textContent = `${match.participant.screen_name} `;
      const options = [["", t("choose_clear")], ["own_room", t("choose_own")],
        ...match.candidates.map((id) => [String(id), personName(id)])];
      for (const [value, text] of options) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = text;
        select.append(option);
      }
      label.append(select);
      const save = document.createElement("button");
      save.type = "button";
      save.className = "secondary";
      save.textContent = t("save_choice");
      save.addEventListener("click", () =>
        run(async () => {
          const value = select.value;
          await api("choice", {
            participant_uuid: match.participant.participant_uuid,
            choice: value === "" ? null : value === "own_room" ? "own_room" : Number(value),
          });
          if (app.autoAssign) await assignMissing();
          else await rematch();
        }),
      );
      li.append(label, " ", save);
      list.append(li);
    }
  }

  async function start() {
    const sdk = /** @type {ZoomSdk | undefined} */ (/** @type {any} */ (window).zoomSdk);
    el("assign").addEventListener("click", assignAll);
    el("open-rooms").addEventListener("click", openRooms);
    el("close-rooms").addEventListener("click", closeRooms);
    if (!sdk) {
      showError(t("sdk_missing"));
      return;
    }
    await run(async () => {
      await sdk.config({ capabilities: CAPABILITIES, version: "0.16" });
      app.sdk = sdk;
      app.state = await api(`state?round=${app.round}`);
      app.round = /** @type {RoundState} */ (app.state).round.number;
      app.planVersion = /** @type {RoundState} */ (app.state).plan_version;
      recall();
      renderRound();
      sdk.onParticipantChange(onChange);
      sdk.onMeetingConfigChanged(onChange);
      await rematch();
    });
    document.body.dataset.ready = "true";
    setTimeout(poll, POLL_MS);
    if (app.autoAssign) schedulePass(0); // reloaded halfway: carry on with the difference only
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
