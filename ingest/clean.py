"""Normalise article text and drop page boilerplate that is not article content.

The rules come from counting paragraphs repeated across the RealTime QA news corpus (CNN,
USA Today, The Week): newsletter sign-ups, ad and video widgets, share/follow lines, wire
credits, photo credits, affiliate and sponsor disclaimers, separators. Each rule matches a
*whole line*, so a real sentence that merely mentions a newsletter stays. Cleaning is a pure
function of its input: the same text always gives the same output.
"""

from __future__ import annotations

import re
import unicodedata

# Lines whose whole text is page furniture. Anchored (fullmatch) and case-insensitive.
_WHOLE_LINE = [
    # ad and video widgets
    r"(video )?ad feedback\b.*",
    r"\d\. how relevant is this ad to you\?",
    r"video player was slow to load content\b.*",
    r"(advertisement|skip ad|story continues below\.?|up next|read more:?|more:?|related:?)",
    r"(related|read more|see also|also read|must read|don'?t miss)\s*:.{0,200}",
    r"hit play on the player above\b.*",
    # promotions that open with a label
    r"subscribe to \S+ today\b.{0,60}",
    r"(support local journalism|thank you for supporting our journalism|"
    r"your subscription makes work like this possible)\b.{0,250}",
    r"(these|this) articles? (is|are) for .{0,40}subscribers\b.{0,300}",
    r"(stay up-to-date|never miss a moment|daily money newsletter|sports newsletter)\s*:.*",
    r"(podcasts|things to do app|flight tracker|live leaderboard|super bowl central)\s*:.{0,200}",
    r"follow every (game|match)\s*:.{0,120}",
    r"would you like to receive .{0,80}newsletter ?\??",
    r"(editor['’]s note:\s*)?a version of this story (first )?appear(s|ed) in .{0,80}newsletter.*",
    r"the product experts at reviewed\b.{0,300}",
    r"prices were accurate at the time\b.{0,120}",
    # data-protection notices of newsletter forms
    r"we will use the (details|information) you have shared\b.*",
    r"if you wish to object to the use of your data\b.*",
    r"['‘’]we['‘’] includes .{0,120}brands\b.*",
    # share and follow widgets
    r"(share|share this( story| article)?|tweet|email|print|copy link|comments?|facebook|"
    r"twitter|linkedin|whatsapp|pinterest|reddit|instagram|flipboard|tiktok|youtube)",
    r"(more .{0,40} on social\s*:\s*)?(facebook|twitter|instagram|pinterest|youtube|tiktok)"
    r"(\s*[|·•,]\s*(facebook|twitter|instagram|pinterest|youtube|tiktok|linkedin))+",
    r"follow (us|.{0,60}) on (facebook|twitter|instagram)\b.{0,120}",
    # wire, byline-agency and contributor credits
    r"(the )?(associated press|ap|reuters|afp|usa today( network| sports)?|usatoday|cnn|cnbc)",
    r"(from )?(usa today network|staff) and wire reports\.?",
    r"special (to|for) usa today( sports)?\.?",
    r"contributing\s*:.{0,150}",
    r"(this|the) (story|article)( and headline)? (has|have) been updated"
    r"( with (additional|new|more) (details|developments|information|reporting))?\.?",
    # photo credits and gallery links on a line of their own
    r"\(?((photo|image|video)s?( by|:)\s*)?([\w.'’ -]{1,40}/){1,3}(getty images|ap|afp|reuters|"
    r"shutterstock|imagn|usa today( network| sports)?|epa|sipa usa)( photo)?\)?",
    r"\(?(photo|image|video|photos)( by|:| courtesy of) .{1,60}\)?",
    # separators and markup leftovers: nothing but punctuation or symbols
    r"[\W_]+",
    r"(cnn|cnn business) ?—",
]
# Phrases that mark a whole (short) line as a promotion or disclaimer wherever they occur.
_PHRASES = [
    r"\bsign up\b.{0,250}\bnewsletters?\b",
    r"\bnewsletters?\b.{0,250}\bsign up\b",
    r"\bsign up (here|now|today|right here)\b",
    r"\bdelivered (right |straight |daily )?to your (inbox|phone)\b",
    r"\bnewsletter (provides you|\?)",
    r"\bsubscribe to .{0,60}newsletter",
    r"\bconsider supporting our journalism\b",
    r"\brecommendations are independently chosen\b",
    r"\bis a usa today content partner\b",
    r"\bis (made possible|supported) in part by a grant\b",
    r"\b\d{1,2}:\d{2} - source: [\w .]{2,30}$",
    r"\bcheck your local forecast here\b",
]
# Cheap substring test run before `_PHRASES`: most lines contain none of these.
_PHRASE_HINTS = (
    "sign up",
    "newsletter",
    "delivered",
    "supporting our journalism",
    "recommendations",
    "content partner",
    "in part by a grant",
    "source:",
    "forecast",
)
_PHRASE_MAX = 500  # a longer line is prose that happens to mention a newsletter
_WHOLE_LINE_RE = re.compile("|".join(f"(?:{p})" for p in _WHOLE_LINE), re.IGNORECASE)
_PHRASE_RE = re.compile("|".join(f"(?:{p})" for p in _PHRASES), re.IGNORECASE)
# Author bios and contact lines: an @handle or e-mail plus a contact cue.
_CONTACT_RE = re.compile(
    r"^(follow|reach|contact|e-?mail)\b|\b(reach|contact|e-?mail|follow|send) (him|her|them|"
    r"the reporter)\b|\b(can be reached|you can reach)\b|\bon twitter:? (at )?@\w+\.?$",
    re.IGNORECASE,
)
# Words a navigation menu is made of; a long run of such short lines is a menu, not prose.
_NAV_TEXT = """
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia
hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
michigan minnesota mississippi missouri montana nebraska nevada new_hampshire new_jersey
new_mexico new_york north_carolina north_dakota ohio oklahoma oregon pennsylvania
rhode_island south_carolina south_dakota tennessee texas utah vermont virginia washington
west_virginia wisconsin wyoming district_of_columbia home news sports entertainment life
money tech travel opinion politics weather video videos podcasts health business world us
u.s. nation crime education science style food sitemap subscribe sign_in log_in
newsletters share email print facebook twitter instagram linkedin
"""
_NAV_WORDS = frozenset(_NAV_TEXT.split())
_NAV_RUN = 8  # so a short list of states in a sentence's context is never touched
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac"})  # theweek.co.uk
_DEDUPE_MIN = 80  # long paragraphs repeated in one page are gallery or embed repeats
_ZERO_WIDTH = ("\u200b", "\u2060", "\ufeff", "\u00ad")
_AGENCIES = (
    "Getty Images",
    "AP",
    "AFP",
    "Reuters",
    "Shutterstock",
    "Bloomberg",
    "EPA",
    "Sipa USA",
    "Imagn",
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHOTO_CREDIT_TAIL_RE = re.compile(
    r"(?<=[.!?)”\"]) (?:[A-Z][\w.'’-]*(?: [\w.'’-]+){0,4}/){1,3}"
    r"(?:" + "|".join(_AGENCIES) + r")$"
)


def clean_text(text: str, *, source: str = "") -> str:
    """Normalise `text` and drop boilerplate; paragraphs are separated by one blank line."""
    outlet = _outlet_key(source)
    paragraphs: list[str] = []
    seen: set[str] = set()
    for block in re.split(r"\n\s*\n", _normalise(text)):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [
            _strip_photo_credit(line)
            for line in lines
            if line and not is_boilerplate(line, outlet=outlet)
        ]
        if not lines:
            continue
        paragraph = "\n".join(lines)
        if len(paragraph) >= _DEDUPE_MIN:
            if paragraph in seen:
                continue
            seen.add(paragraph)
        paragraphs.append(paragraph)
    return "\n\n".join(_drop_nav_runs(paragraphs))


def is_boilerplate(line: str, *, outlet: str = "") -> bool:
    """True when a whole line is page furniture rather than article content."""
    if _WHOLE_LINE_RE.fullmatch(line):
        return True
    if len(line) > _PHRASE_MAX:
        return False
    lowered = line.lower()
    if any(hint in lowered for hint in _PHRASE_HINTS) and _PHRASE_RE.search(line):
        return True
    if outlet and len(line) <= 40 and _squash(line) == outlet:
        return True
    return "@" in line and _CONTACT_RE.search(line) is not None


def _normalise(text: str) -> str:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    for char in _ZERO_WIDTH:  # str.replace is far faster than str.translate here
        if char in text:
            text = text.replace(char, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    return _CONTROL_RE.sub("", text) if _CONTROL_RE.search(text) else text


def _strip_photo_credit(line: str) -> str:
    # A caption keeps its words; only the agency credit glued to its end goes.
    if "/" in line and line.endswith(_AGENCIES):
        return _PHOTO_CREDIT_TAIL_RE.sub("", line)
    return line


def _drop_nav_runs(paragraphs: list[str]) -> list[str]:
    """Remove runs of at least `_NAV_RUN` consecutive menu-word paragraphs."""
    keep = [True] * len(paragraphs)
    start = 0
    while start < len(paragraphs):
        end = start
        while end < len(paragraphs) and _is_nav_item(paragraphs[end]):
            end += 1
        if end - start >= _NAV_RUN:
            keep[start:end] = [False] * (end - start)
        start = max(end, start + 1)
    return [p for p, k in zip(paragraphs, keep, strict=True) if k]


def _is_nav_item(paragraph: str) -> bool:
    if len(paragraph) > 30 or "\n" in paragraph:
        return False
    return paragraph.strip(" •·|>»").lower().replace(" ", "_") in _NAV_WORDS


def _outlet_key(source: str) -> str:
    """'www.usatoday.com' -> 'usatoday', so a line reading just 'USA TODAY' counts as a credit."""
    host = source.lower().removeprefix("www.").split(":")[0]
    parts = [p for p in host.split(".") if p]
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL:
        return parts[-3]
    return parts[-2] if len(parts) >= 2 else (parts[0] if parts else "")


def _squash(line: str) -> str:
    return re.sub(r"[^a-z0-9]", "", line.lower())
