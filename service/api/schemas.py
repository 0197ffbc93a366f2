"""Wire formats: marshmallow schemas for every request the API reads and response it writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, fields, post_load, validate, validates_schema
from marshmallow import ValidationError as _ValidationError

from service.lists.programs import explain
from service.matching.algorithm import matcher_json
from service.matching.details import DETAIL_FIELDS, DetailError, query_details
from service.registry.designations import link_via
from service.terms import (
    DEFAULT_LIMIT,
    KINDS,
    MAX_LIMIT,
    MAX_LIST_ID_LENGTH,
    MAX_LISTS_PER_REQUEST,
    MAX_NAME_LENGTH,
    MAX_NAMES_PER_REQUEST,
    SCREEN_KINDS,
)

NAME_LENGTH = validate.Length(min=1, max=MAX_NAME_LENGTH)
LIST_ID = fields.String(validate=validate.Length(min=1, max=MAX_LIST_ID_LENGTH))


class StrictSchema(Schema):
    """Refuses fields it does not know, so a typo is reported rather than ignored."""

    class Meta:
        unknown = RAISE


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class EntitySearchArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=500))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    designated = fields.Boolean(load_default=None)
    program = fields.String(load_default=None, validate=validate.Length(min=1, max=50))


class EntityCreate(StrictSchema):
    id = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$",
                                                error="Use lowercase letters, digits and -."))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = fields.String(required=True, validate=NAME_LENGTH)
    summary = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=5000))
    names = fields.List(fields.String(validate=NAME_LENGTH), load_default=list,
                        validate=validate.Length(max=200))


class EntityUpdate(StrictSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    name = fields.String(validate=NAME_LENGTH)
    summary = fields.String(allow_none=True, validate=validate.Length(max=5000))
    names = fields.List(fields.String(validate=NAME_LENGTH), validate=validate.Length(max=200))

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise _ValidationError("Give at least one field to change.", "_schema")


class NameOut(Schema):
    name = fields.String()
    source = fields.String(allow_none=True)


class PassageOut(Schema):
    entity_id = fields.String()
    document_id = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()
    sentence = fields.String()


class LinkOut(Schema):
    list = fields.String(attribute="list_id")
    list_key = fields.String()
    status = fields.String()
    score = fields.Float(allow_none=True)
    matched_name = fields.String(allow_none=True)
    via = fields.Function(link_via)


class ViaOut(Schema):
    list = fields.String()
    list_key = fields.String()
    identifier = fields.String()


class BasisOut(Schema):
    list_key = fields.String()
    link = fields.String()
    name = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    via = fields.Nested(ViaOut, allow_none=True)


class DesignationOut(Schema):
    """An entity's status on one list (`service.registry.designations.Designation`)."""

    list = fields.String(attribute="list_id")
    status = fields.String()
    listed = fields.Boolean(allow_none=True)
    programs = fields.List(fields.String())
    program_details = fields.Method("_program_details")
    list_key = fields.String(allow_none=True)
    list_keys = fields.List(fields.String())
    matched_name = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    data_date = fields.Date(allow_none=True)
    basis = fields.List(fields.Nested(BasisOut))
    removed = fields.Method("_removed")
    note = fields.String(allow_none=True)

    def _program_details(self, designation: Any) -> Any:
        return explain(designation.programs)

    def _removed(self, designation: Any) -> dict[str, Any] | None:
        if designation.status != "removed":
            return None
        return {"list_key": designation.removed_key, "last_version": designation.last_version,
                "left_in_version": designation.left_in_version}


class HistoryEventOut(Schema):
    event = fields.String()
    version = fields.Integer()
    data_date = fields.Date(allow_none=True)
    fetched_at = fields.DateTime()
    programs = fields.List(fields.String())
    previous_programs = fields.List(fields.String(), allow_none=True)


class EntryHistoryOut(Schema):
    list = fields.String(attribute="list_id")
    list_key = fields.String()
    link = fields.String()
    via = fields.Nested(ViaOut, allow_none=True)
    events = fields.List(fields.Nested(HistoryEventOut))


class EntitySummaryOut(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    summary = fields.String(allow_none=True)


class DocumentSummaryOut(Schema):
    id = fields.String()
    title = fields.String()
    published_on = fields.Date(allow_none=True)
    sha256 = fields.String()
    source = fields.String(allow_none=True)
    length = fields.Function(lambda document: len(document.text))


class DocumentOut(DocumentSummaryOut):
    text = fields.String()


# Version ids are 32-bit integer columns (PostgreSQL `integer`): a larger number names no
# version and would overflow the database driver (a 500) instead of being a 422.
VERSION_ID = validate.Range(min=1, max=2**31 - 1)


class EntrySearchArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=500))
    program = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    version = fields.Integer(load_default=None, validate=VERSION_ID)


class VersionArgs(StrictSchema):
    version = fields.Integer(load_default=None, validate=VERSION_ID)


class DiffArgs(StrictSchema):
    from_ = fields.Integer(data_key="from", load_default=None, validate=VERSION_ID)
    to = fields.Integer(load_default=None, validate=VERSION_ID)
    details = fields.Boolean(load_default=True)


class LinkDecision(StrictSchema):
    list = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LIST_ID_LENGTH))
    list_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "rejected")))


class EnrichmentOut(Schema):
    id = fields.Integer()
    source = fields.String()
    query = fields.String()
    requested_at = fields.DateTime()
    http_status = fields.Integer(allow_none=True)
    hits = fields.List(fields.Dict())
    body_sha256 = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


# Values one detail may have in a query (a person with many passports, say), and how long one
# may be: longer than any date, country name or document number.
MAX_DETAIL_VALUES = 20
MAX_DETAIL_LENGTH = 100
DETAIL_SEPARATOR = ";"


class DetailValues(fields.Field):
    """One value or a list of values (strings); in a query string or a CSV cell, several are
    separated by `;`."""

    def __init__(self, *, split: bool = False, **kwargs: Any) -> None:
        super().__init__(load_default=None, allow_none=True, **kwargs)
        self.split = split

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            raise _ValidationError("Give a string or a list of strings.")
        if self.split:
            items = [part for item in items for part in item.split(DETAIL_SEPARATOR)]
        values = [item.strip() for item in items if item.strip()]
        if len(values) > MAX_DETAIL_VALUES:
            raise _ValidationError(f"Give at most {MAX_DETAIL_VALUES} values.")
        if any(len(item) > MAX_DETAIL_LENGTH for item in values):
            raise _ValidationError(f"A value is longer than {MAX_DETAIL_LENGTH} characters.")
        return values


def details_of(data: dict[str, Any]) -> Any:
    """Gives the normalised details of the detail fields in loaded data (a 422 naming the
    field that cannot be read)."""
    try:
        return query_details(**{name: data.get(name) for name in DETAIL_FIELDS})
    except DetailError as error:
        raise _ValidationError({error.field: [error.reason]}) from error


class DetailsIn(StrictSchema):
    """Identifying details of a name; `details` (normalised) is added at load."""

    birth_date = DetailValues()
    nationality = DetailValues()
    country = DetailValues()
    id_number = DetailValues()
    gender = DetailValues()

    @post_load
    def _details(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {**data, "details": details_of(data)}


class ScreenName(DetailsIn):
    id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    name = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(SCREEN_KINDS))


class ScreenRequest(StrictSchema):
    names = fields.List(fields.Nested(ScreenName), required=True,
                        validate=validate.Length(min=1, max=MAX_NAMES_PER_REQUEST))
    lists = fields.List(LIST_ID, load_default=None, allow_none=True,
                        validate=validate.Length(max=MAX_LISTS_PER_REQUEST))
    threshold = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=1))
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))


class ScreenArgs(DetailsIn):
    birth_date = DetailValues(split=True)
    nationality = DetailValues(split=True)
    country = DetailValues(split=True)
    id_number = DetailValues(split=True)
    gender = DetailValues(split=True)
    name = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, validate=validate.OneOf(SCREEN_KINDS))
    lists = fields.String(load_default=None, validate=validate.Length(max=500))
    threshold = fields.Float(load_default=None, validate=validate.Range(min=0, max=1))
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))


class CompareRequest(StrictSchema):
    name1 = fields.String(required=True, validate=NAME_LENGTH)
    name2 = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(SCREEN_KINDS))
    threshold = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=1))
    # Each side's details (birth_date, nationality, country, id_number, gender).
    details1 = fields.Nested(DetailsIn, load_default=None, allow_none=True)
    details2 = fields.Nested(DetailsIn, load_default=None, allow_none=True)


# --- documents cross-reference ----------------------------------------------------------------


class DocumentCreate(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    text = fields.String(required=True, validate=validate.Length(min=1))
    published_on = fields.Date(load_default=None, allow_none=True)
    source_url = fields.URL(load_default=None, allow_none=True, schemes={"http", "https"},
                            validate=validate.Length(max=1000))


class DocumentUploadArgs(StrictSchema):
    """The fields sent beside an uploaded file or a text body (query string or form)."""

    title = fields.String(load_default=None, validate=validate.Length(min=1, max=1000))
    published_on = fields.Date(load_default=None)
    source_url = fields.URL(load_default=None, schemes={"http", "https"},
                            validate=validate.Length(max=1000))


class DocumentReadArgs(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "html")))


class ClaimArgs(PageArgs):
    status = fields.String(load_default=None,
                           validate=validate.OneOf(("agrees", "conflicts", "unknown")))
    claim = fields.String(load_default=None,
                          validate=validate.OneOf(("designated", "not_designated")))
    document_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    entity_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class SuggestionAccept(StrictSchema):
    id = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$",
                                                error="Use lowercase letters, digits and -."))
    name = fields.String(validate=NAME_LENGTH)
    kind = fields.String(validate=validate.OneOf(KINDS))


# --- lists ------------------------------------------------------------------------------------


class ListVersionOut(Schema):
    """One import of a list with its provenance (`service.models.ListVersion`)."""

    id = fields.Integer()
    list = fields.String(attribute="list_id")
    format = fields.String()
    data_date = fields.Date(allow_none=True)
    fetched_at = fields.DateTime()
    sha256 = fields.String()
    entry_count = fields.Integer()
    name_count = fields.Integer()
    skipped = fields.Dict(keys=fields.String(), values=fields.Integer())
    sources = fields.List(fields.String())
    part_dates = fields.Dict(keys=fields.String(), values=fields.String())
    registry_checked_at = fields.DateTime(allow_none=True)


def version_items_json(history: Any) -> list[dict[str, Any]]:
    """Gives a list's versions, newest first, each saying whether it is the active one."""
    return [{**ListVersionOut().dump(version), "active": version.id == history.active_id}
            for version in history.versions]


class ListOverviewOut(Schema):
    id = fields.String()
    name = fields.String()
    active_version = fields.Nested(ListVersionOut, allow_none=True)
    version_count = fields.Integer()
    stale = fields.Boolean()


class EntrySummaryOut(Schema):
    key = fields.String()
    name = fields.String()
    kind = fields.String()
    programs = fields.List(fields.String())


class EntryPageOut(Schema):
    items = fields.List(fields.Nested(EntrySummaryOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    version = fields.Integer()


def entry_record_json(record: Any) -> dict[str, Any]:
    """Gives an entry as the list gives it (its stored common model), with list and version.

    The entry's fields vary by source (`extra`), so they are passed through as stored.
    """
    return {**record.row.data, "list": record.list_id, "version": record.version}


class EntryChangeOut(Schema):
    key = fields.String()
    name = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    old_name = fields.String(allow_none=True)
    programs_added = fields.List(fields.String())
    programs_removed = fields.List(fields.String())


class ListDiffOut(Schema):
    """What changed between two versions; `changes` only when the details are asked for."""

    list = fields.String(attribute="list_id")
    from_ = fields.Function(lambda d: d.from_version.id, data_key="from")
    to = fields.Function(lambda d: d.to_version.id)
    counts = fields.Function(lambda d: {"added": len(d.added), "removed": len(d.removed),
                                        "changed": len(d.changed)})
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.Function(lambda d: [c.key for c in d.changed])
    changes = fields.Function(lambda d: EntryChangeOut(many=True).dump(d.changed))


# --- stored records shown as they are -----------------------------------------------------------


def _matcher(row: Any) -> dict[str, str] | None:
    return matcher_json(row.matcher_name, row.matcher_version)


def _optional_time(value: Any) -> str | None:
    return value.isoformat() if value else None


class AuditRecordOut(Schema):
    """One audit record (`service.models.AuditRecord`); its JSON columns (names, lists,
    list_versions, review) are shown as stored."""

    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    kind = fields.String()
    reference = fields.String(allow_none=True)
    names = fields.Raw(allow_none=True)
    names_sha256 = fields.String()
    lists = fields.Raw(allow_none=True)
    # As stored: a whole-number threshold stays one.
    threshold = fields.Raw(allow_none=True)
    list_versions = fields.Raw()
    counts = fields.Function(lambda record: {"names": record.name_count,
                                             "candidates": record.candidate_count,
                                             "matches": record.match_count})
    matcher = fields.Function(_matcher)
    review = fields.Raw(allow_none=True)


class ReviewOut(Schema):
    """An analyst's decision on a hit (`service.models.Review`)."""

    id = fields.Integer()
    name = fields.String()
    list = fields.String(attribute="list_id")
    list_key = fields.String()
    decision = fields.String()
    note = fields.String(allow_none=True)
    by = fields.String(attribute="actor")
    at = fields.DateTime(attribute="created_at")
    version = fields.Integer(attribute="version_id", allow_none=True)
    withdrawn_at = fields.Function(lambda review: _optional_time(review.withdrawn_at))
    withdrawn_by = fields.String(allow_none=True)


class ReviewBriefOut(Schema):
    """What a hit (a screening's, a job's, an alert's) says of the review in force for it."""

    decision = fields.String()
    by = fields.String(attribute="actor")
    at = fields.DateTime(attribute="created_at")
    note = fields.String(allow_none=True)


def review_brief(review: Any) -> dict[str, Any] | None:
    """Gives a hit's review brief, or None when no review is in force for it."""
    return None if review is None else ReviewBriefOut().dump(review)


class JobOut(Schema):
    """A job's state (`service.models.ScreeningJob`), without its results."""

    id = fields.String()
    status = fields.String()
    submitted_by = fields.String(attribute="actor")
    total = fields.Integer()
    done = fields.Integer()
    hits = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.Function(lambda job: _optional_time(job.started_at))
    finished_at = fields.Function(lambda job: _optional_time(job.finished_at))
    list_versions = fields.Function(lambda job: job.list_versions or [])
    lists = fields.Raw(allow_none=True)
    threshold = fields.Raw(allow_none=True)
    limit = fields.Integer()
    error = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    matcher = fields.Function(_matcher)


class ScreenedVersionOut(Schema):
    """The version of a list a watchlist was last screened against, and by which matcher."""

    list = fields.String(attribute="list_id")
    version = fields.Integer(attribute="version_id")
    screened_at = fields.DateTime()
    matcher = fields.Function(_matcher)


class WatchlistHitOut(Schema):
    item_id = fields.String()
    list = fields.String(attribute="list_id")
    list_key = fields.String()
    matched_name = fields.String()
    score = fields.Function(lambda hit: round(hit.score, 4))
    version = fields.Integer(attribute="version_id")


class WatchlistOut(Schema):
    """A watchlist's counts and versions screened (`service.monitoring.WatchlistView`)."""

    id = fields.String(attribute="watchlist.id")
    name = fields.String(attribute="watchlist.name")
    created_at = fields.DateTime(attribute="watchlist.created_at")
    webhook_url = fields.String(attribute="watchlist.webhook_url", allow_none=True)
    # The secret itself is never shown back.
    signed = fields.Function(lambda view: bool(view.watchlist.webhook_secret))
    name_count = fields.Function(lambda view: len(view.items))
    hit_count = fields.Function(lambda view: len(view.hits))
    screened_versions = fields.List(fields.Nested(ScreenedVersionOut), attribute="screened")


class WatchlistDetailOut(WatchlistOut):
    """A watchlist with its names (their details as stored) and its hits."""

    names = fields.Function(lambda view: [{"id": i.item_id, "name": i.name, "kind": i.kind,
                                           **(i.details or {})} for i in view.items])
    hits = fields.List(fields.Nested(WatchlistHitOut))


class AlertOut(Schema):
    """An alert (`service.models.Alert`); `alert_json` adds the review in force."""

    id = fields.Integer()
    watchlist_id = fields.String()
    item_id = fields.String()
    name = fields.String()
    kind = fields.String()
    list = fields.String(attribute="list_id")
    list_key = fields.String()
    matched_name = fields.String()
    score = fields.Float()
    version = fields.Integer(attribute="version_id")
    created_at = fields.DateTime()
    changed_since_review = fields.Boolean()


def alert_json(alert: Any, review: dict[str, Any] | None) -> dict[str, Any]:
    """Gives an alert with the review in force for its pair (None without one)."""
    return {**AlertOut().dump(alert), "review": review}


# --- documents' mentions and claims --------------------------------------------------------------


class MentionOut(Schema):
    """A span of a document matching an entity or a list entry (`DocumentMention`)."""

    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()
    score = fields.Float()
    entity_id = fields.String(allow_none=True)
    list = fields.String(attribute="list_id", allow_none=True)
    list_key = fields.String(allow_none=True)
    matched_name = fields.String()


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive values; they are UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class VerdictOut(Schema):
    """A claim's recorded verdict (`ClaimVerdict`)."""

    status = fields.String()
    reason = fields.String()
    versions = fields.Function(lambda verdict: dict(verdict.versions))
    judged_at = fields.Function(lambda verdict: _utc(verdict.judged_at).isoformat())


class ClaimOut(Schema):
    """A claim with its judgement now and its recorded verdicts
    (`service.documents.xref.JudgedClaim`)."""

    id = fields.Integer(attribute="row.id")
    document_id = fields.String(attribute="row.document_id")
    start = fields.Integer(attribute="row.start")
    end = fields.Integer(attribute="row.end")
    text = fields.Function(lambda claim: claim.text[claim.row.start:claim.row.end])
    mention = fields.Function(lambda claim: {
        "start": claim.row.mention_start, "end": claim.row.mention_end,
        "text": claim.text[claim.row.mention_start:claim.row.mention_end]})
    entity_id = fields.String(attribute="row.entity_id", allow_none=True)
    list = fields.String(attribute="row.list_id", allow_none=True)
    list_key = fields.String(attribute="row.list_key", allow_none=True)
    claim = fields.String(attribute="row.claim")
    cue = fields.String(attribute="row.cue")
    programs = fields.Function(lambda claim: list(claim.row.programs))
    status = fields.String(attribute="judgement.status")
    reason = fields.String(attribute="judgement.reason")
    evidence = fields.Raw(attribute="judgement.evidence")
    history = fields.List(fields.Nested(VerdictOut))


class ClaimPageOut(Schema):
    items = fields.List(fields.Nested(ClaimOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
