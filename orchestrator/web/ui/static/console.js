// Drag-and-drop for the moderator console: dropping a person on a room fills in the
// "Move a person" form and submits it. Everything also works without this script.
(function () {
  "use strict";
  var form = document.getElementById("move-form");
  if (!form) { return; }
  var personSelect = document.getElementById("move-person");
  var roomSelect = document.getElementById("move-room");
  var status = document.getElementById("dnd-status");

  document.querySelectorAll("li[draggable=true][data-email]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData("text/plain", item.dataset.email);
      event.dataTransfer.effectAllowed = "move";
      item.classList.add("dragging");
    });
    item.addEventListener("dragend", function () { item.classList.remove("dragging"); });
  });

  document.querySelectorAll(".room[data-room]").forEach(function (room) {
    room.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      room.classList.add("drop-target");
    });
    room.addEventListener("dragleave", function () { room.classList.remove("drop-target"); });
    room.addEventListener("drop", function (event) {
      event.preventDefault();
      room.classList.remove("drop-target");
      var email = event.dataTransfer.getData("text/plain");
      if (!email) { return; }
      personSelect.value = email;
      roomSelect.value = room.dataset.room;
      if (personSelect.value !== email || roomSelect.value !== room.dataset.room) { return; }
      if (status) { status.textContent = room.dataset.room; }
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    });
  });
})();
