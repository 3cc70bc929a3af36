"""Languages: Vietnamese first, English second, through Babel/gettext catalogs.

The message ids in the code are the Vietnamese texts themselves. A missing or broken catalog
therefore falls back to Vietnamese — the users' language — never silently to English. The
English catalog is ``common/locale/en/LC_MESSAGES/baocao.po``; a ``.mo`` compiled next to it is
used when it is current, otherwise the ``.po`` is compiled in memory at first use, so an
editable install or a fresh checkout works without a build step.

Extract new messages with ``pybabel extract -F babel.cfg -k t -k s -k n:1,2 -k N_ -o common/locale/baocao.pot .`` and
merge them into the catalog with ``pybabel update -i common/locale/baocao.pot -d common/locale -D baocao``.
"""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from common.message import Span, Text

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "baocao"
DEFAULT = "vi"
SUPPORTED = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

log = logging.getLogger(__name__)


def pick_language(code: str | None, default: str = DEFAULT) -> str:
    """Map Telegram's language_code ("vi", "en-US", …) to a supported language."""
    if not code:
        return default
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED else default


@lru_cache(maxsize=len(SUPPORTED) + 1)
def translations(lang: str) -> NullTranslations:
    if lang == DEFAULT or lang not in SUPPORTED:
        return NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    try:
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fp:
                return Translations(fp, domain=DOMAIN)
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    except (OSError, ValueError) as exc:
        log.error("catalog %s unusable (%s); falling back to Vietnamese", lang, exc)
        return NullTranslations()


_TOKEN = re.compile(r"(</?[bi]>|\{[A-Za-z_][A-Za-z0-9_]*\})")


def format_template(template: str, values: dict[str, object] | None = None) -> Text:
    """A translated template as rich text.

    The template is ours (or a translator's): ``<b>…</b>`` and ``<i>…</i>`` mark emphasis and
    ``{name}`` a value. Values are data: a string is plain text (never markup), a
    :class:`~common.message.Text` keeps its own styles inside the template's.
    """
    values = values or {}
    spans: list[Span] = []
    bold = italic = False
    for token in _TOKEN.split(template):
        if not token:
            continue
        if token in ("<b>", "</b>"):
            bold = token == "<b>"
        elif token in ("<i>", "</i>"):
            italic = token == "<i>"
        elif token.startswith("{") and token.endswith("}"):
            name = token[1:-1]
            if name not in values:
                raise KeyError(name)
            value = values[name]
            inner = value if isinstance(value, Text) else Text(value)
            spans.extend(inner.styled(bold=bold, italic=italic).spans)
        else:
            spans.append(Span(token, bold, italic))
    return Text(*spans)


class Translator:
    """``t("Đã ghi nhận")`` in the user's language, as :class:`~common.message.Text`;
    ``t.n(singular, plural, n)`` for counts; ``t.s(…)`` when plain text is needed (a button
    label, a toast)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in SUPPORTED else DEFAULT
        self._t = translations(self.lang)

    def __call__(self, message: str, **values: object) -> Text:
        return format_template(self._t.gettext(message), values)

    def s(self, message: str, **values: object) -> str:
        return self(message, **values).plain()

    def n(self, singular: str, plural: str, count: int, **values: object) -> Text:
        return format_template(self._t.ngettext(singular, plural, count), {"count": count, **values})


def translator(lang: str | None) -> Translator:
    return Translator(pick_language(lang))


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message
