// The release panel: each button calls the same operation as the rapport command.
"use strict";
(function () {
  const doc = document.getElementById("redigera").dataset.doc;
  const $ = (id) => document.getElementById(id);
  const password = () => $("losenord").value || undefined;

  function show(id, data, okText) {
    const box = $(id);
    if (data.fel) { Desk.say(box, data.fel, true); return false; }
    Desk.say(box, data.text || okText || "Klart.");
    return true;
  }

  async function busy(button, work) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try { await work(); } finally { button.disabled = false; button.removeAttribute("aria-busy"); }
  }

  async function status() {
    const box = $("laget");
    Desk.say(box, "Läser läget (bygger rapportens utgåva) …");
    const {data} = await Desk.get("/api/status?doc=" + encodeURIComponent(doc));
    if (data.fel) { Desk.say(box, data.fel, true); return; }
    box.replaceChildren();
    const code = document.createElement("p");
    code.className = "version";
    code.textContent = "Version " + data.version;
    box.append(code);
    const approval = document.createElement("p");
    approval.textContent = data.godkand
      ? "Godkänd av " + data.godkand.av + " (" + data.godkand.hur + ")"
      : data.kravs ? "Inte godkänd – serien kräver godkännande före utskick." : "Inte godkänd (serien kräver inte godkännande).";
    box.append(approval);
    const stops = [...data.stoppar];
    if (data.saknas) stops.push(data.saknas);
    if (data.andrad_efter_utskick) stops.push(data.andrad_efter_utskick);
    const heading = document.createElement("p");
    heading.textContent = stops.length ? "Det här stoppar ett utskick:" : "Inget stoppar ett utskick.";
    heading.className = stops.length ? "fel" : "ok";
    box.append(heading);
    if (stops.length) box.append(list(stops));
    if (data.platshallare.length) {
      const p = document.createElement("p");
      p.textContent = "Platshållarlänkar som kräver ett val vid utskick:";
      box.append(p, list(data.platshallare));
    }
    if (data.andringar) {
      const pre = document.createElement("pre");
      pre.tabIndex = 0;
      pre.setAttribute("aria-label", "Ändringar sedan den godkända eller skickade versionen");
      pre.textContent = data.andringar;
      box.append(pre);
    }
    $("godkann-version").value = data.version;
    $("godkann-av").replaceChildren(...data.godkannare.map((person) => new Option(person.namn, person.adress)));
    const lists = $("listor");
    const legend = lists.querySelector("legend");
    const before = new Set(chosen()); // a refreshed panel keeps the writer's choice
    lists.replaceChildren(legend, ...data.listor.map((item, index) => {
      const p = document.createElement("p");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = "lista-" + index;
      box.value = item.namn;
      box.checked = before.has(item.namn);
      const label = document.createElement("label");
      label.htmlFor = box.id;
      label.textContent = item.namn;
      p.append(box, " ", label);
      return p;
    }));
    if (!data.listor.length) {
      const p = document.createElement("p");
      p.textContent = "Inga sändlistor finns (filen med listorna saknas eller är tom).";
      lists.append(p);
    }
  }

  function list(items) {
    const ul = document.createElement("ul");
    ul.replaceChildren(...items.map((text) => { const li = document.createElement("li"); li.textContent = text; return li; }));
    return ul;
  }

  function chosen() { return [...document.querySelectorAll("#listor input:checked")].map((box) => box.value); }

  $("losen-form").addEventListener("submit", (event) => event.preventDefault());
  $("uppdatera-laget").addEventListener("click", (e) => busy(e.currentTarget, status));

  $("korrektur").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    Desk.say($("korrektur-svar"), "Skickar korrekturen …");
    const {data} = await Desk.post("/api/korrektur", {doc, losenord: password()});
    if (show("korrektur-svar", data)) status();
  }));

  $("godkann").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter || $("godkann").querySelector("button"), async () => {
      const {data} = await Desk.post("/api/godkann", {
        doc, av: $("godkann-av").value, hur: $("godkann-hur").value, version: $("godkann-version").value.trim(),
      });
      if (show("godkann-svar", data)) status();
    });
  });

  let counted = 0;
  $("rakna").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    const {data} = await Desk.post("/api/mottagare", {listor: chosen()});
    if (data.fel) { Desk.say($("skicka-svar"), data.fel, true); $("skicka-bekrafta").hidden = true; return; }
    counted = data.antal;
    $("skicka-antal").textContent = "Rapporten skickas till " + data.antal + (data.antal === 1 ? " mottagare" : " mottagare") +
      " på listorna " + chosen().join(", ") + ".";
    $("skicka").textContent = "Skicka till " + data.antal + " mottagare";
    $("skicka-ok").checked = false;
    $("skicka-bekrafta").hidden = false;
    Desk.say($("skicka-svar"), "");
    $("skicka-ok").focus();
  }));

  $("bygg").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    const {data} = await Desk.post("/api/bygg", {});
    if (data.fel) { Desk.say($("bygg-svar"), data.fel, true); return; }
    await follow(data.jobb, "bygg-svar", null);
  }));

  async function follow(key, answer, progressBar) {
    const bar = progressBar === undefined ? $("skicka-forlopp") : progressBar;
    for (;;) {
      const {data} = await Desk.get("/api/jobb/" + key);
      if (bar && data.totalt) { bar.max = data.totalt; bar.value = data.klara; }
      if (data.klart) {
        if (data.fel) Desk.say($(answer), data.fel, true);
        else Desk.say($(answer), data.text || "Klart.");
        status();
        return;
      }
      Desk.say($(answer), !bar ? "Bygger …" : data.totalt ? "Skickar … " + data.klara + " av " + data.totalt : "Förbereder utskicket …");
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  }

  $("skicka").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    if (!$("skicka-ok").checked) { Desk.say($("skicka-svar"), "Bekräfta utskicket först (kryssrutan ovan).", true); return; }
    const {data} = await Desk.post("/api/skicka", {
      doc, listor: chosen(), bekraftat: true, platshallare: $("skicka-platshallare").checked, losenord: password(),
    });
    if (data.fel) { Desk.say($("skicka-svar"), data.fel, true); return; }
    $("skicka-bekrafta").hidden = true;
    await follow(data.jobb, "skicka-svar");
  }));

  $("publicera").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    Desk.say($("publicera-svar"), "Publicerar …");
    const {data} = await Desk.post("/api/publicera", {mal: $("publicera-mal").value, platshallare: $("publicera-platshallare").checked});
    show("publicera-svar", data);
  }));

  $("rattelse").addEventListener("submit", (event) => {
    event.preventDefault();
    busy($("rattelse").querySelector("button"), async () => {
      const {data} = await Desk.post("/api/rattelse", {
        doc, fel_text: $("rattelse-fel").value, ratt_text: $("rattelse-ratt").value, skicka: false,
      });
      if (show("rattelse-svar", data)) { status(); if (window.deskPage) window.deskPage.reload && window.deskPage.reload(); }
    });
  });

  $("rattelse-skicka").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    Desk.say($("rattelse-svar"), "Förbereder utskicket …");
    const {data} = await Desk.post("/api/rattelse", {doc, registrera: false, skicka: true, losenord: password(), platshallare: $("rattelse-platshallare").checked});
    if (data.fel) { Desk.say($("rattelse-svar"), data.fel, true); return; }
    await follow(data.jobb, "rattelse-svar");
  }));

  $("historik").addEventListener("click", (e) => busy(e.currentTarget, async () => {
    const {data} = await Desk.get("/api/historik?doc=" + encodeURIComponent(doc));
    Desk.say($("historik-svar"), data.fel || data.text, Boolean(data.fel));
  }));
})();
