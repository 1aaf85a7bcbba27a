// Pickers of organisations and of areas (core/widgets.py), enhanced with GOV.UK's accessible
// autocomplete (window.accessibleAutocomplete, loaded by govuk-init.js before this module).
// What is chosen is named by the element's data-accord-noun and data-accord-plural
// ("organisation", "area"); organisations when they are missing.
//
// One (select[data-accord-organisation]): the select becomes an autocomplete that finds an
// organisation or area by any part of its label (name, kind, code) or its short name;
// clearing the box clears the choice.
//
// Many (div[data-accord-organisations]): the grouped checkboxes stay in the form, hidden, and
// remain what is submitted. Above them: those chosen, each with a "Remove" button, and an
// autocomplete labelled "Add an organisation" ("Add another organisation" once one is
// chosen; "Add an area" for areas). Choosing ticks a box, removing unticks it; a status
// message says what happened.

function wordsFor(element) {
  var noun = element.getAttribute("data-accord-noun") || "organisation";
  var plural = element.getAttribute("data-accord-plural") || noun + "s";
  var article = /^[aeiou]/i.test(noun) ? "an " : "a ";
  return { noun: noun, plural: plural, one: article + noun };
}

// Every typed word somewhere in the label or keywords, in any case; "&" and "and" alike, as
// the server matches place names (core/places.py).
function plainWords(text) {
  return text.toLowerCase().replace(/&/g, " and ");
}

function matcher(query) {
  var words = plainWords(query).split(/\s+/).filter(Boolean);
  return function (entry) {
    var text = plainWords(entry.label + " " + entry.keywords);
    return words.every(function (word) {
      return text.indexOf(word) !== -1;
    });
  };
}

function enhanceOne(select) {
  var words = wordsFor(select);
  var entries = Array.prototype.map.call(select.options, function (option) {
    return { label: option.textContent.trim(), value: option.value, keywords: option.getAttribute("data-keywords") || "" };
  }).filter(function (entry) {
    return entry.value !== "";
  });
  var chosen = select.options[select.selectedIndex];
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: chosen && chosen.value ? chosen.textContent.trim() : "",
    minLength: 1,
    showNoOptionsFound: true,
    tNoResults: function () {
      return "No " + words.noun + " matches";
    },
    source: function (query, populate) {
      populate(entries.filter(matcher(query)).map(function (entry) {
        return entry.label;
      }));
    },
    onConfirm: function (label) {
      var entry = entries.find(function (e) {
        return e.label === label;
      });
      if (entry) select.value = entry.value;
    },
  });
  var input = document.getElementById(select.id.replace(/-select$/, ""));
  if (input) {
    input.addEventListener("input", function () {
      if (input.value.trim() === "") select.value = "";
    });
  }
}

function enhanceMany(container) {
  var id = container.getAttribute("data-accord-id");
  var words = wordsFor(container);
  var boxes = Array.prototype.slice.call(container.querySelectorAll('input[type="checkbox"]'));
  var entries = boxes.map(function (box) {
    var label = container.querySelector('label[for="' + box.id + '"]');
    return { box: box, label: label ? label.textContent.trim() : box.value, keywords: box.getAttribute("data-keywords") || "" };
  });
  var groups = container.querySelector(".accord-organisations__groups");
  var summary = container.querySelector(".accord-organisations__summary");
  groups.hidden = true;
  if (summary) summary.hidden = true;
  // The error summary links to the field's id: it now belongs to the autocomplete's box.
  var heading = document.getElementById(id);
  if (heading && groups.contains(heading)) heading.removeAttribute("id");

  var list = document.createElement("ul");
  list.className = "govuk-list accord-organisations__chosen";
  list.setAttribute("aria-label", "Chosen " + words.plural);
  var none = document.createElement("p");
  none.className = "govuk-body accord-organisations__none";
  none.textContent = "None chosen yet.";
  var group = document.createElement("div");
  group.className = "govuk-form-group govuk-!-margin-bottom-0";
  var label = document.createElement("label");
  label.className = "govuk-label";
  label.setAttribute("for", id);
  var holder = document.createElement("div");
  var status = document.createElement("div");
  status.className = "govuk-visually-hidden accord-organisations__status";
  status.setAttribute("role", "status");
  group.appendChild(label);
  group.appendChild(holder);
  container.insertBefore(status, groups);
  container.insertBefore(list, groups);
  container.insertBefore(none, groups);
  container.insertBefore(group, groups);

  function render() {
    list.innerHTML = "";
    var count = 0;
    entries.forEach(function (entry) {
      if (!entry.box.checked) return;
      count += 1;
      var item = document.createElement("li");
      item.className = "accord-organisations__item";
      var name = document.createElement("span");
      name.textContent = entry.label;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "govuk-link accord-link-button accord-organisations__remove";
      remove.textContent = "Remove";
      var hidden = document.createElement("span");
      hidden.className = "govuk-visually-hidden";
      hidden.textContent = " " + entry.label;
      remove.appendChild(hidden);
      remove.addEventListener("click", function () {
        entry.box.checked = false;
        render();
        status.textContent = "Removed " + entry.label + ". " + chosenCount();
        var input = document.getElementById(id);
        if (input) input.focus();
      });
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(remove);
      list.appendChild(item);
    });
    list.hidden = count === 0;
    none.hidden = count !== 0;
    label.textContent = count === 0 ? "Add " + words.one : "Add another " + words.noun;
  }

  function chosenCount() {
    var count = entries.filter(function (e) {
      return e.box.checked;
    }).length;
    return count === 1 ? "1 " + words.noun + " chosen." : count + " " + words.plural + " chosen.";
  }

  function clearInput() {
    // The autocomplete keeps its own copy of what was typed: empty the box as typing would.
    window.setTimeout(function () {
      var input = document.getElementById(id);
      if (!input) return;
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, 0);
  }

  render();
  window.accessibleAutocomplete({
    element: holder,
    id: id,
    name: "",
    minLength: 1,
    confirmOnBlur: false,
    showNoOptionsFound: true,
    tNoResults: function () {
      return "No " + words.noun + " matches, or it is already chosen";
    },
    source: function (query, populate) {
      var match = matcher(query);
      populate(entries.filter(function (entry) {
        return !entry.box.checked && match(entry);
      }).map(function (entry) {
        return entry.label;
      }));
    },
    onConfirm: function (chosen) {
      if (!chosen) return;
      var entry = entries.find(function (e) {
        return e.label === chosen;
      });
      if (!entry || entry.box.checked) return;
      entry.box.checked = true;
      render();
      status.textContent = "Added " + entry.label + ". " + chosenCount();
      clearInput();
    },
  });
  var input = document.getElementById(id);
  if (input && container.closest(".govuk-form-group--error")) {
    input.classList.add("govuk-input--error");
  }
}

export function enhanceAll(scope) {
  if (typeof window.accessibleAutocomplete !== "function") return;
  scope.querySelectorAll("select[data-accord-organisation]").forEach(enhanceOne);
  scope.querySelectorAll("[data-accord-organisations]").forEach(enhanceMany);
}
