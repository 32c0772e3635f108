// The anonymous vote page: a code handed out as a link (…/vote/#ABCDE-FGHJK) fills the code field, and leaves the
// address bar (and the browser's history) without it.
document.addEventListener("DOMContentLoaded", function () {
  var code = location.hash.slice(1);
  var field = document.getElementById("code");
  if (code && field) {
    field.value = code;
    history.replaceState(null, "", location.pathname);
  }
});
