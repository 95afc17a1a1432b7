// The editor page: CodeMirror, autosave that never loses a keystroke, the live preview,
// the findings beside the text and the insert menu with MyST fences that nest right.
"use strict";
(function () {
  const root = document.getElementById("redigera");
  const doc = root.dataset.doc;
  const saveState = document.getElementById("sparstatus");
  const frame = document.getElementById("forhand");
  const frameState = document.getElementById("forhand-status");
  const PAUSE = 200; // ms after the last keystroke before saving (builds coalesce)

  let editor = null;
  let base = "";          // digest of the file on disk the editor's text is based on
  let saved = "";         // the text last written
  let previewUrl = "";
  let timer = null;
  let saving = false;
  let again = false;
  let conflict = false;
  let builds = 0;

  function setState(text, isError) { Desk.say(saveState, text, isError); }

  async function open() {
    const {data} = await Desk.get("/api/fil?doc=" + encodeURIComponent(doc));
    if (data.fel) { setState(data.fel, true); return; }
    base = data.bas;
    saved = data.text;
    previewUrl = data.forhandsgranskning;
    editor = DeskEditor.createEditor(document.getElementById("editor"), data.text, {label: "Rapportens text i Markdown"});
    window.deskEditor = editor;
    editor.onChange(changed);
    setState("Sparad");
    waitForBuild(data.bygge);
    findings();
  }

  function changed() {
    if (conflict) return;
    setState("Inte sparad än …");
    clearTimeout(timer);
    timer = setTimeout(save, PAUSE);
  }

  async function save() {
    clearTimeout(timer);
    if (!editor || conflict) return;
    if (saving) { again = true; return; }
    const text = editor.text();
    if (text === saved) { setState("Sparad"); return; }
    saving = true;
    setState("Sparar …");
    const {status, data} = await Desk.post("/api/spara", {doc, text, bas: base});
    saving = false;
    if (status === 409 && data.konflikt) { showConflict(data, text); return; }
    if (data.fel) { setState(data.fel, true); again = false; return; }
    base = data.bas;
    saved = text;
    setState(editor.text() === saved ? "Sparad " + Desk.clock() : "Inte sparad än …");
    waitForBuild(data.bygge);
    if (again || editor.text() !== saved) { again = false; save(); }
  }

  async function waitForBuild(number) {
    builds = Math.max(builds, number);
    frameState.textContent = "(uppdateras …)";
    const {data} = await Desk.get("/api/bygge?nr=" + number);
    if (number < builds) return; // a newer save will reload the preview
    if (!data.klart) { frameState.textContent = "(" + (data.fel || "bygget dröjer") + ")"; return; }
    root.dataset.bygge = data.sekunder; // the build's own seconds (bench/desk_bench.py reads it)
    showPreview(number);
    frameState.textContent = data.fel ? "(bygget misslyckades: " + data.fel + ")" : "(uppdaterad " + Desk.clock() + ")";
    if (data.steg === "page") {
      // the edited page came first; the whole build follows (neighbours, registers, the
      // page's own lists of other pages) and the page is shown again if it changed
      const whole = (await Desk.get("/api/bygge?helt=1&nr=" + number)).data;
      if (number < builds) return;
      if (whole.klart && whole.andrad) showPreview(number + 0.5);
      if (whole.fel) frameState.textContent = "(bygget misslyckades: " + whole.fel + ")";
    }
    findings();
  }

  function showPreview(number) {
    if (!previewUrl) return;
    frame.src = previewUrl + "?v=" + number + "-" + Date.now();
  }

  // -- the file changed on disk: the writer chooses --------------------------------------

  const dialog = document.getElementById("konflikt");
  let diskBase = "";
  let diskText = "";

  function showConflict(data, mine) {
    conflict = true;
    diskBase = data.diskbas;
    diskText = data.disk;
    setState("Inte sparad: filen har ändrats på disken", true);
    document.getElementById("konflikt-text").textContent = data.fel;
    document.getElementById("konflikt-disk").value = data.disk;
    document.getElementById("konflikt-egen").value = mine;
    if (!dialog.open) dialog.showModal();
  }

  document.getElementById("konflikt-min").addEventListener("click", async () => {
    base = diskBase; // the writer chose to replace what is on disk, knowingly
    conflict = false;
    dialog.close();
    saved = diskText;
    await save();
  });
  document.getElementById("konflikt-deras").addEventListener("click", () => {
    conflict = false;
    base = diskBase;
    saved = diskText;
    editor.setText(diskText); // the writer's text stays in the dialog's box until closed
    setState("Texten från disken är öppnad");
    document.getElementById("konflikt-egen").focus();
  });
  document.getElementById("konflikt-stang").addEventListener("click", () => dialog.close());

  window.addEventListener("beforeunload", (event) => {
    if (editor && editor.text() !== saved) { save(); event.preventDefault(); event.returnValue = ""; }
  });
  document.getElementById("spara").addEventListener("click", () => save());
  document.getElementById("sok").addEventListener("click", () => editor && editor.search());
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
  });

  // -- findings -----------------------------------------------------------------------------

  async function findings() {
    const list = document.getElementById("fynd-lista");
    const count = document.getElementById("fynd-antal");
    const {data} = await Desk.get("/api/fynd?doc=" + encodeURIComponent(doc));
    if (data.fel) { list.replaceChildren(item(data.fel)); return; }
    const own = data.fil;
    count.textContent = data.fynd.length === 0 ? "(inga fynd)" : "(" + data.fynd.length + " fynd)";
    list.replaceChildren(...data.fynd.map((found) => {
      const li = document.createElement("li");
      if (found.fil === own && found.rad) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "fynd-rad";
        button.dataset.rad = found.rad;
        button.textContent = "Rad " + found.rad + ": " + found.meddelande;
        button.addEventListener("click", () => editor.goToLine(found.rad));
        li.append(button);
      } else {
        li.textContent = (found.fil !== own ? found.fil + (found.rad ? ":" + found.rad : "") + ": " : "") + found.meddelande;
      }
      return li;
    }));
    if (data.fynd.length === 0) list.replaceChildren(item("Inga fynd i rapporten."));
  }

  function item(text) { const li = document.createElement("li"); li.textContent = text; return li; }

  // -- the insert menu: fences that nest right ----------------------------------------------

  function today() {
    const d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function snippet(kind, key) {
    const date = today();
    const d = new Date();
    switch (kind) {
      case "beslut":
        return [":::{beslut} BESLUT-" + date, ":datum: " + date, ":organ: Vem som beslutade", ":titel: Beslutets rubrik",
          ":status: fattat", "Vad som beslutades.", ":::"];
      case "faq":
        return [":::{faq} fraga-" + date, ":fraga: Frågan?", ":uppdaterad: " + date, "Svaret.", ":::"];
      case "internt":
        return [":::{internt}", "Text som bara visas på intranätet.", ":::"];
      case "atgard":
        return ["- " + d.getDate() + "/" + (d.getMonth() + 1) + " Kanal: [Titel](#) – kommentar"];
      case "avsnitt":
        return [":::{avsnitt} " + key, "- Text.", ":::"];
    }
    return [];
  }

  // the fences of the text as the writer meant them: an opening ":::{name}" and the next
  // closing line with at least as many colons, innermost first
  function fences(lines) {
    const stack = [];
    const found = [];
    lines.forEach((line, index) => {
      let match = /^(:{3,})\{[^}]*\}/.exec(line);
      if (match) { stack.push({open: index, colons: match[1].length}); return; }
      match = /^(:{3,})\s*$/.exec(line);
      if (match && stack.length && match[1].length >= stack[stack.length - 1].colons) {
        const fence = stack.pop();
        fence.close = index;
        found.push(fence);
      }
    });
    return found;
  }

  function insert(kind, key) {
    if (!editor) return;
    const view = editor.view;
    const state = view.state;
    const lines = state.doc.toString().split("\n");
    let at = state.doc.lineAt(state.selection.main.head).number - 1; // 0-based line
    const all = fences(lines);
    let chain = all.filter((f) => f.open <= at && at < f.close).sort((a, b) => b.open - a.open);
    if (kind === "avsnitt" && chain.length) {
      // a section stands at the top level: after the block the cursor is in
      at = chain[chain.length - 1].close;
      chain = [];
    }
    const block = snippet(kind, key);
    const changes = [];
    let inner = kind === "atgard" ? 0 : 3;
    for (const fence of chain) {
      const need = Math.max(fence.colons, inner + 1);
      if (need !== fence.colons && inner > 0) {
        const extra = ":".repeat(need - fence.colons);
        changes.push({from: state.doc.line(fence.open + 1).from, insert: extra});
        changes.push({from: state.doc.line(fence.close + 1).from, insert: extra});
      }
      inner = Math.max(need, inner);
    }
    const line = state.doc.line(at + 1);
    const text = (line.length ? "\n" : "") + (kind === "atgard" ? "" : "\n") + block.join("\n") + (kind === "atgard" ? "" : "\n");
    changes.push({from: line.to, insert: text});
    const transaction = state.update({changes, scrollIntoView: true});
    const end = transaction.changes.mapPos(line.to, 1);
    view.dispatch(transaction);
    view.dispatch({selection: {anchor: end}, scrollIntoView: true});
    view.focus();
    Desk.announce("Infogat: " + kind + ". Ersätt texterna i blocket.");
  }

  const menu = document.getElementById("infoga");
  for (const button of menu.querySelectorAll("[data-infoga]")) {
    button.addEventListener("click", () => {
      menu.open = false;
      insert(button.dataset.infoga, button.dataset.nyckel);
    });
  }
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { menu.open = false; menu.querySelector("summary").focus(); }
  });

  window.deskPage = {save, findings, doc: () => doc};
  if (window.DeskEditor) open(); else window.addEventListener("load", open);
})();
