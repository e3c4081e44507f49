/* The on-site inspection form: keep a draft if the connection drops.
 *
 * Progressive enhancement: the form works without this script (the "保存草稿" button posts the
 * whole form, photos included). With it, every change is sent at once to the draft endpoint;
 * changes not yet acknowledged by the server are kept in localStorage, restored on the next
 * visit and sent again when the connection comes back. Photos chosen while online are uploaded
 * at once; offline they stay in their field and go with the next "保存草稿".
 */
(function () {
  "use strict";

  var form = document.getElementById("inspection-form");
  if (!form || !window.fetch || !window.JSON) {
    return;
  }
  var bar = document.getElementById("draft-status");
  var statusText = bar.querySelector("[data-status]");
  var draftUrl = form.getAttribute("data-draft-url");
  var photoUrl = form.getAttribute("data-photo-url");
  var storageKey = "lq-inspection-draft-" + form.getAttribute("data-inspection");
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var pending = loadPending();
  var sending = false;
  var retryTimer = null;
  var retryDelay = 2000;

  function message(name) {
    return bar.getAttribute("data-msg-" + name) || "";
  }

  function setStatus(text, state) {
    statusText.textContent = text;
    bar.setAttribute("data-state", state || "");
  }

  function loadPending() {
    try {
      var value = JSON.parse(window.localStorage.getItem(storageKey) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function storePending() {
    try {
      if (Object.keys(pending).length) {
        window.localStorage.setItem(storageKey, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(storageKey);
      }
    } catch (error) {
      /* Storage full or disabled: the server copy is all there is. */
    }
  }

  function itemFor(element) {
    return element.closest ? element.closest(".check-item") : null;
  }

  function readItem(item) {
    var id = item.getAttribute("data-result");
    var checked = item.querySelector('input[name="result-' + id + '"]:checked');
    var note = item.querySelector('[name="note-' + id + '"]');
    return { result: checked ? checked.value : "", note: note ? note.value : "" };
  }

  function writeItem(id, change) {
    var item = form.querySelector('.check-item[data-result="' + id + '"]');
    if (!item) {
      return false;
    }
    var radio = item.querySelector('input[name="result-' + id + '"][value="' + change.result + '"]');
    if (radio) {
      radio.checked = true;
    }
    var note = item.querySelector('[name="note-' + id + '"]');
    if (note && typeof change.note === "string") {
      note.value = change.note;
    }
    return true;
  }

  /* Progress and score, as the server computes them: 100 x passed weight / (passed + failed). */
  function updateProgress() {
    var items = form.querySelectorAll(".check-item");
    var answered = 0;
    var failed = 0;
    var passWeight = 0;
    var failWeight = 0;
    for (var i = 0; i < items.length; i += 1) {
      var state = readItem(items[i]).result;
      var weight = parseInt(items[i].getAttribute("data-weight"), 10) || 0;
      if (state) {
        answered += 1;
      }
      if (state === "pass") {
        passWeight += weight;
      } else if (state === "fail") {
        failWeight += weight;
        failed += 1;
      }
    }
    bar.querySelector("[data-answered]").textContent = answered;
    bar.querySelector("[data-failed]").textContent = failed;
    var total = passWeight + failWeight;
    bar.querySelector("[data-score]").textContent = total
      ? (Math.round((10000 * passWeight) / total) / 100).toFixed(2)
      : "—";
  }

  function scheduleRetry() {
    if (retryTimer) {
      return;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      send();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  function send() {
    if (sending || !Object.keys(pending).length) {
      return;
    }
    if (navigator.onLine === false) {
      setStatus(message("local"), "local");
      return;
    }
    sending = true;
    var batch = JSON.parse(JSON.stringify(pending));
    setStatus(message("saving"), "saving");
    fetch(draftUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf,
      },
      body: JSON.stringify({ results: batch }),
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          throw { kind: "login" };
        }
        return response.json().then(function (data) {
          if (!response.ok) {
            throw { kind: response.status >= 500 ? "network" : "refused", detail: data.detail };
          }
          return data;
        });
      })
      .then(function (data) {
        Object.keys(batch).forEach(function (id) {
          if (JSON.stringify(pending[id]) === JSON.stringify(batch[id])) {
            delete pending[id];
          }
        });
        storePending();
        retryDelay = 2000;
        setStatus(message("saved") + " " + (data.saved_at || ""), "saved");
      })
      .catch(function (error) {
        if (error && error.kind === "login") {
          setStatus(message("login"), "local");
        } else if (error && error.kind === "refused") {
          /* The server will not take these (e.g. the inspection was completed elsewhere):
             retrying cannot help, but the local copy stays for the inspector to see. */
          setStatus(message("refused") + (error.detail ? "：" + error.detail : ""), "error");
        } else {
          setStatus(message("local"), "local");
          scheduleRetry();
        }
      })
      .then(function () {
        sending = false;
        if (Object.keys(pending).length && bar.getAttribute("data-state") === "saved") {
          send();
        }
      });
  }

  function changed(event) {
    var item = itemFor(event.target);
    if (!item || event.target.type === "file") {
      return;
    }
    pending[item.getAttribute("data-result")] = readItem(item);
    storePending();
    updateProgress();
    send();
  }

  var noteTimer = null;
  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") {
      return;
    }
    /* Keep every keystroke locally at once; send once typing pauses. */
    var item = itemFor(event.target);
    if (item) {
      pending[item.getAttribute("data-result")] = readItem(item);
      storePending();
    }
    window.clearTimeout(noteTimer);
    noteTimer = window.setTimeout(send, 1500);
  });

  /* Photos: upload at once when online; otherwise they stay for the next full save. */
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file" || !input.files || !input.files.length || navigator.onLine === false) {
      return;
    }
    var item = itemFor(input);
    var body = new FormData();
    body.append("result", item.getAttribute("data-result"));
    body.append("file", input.files[0]);
    fetch(photoUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
      body: body,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            throw data;
          }
          return data;
        });
      })
      .then(function (data) {
        var link = document.createElement("a");
        link.href = data.url;
        var image = document.createElement("img");
        image.src = data.url;
        image.width = 64;
        image.height = 64;
        image.alt = "";
        link.appendChild(image);
        var holder = document.createElement("span");
        holder.className = "photo";
        holder.appendChild(link);
        item.querySelector("[data-photos]").appendChild(holder);
        input.value = "";
        setStatus(message("photo"), "saved");
      })
      .catch(function (error) {
        setStatus(
          message("photo-failed") + (error && error.detail ? "：" + error.detail : ""),
          "error"
        );
      });
  });

  window.addEventListener("online", function () {
    retryDelay = 2000;
    send();
  });
  window.addEventListener("offline", function () {
    if (Object.keys(pending).length) {
      setStatus(message("local"), "local");
    }
  });

  /* Restore what was kept on this device and is not on the server yet. A change that the
     page already shows (saved by a full submit, or from another visit) is dropped. */
  var restored = 0;
  Object.keys(pending).forEach(function (id) {
    var item = form.querySelector('.check-item[data-result="' + id + '"]');
    if (!item) {
      delete pending[id];
      return;
    }
    var current = readItem(item);
    var kept = pending[id];
    if (current.result === kept.result && current.note === kept.note) {
      delete pending[id];
    } else if (writeItem(id, kept)) {
      restored += 1;
    }
  });
  storePending();
  updateProgress();
  if (restored) {
    setStatus(message("restored"), "local");
    send();
  } else {
    setStatus(message("auto"), "");
  }
})();
