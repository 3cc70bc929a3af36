"""The province's agency directory as data: ``data/directories/<id>.json``.

A directory lists a province's agencies (with their validity dates, the agencies they succeed
and the legal text each entry comes from) and its groups — by list, or **by rule**
(``"rule": "commune_level"``: every commune-level unit of the province, generated from the
``vietnam-provinces`` package; ``"rule": "kind"``: every agency of the listed kinds), so that a
new agency is in its groups without anyone editing them. A plan refers to one directory
(``"directory": "khanh-hoa-2025"``) and may still list agencies and groups of its own, which
add to or override the directory's (:func:`scheduler.plan.load_plan` merges them).

A directory may build on earlier ones (``"includes": ["ninh-thuan-2024"]``): their agencies
and groups come first, so that ``successor_of`` can name the agencies a merger ended.

This module also holds what the plan and the directory share: the :class:`Agency` and
:class:`Group` models and the Vietnamese wording of pydantic's errors with JSON paths.
See docs/directory.md.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from common.paths import data_file
from common.text import fold, slugify

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The kind of the generated commune-level units (UBND xã, phường, đặc khu).
COMMUNE_KIND = "ubnd-cap-xa"


class _Strict(BaseModel):
    # A misspelt key is a mistake an admin makes; refusing it beats silently ignoring it.
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class DirectoryError(Exception):
    """A directory file that cannot be used. ``path`` is a JSON path such as ``agencies[3].id``."""

    def __init__(self, path: str, message: str, *, more: int = 0, file: str = "") -> None:
        self.path = path
        self.message = message
        self.more = more
        self.file = file
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" (và {self.more} lỗi khác)" if self.more else ""
        return f"{where}{self.message}{tail}"


# -- the shared models ------------------------------------------------------------------------


class Agency(_Strict):
    id: NonEmpty
    name: NonEmpty
    aliases: list[NonEmpty] = []
    kind: str | None = None
    parent: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    # Mergers and renames: the agencies whose duties (and history) this one takes over from
    # its valid_from (docs/directory.md).
    successor_of: list[NonEmpty] = []
    # The legal basis or text the entry comes from (and what in it is a judgement).
    source: str | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("mã cơ quan phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ cong-an-tinh)")
        return value

    @model_validator(mode="after")
    def _validity(self) -> Agency:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to trước valid_from")
        if self.id in self.successor_of:
            raise ValueError(f"cơ quan '{self.id}' không thể kế thừa chính nó (successor_of)")
        return self

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class GroupRule(StrEnum):
    COMMUNE_LEVEL = "commune_level"  # every commune-level unit (UBND xã, phường, đặc khu)
    KIND = "kind"  # every agency whose kind is in ``kinds``


class Group(_Strict):
    """A name that stands for several agencies ("UBND các xã, phường"): by list or by rule."""

    id: NonEmpty
    name: NonEmpty
    aliases: list[NonEmpty] = []
    members: list[NonEmpty] = []
    rule: GroupRule | None = None
    kinds: list[NonEmpty] = []
    source: str | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("mã nhóm phải là chữ thường không dấu, số và dấu gạch ngang")
        return value

    @field_validator("rule", mode="before")
    @classmethod
    def _known_rule(cls, value: Any) -> Any:
        if value is not None and value not in tuple(GroupRule):
            known = ", ".join(f'"{r}"' for r in GroupRule)
            raise ValueError(f"quy tắc nhóm không được hỗ trợ: {value!r}; các quy tắc: {known}")
        return value

    @model_validator(mode="after")
    def _members_or_rule(self) -> Group:
        if self.rule is None and not self.members:
            raise ValueError("nhóm cần danh sách 'members' hoặc một quy tắc 'rule'")
        if self.rule is not None and self.members:
            raise ValueError("nhóm theo quy tắc 'rule' không kèm danh sách 'members'")
        if self.rule is GroupRule.KIND and not self.kinds:
            raise ValueError("quy tắc \"kind\" cần danh sách 'kinds' (loại cơ quan)")
        if self.rule is not GroupRule.KIND and self.kinds:
            raise ValueError("'kinds' chỉ dùng với quy tắc \"kind\"")
        return self

    def rule_members(self, agencies: Iterable[Agency]) -> list[str]:
        """The members a rule gives among ``agencies`` (in their order)."""
        kinds = {COMMUNE_KIND} if self.rule is GroupRule.COMMUNE_LEVEL else set(self.kinds)
        return [a.id for a in agencies if a.kind in kinds]


# -- pydantic's errors in the admin's words ---------------------------------------------------

MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được hỗ trợ (gõ nhầm tên?)",
    "too_short": "danh sách không được để trống",
    "string_too_short": "không được để trống",
    "string_type": "phải là chuỗi ký tự",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách [...]",
    "model_type": "phải là một đối tượng {...}",
    "dict_type": "phải là một đối tượng {...}",
    "date_from_datetime_parsing": "ngày không hợp lệ hoặc không tồn tại (dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ hoặc không tồn tại (dạng YYYY-MM-DD)",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "phải là ngày, không kèm giờ",
    "time_parsing": "giờ không hợp lệ (dạng HH:MM)",
    "time_type": "giờ không hợp lệ (dạng HH:MM)",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "string_pattern_mismatch": "giá trị không hợp lệ",
    "enum": "giá trị không hợp lệ",
}


def json_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_problem(exc: ValidationError) -> tuple[str, str, int]:
    """(JSON path, Vietnamese message, how many other errors) of pydantic's first error."""
    errors = exc.errors()
    first = errors[0]
    kind = first["type"]
    if kind == "value_error":
        message = str(first["msg"]).removeprefix("Value error, ")
    elif kind == "enum":
        expected = first.get("ctx", {}).get("expected", "")
        message = f"giá trị không hợp lệ; chấp nhận: {expected}"
    else:
        message = MESSAGES.get(kind, str(first["msg"]))
    if kind not in ("missing", "extra_forbidden") and "input" in first:
        shown = json.dumps(first["input"], ensure_ascii=False)
        if len(shown) <= 60:
            message += f" (giá trị: {shown})"
    return json_path(first["loc"]), message, len(errors) - 1


# -- the directory file -----------------------------------------------------------------------


class Communes(_Strict):
    """Generate the province's commune-level units from the ``vietnam-provinces`` package."""

    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    note: str | None = None


class DirectoryFile(_Strict):
    schema_version: int = Field(ge=1, le=1)
    id: NonEmpty
    name: NonEmpty
    province: NonEmpty
    as_of: date | None = None
    source: str | None = None
    note: str | None = None
    includes: list[NonEmpty] = []
    communes: Communes | None = None
    agencies: list[Agency] = []
    groups: list[Group] = []

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("mã danh mục phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ khanh-hoa-2025)")
        return value


@dataclass(frozen=True)
class Directory:
    """A loaded directory: its own entries after those of the directories it includes, the
    generated communes among them, every rule group given its members."""

    id: str
    name: str
    province: str
    path: Path
    agencies: tuple[Agency, ...]
    groups: tuple[Group, ...]
    # id → where the entry comes from ("khanh-hoa-2025.json, agencies[3]"), for messages
    origin: dict[str, str]
    # the ids that come from the directories it includes
    inherited: frozenset[str] = frozenset()


def commune_agencies(province: str, spec: Communes) -> list[Agency]:
    """Every commune-level unit of ``province`` as an agency ("UBND phường Nha Trang")."""
    from vietnam_provinces import Province, Ward

    wanted = fold(province).removeprefix("tinh ").removeprefix("thanh pho ")
    found = [p for p in Province.iter_all() if fold(p.name) == wanted]
    if not found:
        raise DirectoryError("province", f"gói vietnam-provinces không có tỉnh, thành phố '{province}'")
    code = found[0].code
    wards = sorted((w for w in Ward.iter_all() if w.province_code == code), key=lambda w: int(w.code))
    source = spec.source or "Danh mục xã, phường, đặc khu của gói vietnam-provinces (sau ngày 01/7/2025)."
    out = []
    for ward in wards:
        # "Phường Nha Trang" → "UBND phường Nha Trang"; "Đặc khu Trường Sa" → "UBND đặc khu Trường Sa".
        unit = ward.name[:1].lower() + ward.name[1:]
        kind_word = str(ward.division_type.value)
        place = ward.name[len(kind_word) :].strip() if fold(ward.name).startswith(fold(kind_word)) else ward.name
        out.append(
            Agency(
                id="ubnd-" + slugify(ward.codename.replace("_", " ")),
                name=f"UBND {unit}",
                aliases=[f"Ủy ban nhân dân {unit}", f"UBND {place}"],
                kind=COMMUNE_KIND,
                valid_from=spec.valid_from,
                valid_to=spec.valid_to,
                source=f"{source} Mã đơn vị hành chính {int(ward.code)}.",
                note=spec.note,
            )
        )
    return out


def directories_dir(near: Path | None = None) -> list[Path]:
    """Folders a directory id is looked up in: next to the plan, beside its folder, ./data, bundled."""
    out = []
    if near is not None:
        out += [near / "directories", near.parent / "directories"]
    out.append(data_file("directories"))
    return out


def resolve(ref: str, near: Path | None = None) -> Path:
    """A directory reference (an id such as ``khanh-hoa-2025``, or a path) → its file."""
    if ref.endswith(".json") or "/" in ref or "\\" in ref:
        path = Path(ref)
        if not path.is_absolute() and near is not None and (near / path).exists():
            return near / path
        return path
    if not SLUG.match(ref):
        raise DirectoryError("", f"mã danh mục '{ref}' không hợp lệ (ví dụ khanh-hoa-2025, hoặc đường dẫn tệp .json)")
    for folder in directories_dir(near):
        candidate = folder / f"{ref}.json"
        if candidate.exists():
            return candidate
    known = sorted({p.stem for folder in directories_dir(near) if folder.is_dir() for p in folder.glob("*.json")})
    hint = f"; các danh mục có: {', '.join(known)}" if known else ""
    raise DirectoryError("", f"không có danh mục cơ quan '{ref}' trong data/directories/{hint}")


def _read(path: Path) -> DirectoryFile:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DirectoryError("", f"không tìm thấy tệp danh mục {path}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise DirectoryError("", f"tệp {path} không phải văn bản UTF-8", file=str(path)) from exc
    except OSError as exc:
        raise DirectoryError("", f"không đọc được tệp {path}: {exc.strerror}", file=str(path)) from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DirectoryError(
            "", f"không phải JSON hợp lệ: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}", file=str(path)
        ) from exc
    if not isinstance(data, dict):
        raise DirectoryError("", "tệp danh mục phải là một đối tượng JSON {...}", file=str(path))
    try:
        return DirectoryFile.model_validate(data)
    except ValidationError as exc:
        where, message, more = validation_problem(exc)
        raise DirectoryError(where, message, more=more, file=str(path)) from exc


def load_directory(ref: str | Path, near: Path | None = None) -> Directory:
    """Load a directory by id or path, with the directories it includes. Errors name the file."""
    path = ref if isinstance(ref, Path) else resolve(ref, near)
    return _load(path, ())


def _load(path: Path, trail: tuple[Path, ...]) -> Directory:
    key = path.resolve()
    if key in trail:
        raise DirectoryError("includes", f"danh mục {path.name} bao gồm lại chính nó", file=str(path))
    spec = _read(path)
    name = path.name
    agencies: dict[str, Agency] = {}
    groups: dict[str, Group] = {}
    origin: dict[str, str] = {}
    # The directory's own entries come first, the included (older) ones after: a name both
    # have ("Sở Tư pháp") is found in the newer directory.
    included_agencies: dict[str, Agency] = {}
    included_groups: dict[str, Group] = {}
    included_origin: dict[str, str] = {}
    for i, included in enumerate(spec.includes):
        try:
            base = _load(resolve(included, path.parent), (*trail, key))
        except DirectoryError as exc:
            if exc.file:
                raise
            raise DirectoryError(f"includes[{i}]", exc.message, file=str(path)) from exc
        for agency in base.agencies:
            included_agencies.setdefault(agency.id, agency)
        for group in base.groups:
            included_groups.setdefault(group.id, group)
        for entry_id, where in base.origin.items():
            included_origin.setdefault(entry_id, where)

    def fail(where: str, message: str) -> DirectoryError:
        return DirectoryError(where, message, file=str(path))

    own: dict[str, str] = {}
    for index, agency in enumerate(spec.agencies):
        where = f"agencies[{index}]"
        if agency.id in own:
            raise fail(f"{where}.id", f"mã '{agency.id}' bị trùng (đã dùng ở {own[agency.id]})")
        own[agency.id] = where
        agencies[agency.id] = agency
        origin[agency.id] = f"{name}, {where}"
    # The commune-level units after the province's own agencies (the directory's order is the
    # order obligations are listed in).
    try:
        generated = commune_agencies(spec.province, spec.communes) if spec.communes is not None else []
    except DirectoryError as exc:
        raise fail(exc.path, exc.message) from exc
    for agency in generated:
        if agency.id in own:
            raise fail(f"{own[agency.id]}.id", f"mã '{agency.id}' trùng với mã sinh cho {agency.name} (communes)")
        own[agency.id] = "communes"
        agencies[agency.id] = agency
        origin[agency.id] = f"{name}, communes ({agency.name})"
    for index, group in enumerate(spec.groups):
        where = f"groups[{index}]"
        if group.id in own:
            raise fail(f"{where}.id", f"mã '{group.id}' bị trùng (đã dùng ở {own[group.id]})")
        if group.id in agencies:
            raise fail(f"{where}.id", f"mã '{group.id}' đã là mã của một cơ quan")
        own[group.id] = where
        groups[group.id] = group
        origin[group.id] = f"{name}, {where}"

    for entry_id in included_agencies.keys() & agencies.keys() | included_groups.keys() & groups.keys():
        raise fail(own[entry_id] + ".id", f"mã '{entry_id}' đã có trong danh mục được bao gồm ({included_origin[entry_id]})")
    for agency_id, agency in included_agencies.items():
        agencies[agency_id] = agency
    for group_id, group in included_groups.items():
        if group_id in agencies:
            raise fail("includes", f"mã '{group_id}' vừa là cơ quan vừa là nhóm")
        groups[group_id] = group
    origin.update(included_origin)
    inherited = frozenset(included_agencies) | frozenset(included_groups)

    all_agencies = list(agencies.values())
    check_agencies(all_agencies, lambda a: own.get(a.id), fail)
    materialized = materialize_groups(list(groups.values()), all_agencies, inherited)
    check_groups(materialized, set(agencies), lambda g: own.get(g.id), fail)
    return Directory(
        spec.id, spec.name, spec.province, path, tuple(all_agencies), tuple(materialized), origin, inherited
    )


def materialize_groups(groups: list[Group], agencies: list[Agency], inherited: frozenset[str] = frozenset()) -> list[Group]:
    """Every rule group with its members listed (the rule kept: the members follow the agencies).

    A rule group of a directory matches that directory's agencies (and a plan's own), not those
    of the older directories it includes (``inherited``); an included rule group keeps its
    members."""
    out = []
    for group in groups:
        if group.rule is None or (group.id in inherited and group.members):
            out.append(group)
            continue
        members = group.rule_members(a for a in agencies if a.id not in inherited)
        # A rule with no agency to match (a province without communes generated) stays empty;
        # expanding it gives nobody, and plan check says so.
        out.append(group.model_copy(update={"members": members}))
    return out


def _near(wanted: str, known: Iterable[str]) -> str:
    hits = difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.6)
    return f"; gần giống: {', '.join(hits)}" if hits else ""


def check_agencies(agencies: list[Agency], where: Callable[[Agency], str | None], fail: Callable[[str, str], Exception]) -> None:
    """Parents and successor links name known agencies; succession has no cycle.

    ``where(agency)`` is the entry's JSON path when it is checked here (None: an entry already
    checked where it was defined); ``fail(path, message)`` builds the error."""
    by_id = {a.id: a for a in agencies}
    for agency in agencies:
        path = where(agency)
        if path is None:
            continue
        if agency.parent is not None and agency.parent not in by_id:
            raise fail(f"{path}.parent", f"không có cơ quan mã '{agency.parent}'{_near(agency.parent, by_id)}")
        for s, ref in enumerate(agency.successor_of):
            if ref not in by_id:
                raise fail(
                    f"{path}.successor_of[{s}]",
                    f"không có cơ quan mã '{ref}' để kế thừa{_near(ref, by_id)}",
                )
    # successor_of is an edge successor → predecessor; a cycle would make duties go round.
    state: dict[str, int] = {}

    def visit(agency_id: str, chain: list[str]) -> None:
        state[agency_id] = 1
        for ref in by_id[agency_id].successor_of:
            if state.get(ref) == 1:
                loop = " → ".join([*chain[chain.index(ref):], ref]) if ref in chain else f"{agency_id} → {ref}"
                culprit = by_id[agency_id]
                path = where(culprit) or agency_id
                raise fail(f"{path}.successor_of", f"kế thừa vòng tròn: {loop}")
            if state.get(ref) is None:
                visit(ref, [*chain, ref])
        state[agency_id] = 2

    for agency in agencies:
        if agency.id not in state:
            visit(agency.id, [agency.id])


def check_groups(groups: list[Group], agency_ids: set[str], where: Callable[[Group], str | None], fail: Callable[[str, str], Exception]) -> None:
    """Members name known agencies or groups; no group contains itself."""
    by_id = {g.id: g for g in groups}
    for group in groups:
        path = where(group)
        if path is None or group.rule is not None:
            continue
        for m, member in enumerate(group.members):
            if member not in agency_ids and member not in by_id:
                raise fail(
                    f"{path}.members[{m}]",
                    f"không có cơ quan hoặc nhóm mã '{member}'{_near(member, [*agency_ids, *by_id])}",
                )

    def visit(group_id: str, trail: list[str]) -> None:
        for m, member in enumerate(by_id[group_id].members):
            if member not in by_id:
                continue
            if member in trail or member == group_id:
                chain = " → ".join([*trail, group_id, member])
                raise fail(f"{where(by_id[group_id]) or group_id}.members[{m}]", f"nhóm '{member}' chứa chính nó ({chain})")
            visit(member, [*trail, group_id])

    for group in groups:
        visit(group.id, [])


def directory_files(ref: str, near: Path | None = None) -> list[Path]:
    """The files a directory is read from (itself and what it includes), as far as they can be
    found: what a watcher of the plan must also watch. Never raises."""
    out: list[Path] = []
    pending: list[tuple[str, Path | None]] = [(ref, near)]
    while pending:
        item, where = pending.pop(0)
        try:
            path = resolve(item, where)
            data = json.loads(path.read_text(encoding="utf-8"))
        except (DirectoryError, OSError, ValueError):
            continue
        if path in out:
            continue
        out.append(path)
        includes = data.get("includes") if isinstance(data, dict) else None
        for included in includes if isinstance(includes, list) else []:
            if isinstance(included, str):
                pending.append((included, path.parent))
    return out
