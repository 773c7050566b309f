"""Asking before one organisation's key replaces another's, for save and rotate alike.

A tutoring company's admin who pastes the key of a sister company, or of a
test organisation, would silently switch every lesson to it. So a new key
replaces the saved one without asking only when both are known to belong to
the same organisation. Not knowing counts as "maybe another": a failed
organisation lookup must never let another organisation's key through.
"""

from __future__ import annotations

from lsdesk.core.language import _
from lsdesk.core.outcome import Organisation, Outcome, State, outcome

_NOT_A_WORKING_KEY = frozenset({State.REJECTED, State.BAD_INPUT, State.NOT_SET})


def other_organisation(saved: Outcome, new: Outcome, action: str) -> Outcome | None:
    """None if the new key may replace the saved one; else why the admin must confirm first.

    `saved` is a check of the saved key, `new` a valid check of the new key,
    `action` the button the admin confirms with: "Save" or "Rotate" (the English name, which says which).

    The rule:
    - both organisations known and the same: go ahead;
    - both known and different: ask, naming both;
    - either unknown (its lookup failed, or Lessonspace could not be asked
      about the saved key): ask, since it may be another organisation;
    - the saved key positively does not work (refused, not a key, none saved):
      go ahead; nothing that works is replaced, and the organisation of a
      refused key cannot be looked up anyway.
    """
    if saved.state in _NOT_A_WORKING_KEY:
        return None
    old_org = saved.organisation if saved.state is State.VALID else None
    new_org = new.organisation
    if old_org is not None and new_org is not None:
        if old_org.id == new_org.id:
            return None
        return _ask(
            # Translators: {new} and {saved} are organisations, such as "Northside Tutors (id 42)".
            _("The new key belongs to {new}, not {saved}.").format(new=new_org.describe(), saved=old_org.describe()),
            action,
            new,
            title=_("This key is for another organisation"),
        )
    return _ask(_unknown(old_org, new_org), action, new, title=_("This key may be for another organisation"))


def _unknown(old_org: Organisation | None, new_org: Organisation | None) -> str:
    if old_org is not None:
        return _(
            # Translators: {organisation} is an organisation, such as "Northside Tutors (id 42)".
            "lsdesk could not find out which organisation the new key belongs to, so it may not be for {organisation}."
        ).format(organisation=old_org.describe())
    if new_org is not None:
        return _(
            # Translators: {organisation} is an organisation, such as "Northside Tutors (id 42)".
            "lsdesk could not find out which organisation the saved key belongs to, "
            "so the new key, for {organisation}, may be another organisation's."
        ).format(organisation=new_org.describe())
    return _(
        "lsdesk could not find out which organisations these keys belong to, "
        "so the new key may be another organisation's."
    )


def _ask(sentence: str, action: str, new: Outcome, *, title: str) -> Outcome:
    if action == "Save":
        # Translators: "Save" is the name of lsdesk's button that saves the key: write it as the button reads.
        only_if = _("Save only if you mean to switch organisations.")
    else:
        # Translators: "Rotate" is the name of lsdesk's button that rotates the key: write it as the button reads.
        only_if = _("Rotate only if you mean to switch organisations.")
    return outcome(
        State.BAD_INPUT,
        " ".join([sentence, _("Nothing was changed."), only_if]),
        title=title,
        organisation=new.organisation,
        key_ending=new.key_ending,
    )
