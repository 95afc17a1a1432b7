// The settings page: rapport.toml's fields, checked by the same validation as the build.
"use strict";
(function () {
  const holder = document.getElementById("falt");
  const answer = document.getElementById("installningar-svar");
  let base = "";
  let fields = [];

  function field(spec) {
    const wrap = document.createElement("div");
    wrap.className = "falt";
    wrap.dataset.nyckel = spec.nyckel;
    const id = "f-" + spec.nyckel.replace(/\W/g, "-");
    const help = document.createElement("p");
    help.className = "liten hjalp";
    help.id = id + "-hjalp";
    help.textContent = spec.hjalp;
    const problem = document.createElement("p");
    problem.className = "fel problem";
    problem.id = id + "-fel";
    if (spec.slag === "contact") {
      const set = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = spec.etikett;
      set.append(legend, help);
      for (const [key, label] of Object.entries(spec.delar)) {
        const p = document.createElement("p");
        const l = document.createElement("label");
        l.htmlFor = id + "-" + key;
        l.textContent = label;
        const input = document.createElement("input");
        input.id = id + "-" + key;
        input.dataset.del = key;
        input.value = (spec.varde || {})[key] || "";
        input.type = key === "epost" ? "email" : key === "webbadress" ? "url" : key === "telefon" ? "tel" : "text";
        p.append(l, input);
        set.append(p);
      }
      set.append(problem);
      wrap.append(set);
      return wrap;
    }
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = spec.etikett;
    let input;
    if (spec.slag === "flag") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = Boolean(spec.varde);
      const p = document.createElement("p");
      p.className = "kryss";
      p.append(input, " ", label);
      input.id = id;
      input.setAttribute("aria-describedby", help.id + " " + problem.id);
      wrap.append(p, help, problem);
      return wrap;
    }
    if (spec.slag === "choice") {
      input = document.createElement("select");
      for (const value of ["starttls", "tls", "none"]) input.append(new Option(value, value, false, value === spec.varde));
    } else if (spec.slag === "addresses") {
      input = document.createElement("textarea");
      input.rows = 3;
      input.value = (spec.varde || []).join("\n");
    } else {
      input = document.createElement("input");
      input.type = "text";
      if (spec.slag === "number") input.inputMode = "numeric";
      input.value = spec.varde === null || spec.varde === undefined ? "" : String(spec.varde);
    }
    input.id = id;
    input.setAttribute("aria-describedby", help.id + " " + problem.id);
    const p = document.createElement("p");
    p.append(label, input);
    wrap.append(p, help, problem);
    return wrap;
  }

  function value(spec) {
    const wrap = holder.querySelector('[data-nyckel="' + spec.nyckel + '"]');
    if (spec.slag === "contact") {
      const result = {};
      for (const input of wrap.querySelectorAll("input[data-del]")) result[input.dataset.del] = input.value;
      return result;
    }
    const input = wrap.querySelector("input, select, textarea");
    if (spec.slag === "flag") return input.checked;
    return input.value;
  }

  async function load() {
    const {data} = await Desk.get("/api/installningar");
    if (data.fel) { Desk.say(answer, data.fel, true); return; }
    base = data.bas;
    fields = data.falt;
    holder.replaceChildren(...fields.map(field));
  }

  document.getElementById("installningar").addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const p of holder.querySelectorAll(".problem")) p.textContent = "";
    for (const input of holder.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const values = {};
    for (const spec of fields) values[spec.nyckel] = value(spec);
    const {data} = await Desk.post("/api/installningar", {varden: values, bas: base});
    if (data.problem) {
      let first = null;
      for (const problem of data.problem) {
        const wrap = holder.querySelector('[data-nyckel="' + problem.nyckel + '"]');
        if (!wrap) continue;
        wrap.querySelector(".problem").textContent = problem.fel;
        const input = wrap.querySelector("input, select, textarea");
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
      Desk.say(answer, data.fel, true);
      if (first) first.focus();
      return;
    }
    if (data.fel) { Desk.say(answer, data.fel, true); return; }
    base = data.bas;
    Desk.say(answer, data.text);
  });
  load();
})();
