"""An audit event as a sentence a person reads on a record's history: "Collaboration added by
Jo Bloggs on 2 December 2026", "Title and status changed by Jo Bloggs on 3 December 2026".

Pure (no Django): the caller passes what the event holds, the time already in the site's time
zone and the person's name where it knows one, and, for changes, what each field is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

#: What each kind of record is called at the start of a sentence.
THINGS = {
    "register.collaboration": "Collaboration",
    "register.dutyreview": "Duty-to-collaborate review",
    "appraisal.appraisal": "Appraisal",
    "assessments.assessmentround": "Assessment round",
    "orgs.organisation": "Organisation",
    "orgs.area": "Area",
    "orgs.user": "Account",
}

#: What each verb of an action ("collaboration.create") did, in the past tense.
VERBS = {
    "create": "added",
    "update": "changed",
    "archive": "archived",
    "restore": "restored",
    "import": "imported",
    "delete": "deleted",
    "invite": "invited",
    "deactivate": "deactivated",
    "reactivate": "reactivated",
    "change_role": "given a new role",
    "set_password": "given a new password",
    "link_area": "linked to its area",
    "submit": "submitted",
    "realised": "updated with what was realised",
}

#: Who acted when it was no person: the labels the command line, the demo and migrations use.
NOT_A_PERSON = {
    "system": "by Accord",
    "system (command line)": "from the command line",
    "demo loader": "by the demo loader",
    "migrate": "when Accord was installed",
}

#: Recorded in every snapshot but not a change anyone makes.
_BOOKKEEPING = frozenset({"version", "updated_at", "service_mix", "archived"})
#: How many changed fields a sentence names before it counts the rest.
NAMED_CHANGES = 3


def long_date(day: dt.date) -> str:
    """2 December 2026, as GOV.UK writes dates."""
    return f"{day.day} {day:%B} {day.year}"


def by_whom(actor_label: str, actor_name: str = "") -> str:
    """Who acted, as the sentence says it: "by Jo Bloggs" (the person's name, else their
    email), "from the command line"."""
    if actor_name.strip():
        return f"by {actor_name.strip()}"
    label = actor_label.strip()
    if label in NOT_A_PERSON:
        return NOT_A_PERSON[label]
    return f"by {label}" if label else "by Accord"


def changed_fields(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    labels: Mapping[str, str],
) -> list[str]:
    """The names of the fields an event changed, in the order `labels` lists them (fields it
    does not name come after, by their own names)."""
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    keys = [k for k in labels if k in before or k in after]
    keys += sorted(k for k in {*before, *after} if k not in labels and k not in _BOOKKEEPING)
    return [labels.get(k, k.replace("_", " ")) for k in keys if before.get(k) != after.get(k)]


def _listed(names: list[str]) -> str:
    """The names as a sentence goes on, in lower case: "title, status and 2 other details"."""
    names = [name[:1].lower() + name[1:] for name in names]
    if len(names) > NAMED_CHANGES:
        rest = len(names) - (NAMED_CHANGES - 1)
        names = [*names[: NAMED_CHANGES - 1], f"{rest} other details"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def event_sentence(
    *,
    action: str,
    object_type: str,
    actor_label: str,
    at: dt.datetime | dt.date,
    actor_name: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The event in words. A change names the fields it changed ("Title and status changed
    by …"), up to three; with `labels` the fields are called as the form calls them."""
    kind, _, verb = action.rpartition(".")
    thing = THINGS.get(object_type) or _sentence_case((kind or object_type).replace("_", " "))
    done = VERBS.get(verb, verb.replace("_", " "))
    when = f"on {long_date(at)}"
    who = by_whom(actor_label, actor_name)
    if verb == "update":
        fields = changed_fields(before, after, labels or {})
        if fields:
            return f"{_sentence_case(_listed(fields))} changed {who} {when}"
    return f"{thing} {done} {who} {when}"
