// The desk's shared helpers: requests with the CSRF token, messages, Swedish times.
"use strict";
window.Desk = (function () {
  const csrf = document.querySelector('meta[name="csrf"]').content;

  async function request(method, url, body) {
    const options = {method, headers: {"Accept": "application/json"}, credentials: "same-origin"};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      return {status: 0, data: {fel: "Skrivbordet svarar inte. Kör rapport skrivbord fortfarande?"}};
    }
    let data;
    try {
      data = await response.json();
    } catch (error) {
      data = {fel: response.status === 403 ? "Skrivbordet känner inte igen den här fliken; öppna adressen som rapport skrivbord visade." : "Oväntat svar från skrivbordet"};
    }
    return {status: response.status, data};
  }

  function get(url) { return request("GET", url); }
  function post(url, body) { return request("POST", url, body || {}); }

  function clock(date) {
    const d = date || new Date();
    return "kl. " + d.getHours() + "." + String(d.getMinutes()).padStart(2, "0");
  }

  function say(element, text, isError) {
    element.textContent = text || "";
    element.classList.toggle("fel", Boolean(isError));
  }

  function announce(text) {
    const box = document.getElementById("meddelande");
    if (box) box.textContent = text;
  }

  return {request, get, post, clock, say, announce};
})();
