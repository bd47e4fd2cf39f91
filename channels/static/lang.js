/* The web chat's language, decided before the page is first painted.
 *
 * Loaded (synchronously, before <body>) from the page's <head>: chat.js paints the page's
 * texts only once the catalogue's texts have arrived, so a page whose language is not the
 * HTML's Vietnamese stays hidden until then (no flash of Vietnamese before English), in
 * the language chat.js will choose: the citizen's choice in the menu, else the stored
 * conversation's language, else the browser's. Never longer than HIDE_MS: a page whose
 * texts cannot load shows its Vietnamese rather than nothing.
 */
(function () {
  "use strict";
  var HIDE_MS = 3000;
  var root = document.documentElement;

  function stored(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function code(value) {
    var lang = String(value || "").toLowerCase().split("-")[0];
    return /^[a-z]{2,3}$/.test(lang) ? lang : null;
  }

  function browserLang() {
    var tags = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < tags.length; i++) {
      var lang = code(tags[i]);
      if (lang) {
        return lang;
      }
    }
    return null;
  }

  var chosen = stored("hotline.lang");
  var lang = (chosen !== "auto" && code(chosen)) || code(stored("hotline.conversation_lang")) || browserLang();
  if (lang && lang !== (root.lang || "vi")) {
    root.lang = lang;
    root.classList.add("i18n-pending");
    window.setTimeout(function () {
      root.classList.remove("i18n-pending");
    }, HIDE_MS);
  }
})();
