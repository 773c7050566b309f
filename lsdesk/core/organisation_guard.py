"""Asking before one organisation's key replaces another's, for save and rotate alike.

A tutoring company's admin who pastes the key of a sister company, or of a
test organisation, would silently switch every lesson to it. So a new key
replaces the saved one without asking only when both are known to belong to
the same organisation. Not knowing counts as "maybe another": a failed
organisation lookup must never let another organisation's key through.
"""

from __future__ import annotations

from lsdesk.core.outcome import Organisation, Outcome, State, outcome

_NOT_A_WORKING_KEY = frozenset({State.REJECTED, State.BAD_INPUT, State.NOT_SET})


def other_organisation(saved: Outcome, new: Outcome, action: str) -> Outcome | None:
    """None if the new key may replace the saved one; else why the admin must confirm first.

    `saved` is a check of the saved key, `new` a valid check of the new key,
    `action` the verb the admin confirms with ("Save", "Rotate").

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
            f"The new key belongs to {new_org.describe()}, not {old_org.describe()}.",
            action,
            new,
            title="This key is for another organisation",
        )
    return _ask(_unknown(old_org, new_org), action, new, title="This key may be for another organisation")


def _unknown(old_org: Organisation | None, new_org: Organisation | None) -> str:
    if old_org is not None:
        return (
            "lsdesk could not find out which organisation the new key belongs to, "
            f"so it may not be for {old_org.describe()}."
        )
    if new_org is not None:
        return (
            "lsdesk could not find out which organisation the saved key belongs to, "
            f"so the new key, for {new_org.describe()}, may be another organisation's."
        )
    return (
        "lsdesk could not find out which organisations these keys belong to, "
        "so the new key may be another organisation's."
    )


def _ask(sentence: str, action: str, new: Outcome, *, title: str) -> Outcome:
    return outcome(
        State.BAD_INPUT,
        f"{sentence} Nothing was changed. {action} only if you mean to switch organisations.",
        title=title,
        organisation=new.organisation,
        key_ending=new.key_ending,
    )
