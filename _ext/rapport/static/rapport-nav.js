/* The menu (☰ Meny) and the page's table of contents: open and close them by tap, click
 * and keyboard at every width, with their state announced and focus kept in place.
 *
 * The theme opens the menu in a modal <dialog> on narrow screens (pydata-sphinx-theme) and
 * folds the sidebar away on wide ones (sphinx-book-theme); both bind to the FIRST
 * ".primary-toggle" of the page. What they leave undone is done here:
 * - the state: aria-expanded on the buttons, a name on each dialog;
 * - focus: back on the button when a dialog closes (the book theme blurs the button on
 *   click, so the theme would return focus to <body>), and not lost when the sidebar is
 *   folded on a wide screen (the same blur);
 * - a visible "Stäng" button inside an open dialog, for touch screens;
 * - a link followed inside a dialog closes it, so an in-page jump shows its target.
 *
 * This file is loaded (not deferred) at the end of <body>: it runs before the theme's
 * deferred scripts bind their handlers, so the capture listener below sees a click first.
 */
(function () {
  "use strict";

  var WIDE = "(min-width: 992px)"; // the theme's breakpoint for the inline sidebar

  function setup() {
    var pairs = [
      {
        button: document.querySelector(".primary-toggle"),
        sidebar: document.getElementById("pst-primary-sidebar"),
        dialog: document.getElementById("pst-primary-sidebar-modal"),
        name: "Meny",
        close: "Stäng menyn",
        foldsOnWide: true,
      },
      {
        button: document.querySelector(".secondary-toggle"),
        sidebar: document.getElementById("pst-secondary-sidebar"),
        dialog: document.getElementById("pst-secondary-sidebar-modal"),
        name: "Innehåll på sidan",
        close: "Stäng",
        foldsOnWide: false,
      },
    ];
    pairs.forEach(function (pair) {
      if (pair.button && pair.sidebar && pair.dialog) {
        wire(pair);
      }
    });
  }

  function wire(pair) {
    var button = pair.button;
    var sidebar = pair.sidebar;
    var dialog = pair.dialog;
    var followedLink = false;

    dialog.setAttribute("aria-label", pair.name);

    // The close button travels with the sidebar's content into the dialog and back;
    // the stylesheet shows it only inside an open dialog.
    var closer = document.createElement("button");
    closer.type = "button";
    closer.className = "rapport-stang btn btn-sm";
    closer.innerHTML = '<span class="fa-solid fa-xmark" aria-hidden="true"></span> ';
    closer.appendChild(document.createTextNode(pair.close));
    closer.addEventListener("click", function () {
      dialog.close();
    });
    sidebar.insertBefore(closer, sidebar.firstChild);

    function expanded() {
      if (dialog.open) return true;
      if (window.matchMedia(WIDE).matches && pair.foldsOnWide) {
        return !sidebar.classList.contains("pst-sidebar-hidden");
      }
      return false;
    }
    function update() {
      button.setAttribute("aria-expanded", expanded() ? "true" : "false");
    }

    if (pair.foldsOnWide) {
      // Wide screens: fold the sidebar here (instead of the book theme, which would
      // also blur the button and so drop keyboard focus onto <body>).
      button.addEventListener(
        "click",
        function (event) {
          if (!window.matchMedia(WIDE).matches) return; // narrow: the theme's dialog
          event.preventDefault();
          event.stopImmediatePropagation();
          sidebar.classList.toggle("pst-sidebar-hidden");
          update();
        },
        true,
      );
    }

    dialog.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link && dialog.open) {
        followedLink = true;
        dialog.close();
      }
    });
    dialog.addEventListener("close", function () {
      update();
      if (!followedLink) {
        // after the theme's own close handlers (they return focus to <body>)
        window.setTimeout(function () {
          button.focus();
        }, 0);
      }
      followedLink = false;
    });
    new MutationObserver(update).observe(dialog, { attributes: true, attributeFilter: ["open"] });
    window.matchMedia(WIDE).addEventListener("change", update);
    update();
  }

  setup();
})();
