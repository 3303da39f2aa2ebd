// @ts-check
/* Rehearsal only (GET /zoomapp/rehearsal): starts the Apps SDK emulator with the meeting the server made
 * up from the registrations, before the app's own script runs, and lets the organiser play the meeting:
 * late joiners arrive on a button press; the rooms' members are shown as Zoom would hold them.
 */
(() => {
  "use strict";

  const node = document.getElementById("zoomapp-scenario");
  const scenario = JSON.parse((node && node.textContent) || "{}");
  const w = /** @type {any} */ (window);
  if (typeof w.createZoomSdkEmulator !== "function") return;
  w.zoomSdk = w.createZoomSdkEmulator({ participants: scenario.participants || [] });
  /** @type {{participantUUID: string, screenName: string, role: string}[]} */
  const late = [...(scenario.late || [])];

  function showRooms() {
    const list = document.getElementById("rehearsal-rooms");
    if (!list) return;
    const snapshot = w.zoomSdk.__emulator.snapshot();
    /** @type {[string, string[]][]} */
    const rooms = Object.entries(snapshot.rooms);
    list.replaceChildren(
      ...rooms.map(([name, members]) => {
        const item = document.createElement("li");
        item.textContent = `${name}: ${members.length}`;
        return item;
      }),
    );
  }

  function start() {
    const button = /** @type {HTMLButtonElement | null} */ (document.getElementById("rehearsal-join"));
    if (button) {
      button.disabled = late.length === 0;
      button.addEventListener("click", () => {
        const next = late.shift();
        if (next) w.zoomSdk.__emulator.join(next);
        button.disabled = late.length === 0;
      });
    }
    setInterval(showRooms, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
