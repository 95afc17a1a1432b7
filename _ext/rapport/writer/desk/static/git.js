// The versions page: what has changed, and saving a version with a message.
"use strict";
(function () {
  const list = document.getElementById("git-andringar");
  const answer = document.getElementById("git-svar");

  async function load() {
    const {data} = await Desk.get("/api/git");
    if (data.fel || !data.git) { Desk.say(answer, data.fel || data.text, Boolean(data.fel)); list.replaceChildren(); return; }
    document.getElementById("git-senaste").textContent = data.senaste ? "Senaste version: " + data.senaste : "";
    list.replaceChildren(...(data.andringar.length ? data.andringar : [{fil: "Inget har ändrats.", tillstand: ""}]).map((c) => {
      const li = document.createElement("li");
      li.textContent = c.tillstand ? c.fil + " (" + c.tillstand + ")" : c.fil;
      return li;
    }));
  }

  document.getElementById("git-spara").addEventListener("submit", async (event) => {
    event.preventDefault();
    const {data} = await Desk.post("/api/git/spara", {meddelande: document.getElementById("git-meddelande").value});
    Desk.say(answer, data.fel || data.text, Boolean(data.fel));
    if (!data.fel) { document.getElementById("git-meddelande").value = ""; load(); }
  });
  load();
})();
