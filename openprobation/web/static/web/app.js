/* OpenProbation: progressive enhancement only; every page works without this script. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  // After htmx replaces the caseload results, tell screen readers how many cases were found.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.target.querySelector ? document.getElementById("caseload-summary") : null;
    if (summary) {
      summary.setAttribute("tabindex", "-1");
    }
  });
  // "Same as registered address": copy the registered address into the actual address fields.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.id !== "id_actual_same") {
      return;
    }
    var names = ["region", "locality", "street", "building", "apartment", "postcode"];
    names.forEach(function (name) {
      var from = document.getElementById("id_reg-" + name);
      var to = document.getElementById("id_act-" + name);
      if (from && to && box.checked) {
        to.value = from.value;
      }
    });
  });
  // --- Numbers typed with spaces or in other scripts' digits ("900517 3 00077", "９００５…") ---
  function digitValue(ch) {
    // A decimal digit of any script: its value is its distance from the start of its run of ten.
    var code = ch.codePointAt(0);
    var start = code;
    while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) {
      start -= 1;
    }
    return (code - start) % 10;
  }
  function typedDigits(value) {
    var out = "";
    Array.from(value).forEach(function (ch) {
      if (/\s/u.test(ch)) {
        return;
      }
      out += /\p{Nd}/u.test(ch) ? String(digitValue(ch)) : ch;
    });
    return out;
  }

  // --- The IIN gives the date of birth and sex (the server does the same and checks them) ---
  var CENTURY = { 1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000 };
  function checkDigit(first11) {
    var w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    var w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    var sum = function (w) {
      var total = 0;
      for (var i = 0; i < 11; i += 1) {
        total += Number(first11[i]) * w[i];
      }
      return total % 11;
    };
    var digit = sum(w1);
    if (digit === 10) {
      digit = sum(w2);
    }
    return digit === 10 ? null : digit;
  }
  function decodeIin(raw) {
    var iin = typedDigits(raw);
    if (!/^[0-9]{12}$/.test(iin)) {
      return null;
    }
    var century = CENTURY[Number(iin[6])];
    if (!century || checkDigit(iin.slice(0, 11)) !== Number(iin[11])) {
      return null;
    }
    var year = century + Number(iin.slice(0, 2));
    var month = Number(iin.slice(2, 4));
    var day = Number(iin.slice(4, 6));
    var date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return null;
    }
    var pad = function (n) {
      return String(n).padStart(2, "0");
    };
    return { birth: pad(day) + "." + pad(month) + "." + year, sex: Number(iin[6]) % 2 === 1 ? "M" : "F" };
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || !field.hasAttribute || !field.hasAttribute("data-iin-fill")) {
      return;
    }
    var decoded = decodeIin(field.value);
    var status = document.getElementById("iin-fill-status");
    if (!decoded) {
      return;
    }
    var filled = false;
    var birth = document.getElementById("id_birth_date");
    // Fill what is empty, or what this script filled before (the IIN was corrected).
    if (birth && (!birth.value || birth.dataset.fromIin === birth.value)) {
      filled = filled || birth.value !== decoded.birth;
      birth.value = decoded.birth;
      birth.dataset.fromIin = decoded.birth;
    }
    var form = field.form;
    var radios = form ? Array.from(form.querySelectorAll("input[type=radio][name=sex]")) : [];
    var checked = radios.filter(function (r) { return r.checked; })[0];
    if (radios.length && (!checked || checked.dataset.fromIin === "1")) {
      radios.forEach(function (r) {
        var on = r.value === decoded.sex;
        filled = filled || (on && !r.checked);
        r.checked = on;
        if (on) {
          r.dataset.fromIin = "1";
        } else {
          delete r.dataset.fromIin;
        }
      });
    }
    if (filled && status) {
      status.textContent = field.getAttribute("data-iin-filled") || "";
    }
  });

  // --- Blocks added on demand (an identity document, family members) ---
  // With script the "Add ..." buttons act in place; as plain buttons they are no longer the
  // form's default button, so Enter in a field submits the form itself.
  document.querySelectorAll("button[data-reveal], button[data-add-form]").forEach(function (button) {
    button.type = "button";
  });
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-reveal], [data-add-form]") : null;
    if (!button) {
      return;
    }
    if (button.hasAttribute("data-reveal")) {
      var block = document.getElementById(button.getAttribute("data-reveal"));
      if (!block) {
        return;
      }
      event.preventDefault();
      block.hidden = false;
      block.querySelectorAll("input[disabled][type=hidden]").forEach(function (input) {
        input.disabled = false;
      });
      button.remove();
      var first = block.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
      return;
    }
    var prefix = button.getAttribute("data-add-form");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById("family-member-template");
    var holder = document.getElementById("family-members");
    if (!total || !template || !holder) {
      return;
    }
    event.preventDefault();
    var index = Number(total.value) || 0;
    if (max && index >= Number(max.value)) {
      return;
    }
    var html = template.innerHTML.split("__prefix__").join(String(index)).split("__number__").join(String(index + 1));
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html;
    var added = wrapper.firstElementChild;
    holder.appendChild(added);
    total.value = String(index + 1);
    var firstField = added.querySelector("select, input:not([type=hidden]), textarea");
    if (firstField) {
      firstField.focus();
    }
  });

  // --- Scrolling tables reachable by keyboard: any wrapper a template did not mark yet ---
  document.querySelectorAll(".op-table-wrap:not([tabindex]), .usa-table-container--scrollable:not([tabindex])").forEach(function (wrap) {
    var caption = wrap.querySelector("caption");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    if (caption && !wrap.hasAttribute("aria-label")) {
      wrap.setAttribute("aria-label", caption.textContent.trim());
    }
  });
})();
