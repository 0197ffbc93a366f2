"""The console's pages. Each view parses its input, calls one domain function or use case,
commits once if it wrote, and renders a template; errors become readable pages."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie,
)
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from service.api.jobs import results_response
from service.api.schemas import (
    ClaimOut,
    JobOut,
    MentionOut,
    WatchlistDetailOut,
    WatchlistOut,
    review_brief,
)
from service.api.screening import reviewed
from service.console import csrf
from service.console.forms import (
    DocumentForm,
    JobForm,
    LinkForm,
    LoginForm,
    ReviewForm,
)
from service.documents import xref
from service.documents.annotate import document_page
from service.errors import ServiceError
from service.jobs import store
from service.jobs.serving import dispatch
from service.lists import diff, queries
from service.matching.details import DetailError, query_details
from service.matching.scorer import DEFAULT_THRESHOLD
from service.monitoring import get_watchlist, list_alerts, list_watchlists, watchlist_view
from service.registry import documents as registry_documents
from service.registry.designations import entity_history
from service.registry.entities import entity_detail
from service.registry.lookup import search_everything
from service.reviews import ReviewInput, list_reviews, review_of, reviews_for
from service.screening.screen import ScreeningRequest
from service.security.access import current_caller
from service.security.keys import ADMIN_TOKEN_ACTOR, SCOPES, Caller, caller_of_key, identify
from service.terms import SCREEN_KINDS
from service.usecases.registry import decide_and_bridge
from service.usecases.reviews import record, withdraw
from service.usecases.screening import ScreeningOptions, screen_and_record, submit_job
from service.web import current_index, session, settings

# The identifying details a screening may carry, in the order the form shows them.
DETAIL_FIELDS = ("birth_date", "nationality", "country", "id_number", "gender")

blueprint = Blueprint("console", __name__, url_prefix="/ui", template_folder="templates",
                      static_folder="static")

log = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Any])
# Candidates shown per screened name: more than the API's default, an analyst reads them all.
SCREEN_LIMIT = 10
# Names with hits a job's page lists; the downloads hold them all.
HITS_SHOWN = 200


# --- who is signed in ------------------------------------------------------------------------


def _admin_proof(token: str) -> str:
    # The session cookie is signed, not encrypted: it must not carry the admin token, nor a
    # plain hash of it that could be guessed at offline; this proof is keyed by the secret.
    return hmac.new(current_app.secret_key.encode(),  # type: ignore[union-attr]
                    token.encode(), hashlib.sha256).hexdigest()


def _session_caller() -> Caller | None:
    actor = cookie.get("actor")
    if not actor:
        return None
    if actor == ADMIN_TOKEN_ACTOR:
        token = settings().admin_token
        proof = str(cookie.get("proof", ""))
        if token and hmac.compare_digest(proof, _admin_proof(token)):
            return Caller(ADMIN_TOKEN_ACTOR, frozenset(SCOPES))
        return None
    return caller_of_key(str(actor), session=session())


@blueprint.before_request
def _identify() -> None:
    if request.endpoint == "console.submit":
        # Before the CSRF check reads the form: a job's CSV may be far larger than the
        # body any other request may send.
        request.max_content_length = settings().job_max_body
    if request.method == "POST":
        csrf.protect()
    # A request with an API key header keeps it; otherwise the session speaks for the user.
    if current_caller() is None:
        caller = _session_caller()
        if caller is not None:
            g.xref_caller, g.actor = caller, caller.actor


def can(scope: str) -> bool:
    """Gives whether the visitor may see or do what needs `scope`."""
    caller = current_caller()
    if caller is None:
        return scope == "read" and settings().public_read
    return caller.allows(scope)


@blueprint.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"can": can, "caller": current_caller}


def page(scope: str) -> Callable[[View], View]:
    """Gives a decorator sending visitors without a session to sign-in, and refusing those
    whose key lacks `scope` with a page that says so."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if current_caller() is None and not can(scope):
                return redirect(url_for("console.login", next=request.full_path))
            if not can(scope):
                return _error(403, f"Your API key does not have the '{scope}' scope, which "
                                   "this page needs. Ask an administrator for a key that has.")
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def _back(target: str | None, default: str) -> str:
    """Gives `target` if it is a path of the console, else `default` (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/ui/"):
            return target
    return default


# --- errors as pages -------------------------------------------------------------------------


def _error(status: int, message: str, details: list[str] | None = None) -> tuple[str, int]:
    return render_template("console/error.html", status=status, message=message,
                           details=details or []), status


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError) -> tuple[str, int]:
    return _error(error.status, error.message)


@blueprint.errorhandler(ValidationError)
def _invalid(error: ValidationError) -> tuple[str, int]:
    messages = error.normalized_messages()
    details = [f"{field}: {problems}" for field, problems in messages.items()] \
        if isinstance(messages, dict) else []
    return _error(422, "Some of what was entered could not be used.", details)


@blueprint.errorhandler(CSRFError)
def _csrf_error(_refused: CSRFError) -> tuple[str, int]:
    return _error(400, "The form was refused: it did not carry the console's security token, "
                       "or the token has expired. Reload the page and send the form again.")


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    return _error(error.code or 500, error.description or "The request could not be served.")


@blueprint.errorhandler(OperationalError)
def _database_down(error: OperationalError) -> tuple[str, int]:
    log.error("database unavailable: %s", error)
    return _error(503, "The database is not answering just now. Try again in a moment.")


@blueprint.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[str, int]:
    # Logged with its traceback for us; the analyst gets words, never the trace.
    log.exception("console page failed", exc_info=error)
    return _error(500, "Something went wrong on the server, and it has been logged. "
                       "Try again in a moment.")


@blueprint.get("/<path:_unknown>")
def unknown(_unknown: str) -> tuple[str, int]:
    # Without this an unknown console address would get the API's JSON 404.
    return _error(404, "There is no such page in the console.")


# --- sign-in ---------------------------------------------------------------------------------


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    target = _back(request.args.get("next"), url_for("console.search"))
    if form.validate_on_submit():
        db = session()
        caller = identify(form.key.data.strip(), session=db,
                          admin_token=settings().admin_token)
        if caller is None:
            form.key.errors.append("This key is unknown or has been revoked.")
        else:
            db.commit()  # the key's last use
            cookie.clear()
            cookie["actor"] = caller.actor
            if caller.actor == ADMIN_TOKEN_ACTOR:
                cookie["proof"] = _admin_proof(settings().admin_token)
            return redirect(target)
    status = 401 if form.errors else 200
    return render_template("console/login.html", form=form, next=target), status


@blueprint.post("/logout")
def logout() -> Any:
    # A POST with the CSRF token (checked before every console POST), so another site
    # cannot sign the user out.
    cookie.clear()
    return redirect(url_for("console.login"))


@blueprint.get("/")
def home() -> Any:
    return redirect(url_for("console.search"))


# --- registry and lists ----------------------------------------------------------------------


@blueprint.get("/search")
@page("read")
def search() -> str:
    q = request.args.get("q", "").strip()[:500]
    found = search_everything(q, session=session()) if q else None
    return render_template("console/search.html", q=q, found=found)


@blueprint.get("/entities/<entity_id>")
@page("read")
def entity(entity_id: str) -> str:
    db = session()
    detail = entity_detail(entity_id, session=db)
    return render_template("console/entity.html", **detail,
                           history=entity_history(entity_id, session=db))


@blueprint.post("/entities/<entity_id>/links")
@page("admin")
def decide(entity_id: str) -> Any:
    form = LinkForm()
    if not form.validate():
        return _error(422, "Choose confirm or reject for a list entry.")
    db = session()
    decide_and_bridge(entity_id, form.list.data, form.list_key.data, form.status.data,
                      session=db)
    db.commit()
    return redirect(url_for("console.entity", entity_id=entity_id) + "#links")


@blueprint.get("/lists")
@page("read")
def lists() -> str:
    overviews = queries.all_lists(session=session(),
                                  stale_after_days=settings().stale_after_days)
    return render_template("console/lists.html", lists=overviews)


@blueprint.get("/lists/<list_id>")
@page("read")
def list_page(list_id: str) -> str:
    q = request.args.get("q", "").strip()[:500]
    db = session()
    history = queries.list_versions(list_id, session=db)
    entries = (queries.search_entries(list_id, session=db, q=q or None, per_page=50)
               if history.active_id else None)
    return render_template("console/list.html", list_id=list_id, history=history,
                           entries=entries, q=q)


@blueprint.get("/lists/<list_id>/diff")
@page("read")
def list_diff(list_id: str) -> str:
    def version(name: str) -> int | None:
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else None

    result = diff.diff_versions(list_id, version("from"), version("to"), session=session())
    return render_template("console/diff.html", list_id=list_id, diff=result)


@blueprint.get("/lists/<list_id>/entries/<key>")
@page("read")
def entry(list_id: str, key: str) -> str:
    found = queries.get_entry(list_id, key, session=session())
    return render_template("console/entry.html", entry=found)


@blueprint.get("/documents")
@page("read")
def documents() -> str:
    rows, total = registry_documents.list_documents(session=session(), page=1, per_page=100)
    conflicts = xref.list_claims(session=session(), status="conflicts", per_page=50)
    return render_template("console/documents.html", documents=rows, total=total,
                           conflicts=ClaimOut(many=True).dump(conflicts.items))


@blueprint.post("/documents")
@page("admin")
def add_document() -> Any:
    form = DocumentForm()
    if not form.validate():
        return _error(422, "A document needs a title and some text.")
    db = session()
    added = xref.add_document({"title": form.title.data.strip(), "text": form.text.data,
                               "published_on": None, "source_url": None},
                              session=db, loaded=current_index())
    db.commit()
    return redirect(url_for("console.document", document_id=added.id))


@blueprint.get("/documents/<document_id>")
@page("read")
def document(document_id: str) -> str:
    view = xref.document_view(document_id, session=session())
    return render_template("console/document.html", document=view.document,
                           passages=view.passages,
                           mentions=MentionOut(many=True).dump(view.mentions),
                           claims=ClaimOut(many=True).dump(view.claims))


@blueprint.get("/documents/<document_id>/annotated")
@page("read")
def annotated(document_id: str) -> Response:
    page_html = document_page(xref.document_view(document_id, session=session()))
    return Response(page_html, mimetype="text/html")


# --- screening and reviews -------------------------------------------------------------------


def _options(limit: int = SCREEN_LIMIT) -> ScreeningOptions:
    caller = current_caller()
    return ScreeningOptions(actor=caller.actor if caller else "anonymous",
                            store_names=settings().audit_store_names, limit=limit)


@blueprint.get("/screen")
@page("screen")
def screen() -> Any:
    # A GET, like GET /v1/screen: the result page can be bookmarked and reloaded, and the
    # review buttons come back to it to show the decision on the next screening.
    name = request.args.get("name", "").strip()
    kind = request.args.get("kind") or None
    if kind not in (None, *SCREEN_KINDS):
        kind = None
    # The identifying details, as GET /v1/screen takes them (several values split by ";").
    given = {field: request.args.get(field, "").strip() for field in DETAIL_FIELDS}
    result = None
    if name:
        if len(name) > 500:
            return _error(422, "A name is at most 500 characters long.")
        try:
            details = query_details(**{field: [v for v in value.split(";") if v.strip()]
                                       for field, value in given.items() if value})
        except DetailError as error:
            return _error(422, f"The {error.field.replace('_', ' ')} could not be read: "
                               f"{error.reason}")
        db = session()
        screening = screen_and_record([ScreeningRequest(name, None, kind, details)],
                                      _options(), session=db, loaded=current_index())
        db.commit()
        result = reviewed(screening.results[0].to_dict(), screening.decisions)
    return render_template("console/screen.html", name=name, kind=kind, kinds=SCREEN_KINDS,
                           given=given, result=result, threshold=DEFAULT_THRESHOLD,
                           back=request.full_path)


@blueprint.post("/reviews")
@page("screen")
def review() -> Any:
    form = ReviewForm()
    if not form.validate():
        return _error(422, "The review could not be recorded.",
                      [f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
    caller = current_caller()
    db = session()
    record(ReviewInput(form.name.data, form.list.data, form.list_key.data, form.decision.data,
                       form.note.data or None),
           session=db, actor=caller.actor if caller else "anonymous")
    db.commit()
    return redirect(_back(form.back.data, url_for("console.reviews")))


@blueprint.get("/reviews")
@page("screen")
def reviews() -> str:
    found = list_reviews(session=session(), limit=200)
    return render_template("console/reviews.html", reviews=found)


@blueprint.post("/reviews/<int:review_id>/withdraw")
@page("screen")
def withdraw_review(review_id: int) -> Any:
    caller = current_caller()
    db = session()
    withdraw(review_id, session=db, actor=caller.actor if caller else "anonymous")
    db.commit()
    return redirect(url_for("console.reviews"))


# --- batch jobs ------------------------------------------------------------------------------


@blueprint.get("/jobs")
@page("screen")
def jobs() -> str:
    return render_template("console/jobs.html", jobs=store.recent_jobs(session=session()))


@blueprint.post("/jobs")
@page("screen")
def submit() -> Any:
    form = JobForm()
    if not form.validate():
        return _error(422, "Choose a CSV file with a 'name' column to upload.")
    upload = form.file.data
    db = session()
    job = submit_job(store.requests_from_csv(upload.stream, source=upload.filename or "file"),
                     _options(limit=5), session=db, loaded=current_index(),
                     chunk_size=settings().job_chunk_size, max_names=settings().job_max_names)
    db.commit()
    dispatch(current_app._get_current_object(), job)  # type: ignore[attr-defined]
    return redirect(url_for("console.job", job_id=job.id))


def _job_hits(job_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Gives the job's state and its hits so far (each with its review in force)."""
    db = session()
    found = store.get_job(job_id, session=db)
    decided = reviews_for(None, session=db)
    hits: list[dict[str, Any]] = []
    for request_, matches in store.hits_so_far(found, session=db, limit=HITS_SHOWN):
        result = reviewed(store.result_json(request_, matches), decided)
        hits.extend({**m, "screened": result["name"], "id": result["id"],
                     "screen_url": url_for("console.screen", name=result["name"])}
                    for m in result["matches"])
    return JobOut().dump(found), hits


@blueprint.get("/jobs/<job_id>")
@page("screen")
def job(job_id: str) -> str:
    state, hits = _job_hits(job_id)
    return render_template("console/job.html", job=state, hits=hits)


@blueprint.get("/jobs/<job_id>/progress")
@page("screen")
def job_progress(job_id: str) -> dict[str, Any]:
    # The job page's script follows the bar and the hits table with this.
    state, hits = _job_hits(job_id)
    return {**{k: state[k] for k in ("status", "done", "total", "hits", "error")},
            "found": [{k: h[k] for k in ("screened", "screen_url", "matched_name", "list",
                                         "list_key", "score")}
                      | {"review": h["review"]["decision"] if h["review"] else None}
                      for h in hits]}


@blueprint.get("/jobs/<job_id>/results.<fmt>")
@page("screen")
def job_results(job_id: str, fmt: str) -> Response:
    if fmt not in ("csv", "json"):
        return Response("Results come as .csv or .json.", status=404, mimetype="text/plain")
    job_ = store.finished_job(job_id, session=session())
    return results_response(job_, fmt, only_hits=request.args.get("only") == "hits")


# --- monitoring ------------------------------------------------------------------------------


@blueprint.get("/watchlists")
@page("screen")
def watchlists() -> str:
    db = session()
    items = WatchlistOut(many=True).dump(
        [watchlist_view(w, session=db) for w in list_watchlists(session=db)])
    return render_template("console/watchlists.html", watchlists=items)


@blueprint.get("/watchlists/<watchlist_id>")
@page("screen")
def watchlist(watchlist_id: str) -> str:
    db = session()
    body = WatchlistDetailOut().dump(
        watchlist_view(get_watchlist(watchlist_id, session=db), session=db))
    return render_template("console/watchlist.html", watchlist=body)


@blueprint.get("/alerts")
@page("screen")
def alerts() -> str:
    db = session()
    found = list_alerts(session=db, limit=300, newest_first=True)
    decided = reviews_for([a.name for a in found], session=db)
    items = [(a, review_brief(review_of(decided, a.name, a.list_id, a.list_key)))
             for a in found]
    return render_template("console/alerts.html", alerts=items, back=request.full_path)
