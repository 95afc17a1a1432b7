// The start page: the series' reports and "Ny rapport" with the date-collision choice.
"use strict";
(function () {
  const STATES = {"utkast": "Utkast", "klar": "Klar", "godkänd": "Godkänd", "skickad": "Skickad", "rättad": "Rättad"};
  const table = document.getElementById("rapporter");
  const status = document.getElementById("lista-status");

  async function list() {
    const {data} = await Desk.get("/api/rapporter");
    if (data.fel) { Desk.say(status, data.fel, true); return; }
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const report of data.rapporter) {
      const row = document.createElement("tr");
      const name = document.createElement("td");
      const link = document.createElement("a");
      link.href = "/rapport/" + report.doc;
      link.textContent = report.titel;
      name.append(link);
      const file = document.createElement("span");
      file.className = "liten fil";
      file.textContent = report.fil;
      name.append(document.createElement("br"), file);
      const when = document.createElement("td");
      when.textContent = report.datum || "–";
      when.dataset.rubrik = "Sammanställd";
      const state = document.createElement("td");
      state.dataset.rubrik = "Läge";
      const badge = document.createElement("span");
      badge.className = "lage lage-" + report.tillstand;
      badge.textContent = STATES[report.tillstand] || report.tillstand;
      state.append(badge);
      const version = document.createElement("td");
      version.textContent = report.version || "–";
      version.dataset.rubrik = "Version";
      row.append(name, when, state, version);
      body.append(row);
    }
    table.hidden = false;
    const count = data.rapporter.length;
    Desk.say(status, count === 1 ? "1 rapport." : count + " rapporter.");
  }

  const form = document.getElementById("ny");
  const choice = document.getElementById("ny-val");
  const dateInput = document.getElementById("ny-datum");
  if (!dateInput.value) dateInput.value = new Date().toISOString().slice(0, 10);
  let existing = [];

  async function create(val) {
    const body = {datum: dateInput.value, tid: document.getElementById("ny-tid").value, val};
    Desk.announce("Skapar rapporten …");
    const {status: code, data} = await Desk.post("/api/ny", body);
    if (code === 409 && data.finns) {
      existing = data.finns;
      document.getElementById("ny-val-text").textContent =
        data.fraga + " Vill du öppna den eller skapa en till för samma dag?";
      const items = document.getElementById("ny-val-lista");
      items.replaceChildren(...data.finns.map((item) => {
        const li = document.createElement("li");
        li.textContent = item.text;
        return li;
      }));
      choice.hidden = false;
      document.getElementById("ny-oppna").focus();
      return;
    }
    if (data.fel) { Desk.announce(data.fel); alertBox(data.fel); return; }
    window.location.href = "/rapport/" + data.skapad;
  }

  function alertBox(text) {
    let box = document.getElementById("ny-fel");
    if (!box) {
      box = document.createElement("p");
      box.id = "ny-fel";
      box.className = "fel";
      box.setAttribute("role", "alert");
      form.after(box);
    }
    box.textContent = text;
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); create(""); });
  document.getElementById("ny-oppna").addEventListener("click", () => {
    if (existing.length) window.location.href = "/rapport/" + existing[0].doc;
  });
  document.getElementById("ny-anda").addEventListener("click", () => create("ny"));
  list();
})();
