"""A policy's rules by the address the site gives them (`standard-8`, `in-person-5`), the time
limits their text states, and the checks that tie every copy of a fact to its rule.

One fact, one place: a desk card cites rules rather than copying them, a structured `target`
and a `short` form must state the rule's own time limit. The checks return `SourceError`
values; the pipeline runs them on the current sources only (a published edition is read as it
was published).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import SourceError, format_path
from .handbook import Handbook
from .policy import (
    CardPhrase,
    CardPoint,
    Policy,
    StandardGroup,
    Target,
)

# The line of a field path in a policy's source file: `Origin.line_of`.
LineOf = Callable[..., int]

# ---- time limits stated in words ("within two business days", "24 hours", "same day")

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
_UNITS = {
    "business day": "business_day",
    "working day": "business_day",
    "day": "day",
    "hour": "hour",
    "week": "week",
}
_FIGURE = re.compile(
    r"\b(?P<count>[0-9]+|" + "|".join(NUMBER_WORDS) + r")[\s-]+"
    r"(?P<unit>business[\s-]+days?|working[\s-]+days?|days?|hours?|weeks?)\b"
    r"|\b(?P<same>same[\s-]+day)\b",
    re.IGNORECASE,
)
_SINGULAR = {"business_day": "business day", "day": "day", "hour": "hour", "week": "week"}


@dataclass(frozen=True, order=True)
class Figure:
    """A time limit: a count of a unit, or the same day (count 0, unit 'same_day')."""

    count: int
    unit: str

    def words(self) -> str:
        """The limit as a reader says it: 'two business days', '24 hours', 'same day'."""
        if self.unit == "same_day":
            return "same day"
        number = next((w for w, n in NUMBER_WORDS.items() if n == self.count), None)
        count = number if number is not None and self.count <= 12 else str(self.count)
        name = _SINGULAR[self.unit]
        return f"{count} {name}" if self.count == 1 else f"{count} {name}s"


def figures(text: str | None) -> frozenset[Figure]:
    """The time limits a text states; number words and digits both count."""
    if not text:
        return frozenset()
    # Most texts state no time limit: every one names a day, an hour or a week, and looking for
    # those words first is far cheaper than the pattern (a third of loading 1,000 policies).
    lowered = text.lower()
    if "day" not in lowered and "hour" not in lowered and "week" not in lowered:
        return frozenset()
    found = set()
    for match in _FIGURE.finditer(text.replace("*", "")):
        if match["same"]:
            found.add(Figure(0, "same_day"))
            continue
        count = match["count"].lower()
        unit = " ".join(match["unit"].lower().replace("-", " ").split()).rstrip("s")
        found.add(Figure(int(count) if count.isdigit() else NUMBER_WORDS[count], _UNITS[unit]))
    return frozenset(found)


def target_figures(target: Target | str | None) -> frozenset[Figure]:
    """The time limits a standard's `target` states."""
    if target is None:
        return frozenset()
    if isinstance(target, str):
        return figures(target)
    return frozenset({Figure(target.within, target.unit)})


def say_figures(found: frozenset[Figure]) -> str:
    """Figures as words, joined: 'same day and 24 hours'."""
    # The nearest limit first, as the sources say them: "same day, or at the very least 24 hours".
    ordered = sorted(found, key=lambda f: (f.unit != "same_day", f.unit, f.count))
    return " and ".join(f.words() for f in ordered)


# ---- rules by address


@dataclass(frozen=True)
class Rule:
    """One rule of a policy as the site addresses it, with what a card may show of it."""

    address: str
    # The small-print reference on a card: "Std 8", "In person 5", "Principle 3".
    label: str
    # Its words as the page states them (the text a card shows when no short form is kept).
    text: str
    short: str | None
    # Every text of the rule whose time limits count (its conditions and details included).
    body: tuple[str, ...]
    path: tuple[str | int, ...]
    target: Target | str | None = None
    # The rule's sub-points, which a card lists under it when it shows the rule.
    points: tuple[str, ...] = ()
    say: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()

    @property
    def card_text(self) -> str:
        """What a card shows for this rule: its short form, else its text."""
        return self.short or self.text

    def figures(self) -> frozenset[Figure]:
        """The time limits the rule's own text states (its target aside)."""
        return frozenset().union(*(figures(part) for part in self.body))

    def limits(self) -> frozenset[Figure]:
        """The rule's time limits: what its text states, else what its target states."""
        return self.figures() or target_figures(self.target)


def _slug(text: str) -> str:
    # The page template's `slug` filter (generator/text.py, a layer above the model).
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _label(channel: str) -> str:
    return channel.replace("-", " ").capitalize()


def policy_rules(policy: Policy) -> dict[str, Rule]:
    """Every rule of a policy by its site address, in page order."""
    rules: dict[str, Rule] = {}
    for index, principle in enumerate(policy.principles, start=1):
        rule = Rule(
            f"principle-{index}",
            f"Principle {index}",
            principle.text,
            principle.short,
            (principle.text, *principle.points),
            ("principles", index - 1),
            points=tuple(principle.points),
        )
        rules[rule.address] = rule
    for group_index, group in enumerate(policy.guidelines):
        for index, item in enumerate(group.items, start=1):
            examples = item.examples
            rule = Rule(
                f"{group.channel}-{index}",
                f"{_label(group.channel)} {index}",
                item.rule,
                item.short,
                tuple(t for t in (item.rule, item.why, *item.points) if t),
                ("guidelines", group_index, "items", index - 1),
                points=tuple(item.points),
                say=tuple(t for e in examples for t in (e.say, e.better) if t),
                avoid=tuple(item.avoid) + tuple(e.never for e in examples if e.never),
            )
            rules[rule.address] = rule
    number = 0
    for entry_index, entry in enumerate(policy.standards):
        members = entry.standards if isinstance(entry, StandardGroup) else [entry]
        for member_index, standard in enumerate(members):
            number += 1
            path: tuple[str | int, ...] = ("standards", entry_index)
            if isinstance(entry, StandardGroup):
                path += ("standards", member_index)
            text = " ".join(t for t in (standard.commitment, standard.detail) if t)
            rule = Rule(
                f"standard-{number}",
                f"Std {number}",
                text,
                standard.short,
                tuple(t for t in (standard.commitment, standard.detail, *standard.points) if t),
                path,
                target=standard.target,
                points=tuple(standard.points),
            )
            rules[rule.address] = rule
    for procedure_index, procedure in enumerate(policy.procedures):
        slug = _slug(procedure.title)
        for index, step in enumerate(procedure.steps, start=1):
            rule = Rule(
                f"{slug}-{index}",
                f"{procedure.title} {index}",
                step.text,
                step.short,
                (step.text, *step.points),
                ("procedures", procedure_index, "steps", index - 1),
                points=tuple(step.points),
            )
            rules[rule.address] = rule
    return rules


# ---- the checks


def rule_errors(handbook: Handbook) -> list[SourceError]:
    """Every card that cites no rule or a missing one, and every target or short form whose
    time limit is not its rule's, in every policy of the handbook."""
    errors = []
    for policy in handbook.policies:
        origin = handbook.origins[policy.id]
        errors += figure_errors(policy, origin.path, origin.line_of)
        errors += card_errors(policy, origin.path, origin.line_of)
    return errors


def figure_errors(policy: Policy, path: str, line_of: LineOf) -> list[SourceError]:
    """A target or short form whose time limit differs from its rule's text, at its line."""
    errors = []
    for rule in policy_rules(policy).values():
        stated = rule.figures()
        if not stated:
            continue
        name = rule_name(rule)
        target = target_figures(rule.target)
        if target and target != stated:
            errors.append(
                SourceError(
                    path,
                    line_of(*rule.path, "target"),
                    f"{name}, target",
                    f"the target says {say_figures(target)} but the text of {name} says "
                    f"{say_figures(stated)}; state the same limit in both",
                )
            )
        short = figures(rule.short)
        if short - stated:
            errors.append(
                SourceError(
                    path,
                    line_of(*rule.path, "short"),
                    f"{name}, short",
                    f"the short form says {say_figures(short - stated)} but the text of {name} "
                    f"says {say_figures(stated)}; a short form states the rule's own limit",
                )
            )
    return errors


def card_errors(policy: Policy, path: str, line_of: LineOf) -> list[SourceError]:
    """Card points and phrases that cite no rule, or a rule the policy does not have."""
    card = policy.card
    if card is None:
        return []
    rules = policy_rules(policy)
    errors: list[SourceError] = []
    if not rules and (card.points or (card.back and card.back.points)):
        cited = [p for p in card.points if p.note is None]
        cited += [p for p in (card.back.points if card.back else []) if p.note is None]
        if cited and policy.contents:
            errors.append(
                SourceError(
                    path,
                    line_of("card"),
                    "card",
                    "this policy is known only by its contents and has no rules a card could "
                    "cite; its headings are not rules: remove the card block (a card of its "
                    "summary is made) or keep only notes",
                )
            )
            return errors
    sides: list[tuple[tuple[str | int, ...], list[CardPoint]]] = [(("card", "points"), card.points)]
    if card.back is not None:
        sides.append((("card", "back", "points"), card.back.points))
    for side, points in sides:
        for index, point in enumerate(points):
            at = (*side, index)
            errors.extend(_point_errors(point, rules, path, at, line_of))
    for kind in ("say", "avoid"):
        phrases: list[CardPhrase] = getattr(card, kind)
        for index, phrase in enumerate(phrases):
            errors.extend(_phrase_errors(kind, phrase, rules, path, ("card", kind, index), line_of))
    return errors


def _point_errors(
    point: CardPoint,
    rules: dict[str, Rule],
    path: str,
    at: tuple[str | int, ...],
    line_of: LineOf,
) -> list[SourceError]:
    if point.note is not None:
        if point.cites or point.text is not None:
            problem = "a note cites no rule; give either note, or rule (with text if needed)"
            return [SourceError(path, line_of(*at), _field(*at), problem)]
        return []
    if not point.cites:
        problem = (
            "cites no rule; name the rule it comes from by its address (rule: standard-8), "
            "or mark it as the card's own note (note: ...)"
        )
        return [SourceError(path, line_of(*at), _field(*at), problem)]
    errors = []
    for address in point.cites:
        if address not in rules:
            errors.append(
                SourceError(
                    path, line_of(*at, "rule"), _field(*at, "rule"), _unknown(address, rules)
                )
            )
    return errors


def _phrase_errors(
    kind: str,
    phrase: CardPhrase,
    rules: dict[str, Rule],
    path: str,
    at: tuple[str | int, ...],
    line_of: LineOf,
) -> list[SourceError]:
    if phrase.rule is None:
        problem = "cites no guideline; name the guideline the phrase comes from (rule: telephone-2)"
        return [SourceError(path, line_of(*at), _field(*at), problem)]
    rule = rules.get(phrase.rule)
    if rule is None:
        return [
            SourceError(
                path, line_of(*at, "rule"), _field(*at, "rule"), _unknown(phrase.rule, rules)
            )
        ]
    offered = rule.say if kind == "say" else rule.avoid
    if not offered:
        problem = f"{rule_name(rule)} gives no phrase to {kind}"
        return [SourceError(path, line_of(*at, "rule"), _field(*at, "rule"), problem)]
    if phrase.text is not None and phrase.text not in offered:
        problem = (
            f"is not a phrase {rule_name(rule)} gives to {kind}; copy it exactly, or leave "
            "text out to show all of them"
        )
        return [SourceError(path, line_of(*at, "text"), _field(*at, "text"), problem)]
    return []


def phrase_texts(kind: str, phrase: CardPhrase, rules: dict[str, Rule]) -> list[str]:
    """The words a card shows for one cited phrase (all of its guideline's, when no text)."""
    if phrase.text is not None:
        return [phrase.text]
    rule = rules.get(phrase.rule or "")
    if rule is None:
        return []
    return list(rule.say if kind == "say" else rule.avoid)


def rule_name(rule: Rule) -> str:
    """A rule as a sentence names it: 'standard 8', 'principle 3', 'in person guideline 5'."""
    number = rule.address.rsplit("-", 1)[1]
    if rule.address.startswith("standard-"):
        return f"standard {number}"
    if rule.address.startswith("principle-"):
        return f"principle {number}"
    return f"{rule.address.rsplit('-', 1)[0].replace('-', ' ')} guideline {number}"


def _unknown(address: str, rules: dict[str, Rule]) -> str:
    close = difflib.get_close_matches(address, list(rules), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"no rule '{address}' in this policy{hint}; rules are named as on the page: " + (
        "standard-8, principle-2, in-person-5"
    )


def _field(*path: str | int) -> str:
    return format_path(path)


# ---- after a revision: no stale copies


def _copies(policy: Policy) -> list[tuple[tuple[str | int, ...], str, list[str]]]:
    """The texts of a policy that repeat what its rules say (summary, purpose, scope, the card's
    own words and notes), each with its field path and the rules it cites."""
    found: list[tuple[tuple[str | int, ...], str, list[str]]] = []
    for name in ("summary", "purpose", "scope"):
        text = getattr(policy, name)
        if text:
            found.append(((name,), text, []))
    card = policy.card
    sides: list[tuple[tuple[str, ...], list[CardPoint]]] = []
    if card is not None:
        sides.append((("card", "points"), card.points))
    if card is not None and card.back is not None:
        sides.append((("card", "back", "points"), card.back.points))
    for side, points in sides:
        for index, point in enumerate(points):
            for key in ("text", "note"):
                text = getattr(point, key)
                if text:
                    found.append(((*side, index, key), text, point.cites))
    return found


def stale_copies(current: Handbook, published: Handbook, edition: str) -> list[SourceError]:
    """Texts that still state a time limit a rule changed since the edition `published` (the
    summary still says two business days; standard 8 now says three), each at its line, unless
    a revision entry made since lists the text under `unchanged:`."""
    errors = []
    before_by_id = {p.id: p for p in published.policies}
    for policy in current.policies:
        before = before_by_id.get(policy.id)
        if before is None:
            continue
        old_rules, rules = policy_rules(before), policy_rules(policy)
        changed = []
        for address, rule in rules.items():
            was = old_rules.get(address)
            if was is None:
                continue
            gone = was.limits() - rule.limits()
            if gone:
                changed.append((rule, gone))
        if not changed:
            continue
        # A limit another rule still states may be what a text means: only a text citing the
        # changed rule is then taken to mean it.
        still = frozenset().union(*(rule.limits() for rule in rules.values()))
        known = {(e.date, e.kind, e.summary) for e in before.revision_history}
        confirmed = {
            "".join(name.split())
            for entry in policy.revision_history
            if (entry.date, entry.kind, entry.summary) not in known
            for name in entry.unchanged
        }
        origin = current.origins[policy.id]
        for path, text, cites in _copies(policy):
            name = format_path(path)
            if "".join(name.split()) in confirmed:
                continue
            stated = figures(text)
            for rule, gone in changed:
                stale = stated & (gone if rule.address in cites else gone - still)
                if not stale:
                    continue
                now = rule.limits()
                errors.append(
                    SourceError(
                        origin.path,
                        origin.line_of(*path),
                        name,
                        f"still says {say_figures(stale)}; {rule_name(rule)} now says "
                        f"{say_figures(now) or 'no time limit'} (changed since edition "
                        f"{edition}); correct it, or if it deliberately stays, add "
                        f'unchanged: ["{name}"] to the revision_history entry of this change',
                    )
                )
    return errors
