"""The `xref` command line: database, seeds, server, and (as they arrive) lists and screening."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from service.config import INSTANCE_DIR, SEEDS_DIR, Settings
from service.errors import ServiceError
from service.terms import MAX_LIMIT, SCREEN_KINDS

if TYPE_CHECKING:
    from service.usecases.lists import RegistryCheck, VersionReaction


def _settings() -> Settings:
    settings = Settings.from_env()
    if settings.database_url.startswith("sqlite:///"):
        # The embedded database lives in a folder that may not exist yet on a fresh clone.
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True)
    return settings


def _share_metrics(settings: Settings) -> None:
    """Turns on prometheus_client's multiprocess mode for this process and its children.

    Must run before anything loads prometheus_client: it picks the way samples are stored
    when it is imported. Every gunicorn worker and every `xref worker` of the machine then
    writes to the same folder, and any worker's /metrics adds them all up.
    """
    folder = Path(settings.metrics_dir) if settings.metrics_dir else INSTANCE_DIR / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    # Files of processes no longer running go; those of live ones (a worker already running
    # on the machine) stay and keep counting. Files are named <kind>_<pid>.db.
    for path in folder.glob("*_*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit() and not _running(int(pid)):
            path.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@click.group()
def main() -> None:
    """Designation cross-reference service."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from service import migrate

    migrate.upgrade(_settings().database_url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    from service import migrate

    migrate.downgrade(_settings().database_url, revision)
    click.echo(f"database at {revision}")


@main.command()
@click.option("--skip-lists", is_flag=True, help="Do not import the bundled list snapshots.")
def seed(skip_lists: bool) -> None:
    """Load the seed documents, entities, passages and list snapshots (idempotent)."""
    from service.db import make_engine, session_scope
    from service.usecases.seed import seed as seed_all

    engine = make_engine(_settings().database_url)
    with session_scope(engine) as session:
        outcome = seed_all(SEEDS_DIR, session=session, import_lists=not skip_lists)
        session.commit()
    click.echo("seeded: " + (", ".join(f"{k}={v}" for k, v in sorted(outcome.registry.items()))
                             or "nothing changed"))
    for imported in outcome.snapshots:
        click.echo(f"{imported.list_id}: snapshot imported as version "
                   f"{imported.version.id} ({imported.version.entry_count} entries)")
    _echo_check(outcome.check)
    click.echo("documents cross-referenced against the lists: "
               + (", ".join(f"{k}={v}" for k, v in sorted(outcome.documents.items()))
                  or "nothing changed"))


def _echo_check(check: RegistryCheck) -> None:
    click.echo(check.summary())
    for link in check.bridges.created:
        click.echo(f"  {link.entity_id} = {link.list_id}:{link.list_key} "
                   f"(via {link.via_list_id}:{link.via_list_key}, {link.via_identifier})")
    for suggestions in check.suggestions:
        for link in suggestions.created:
            click.echo(f"  {link.entity_id} ~ {link.list_id}:{link.list_key} "
                       f"{link.matched_name} ({link.score}), to review")


@main.group("links")
def links_group() -> None:
    """Links between registry entities and list entries."""


@links_group.command("check")
def links_check() -> None:
    """Follow identifier bridges and match the registry against every active list version."""
    from service.db import session_scope
    from service.usecases.lists import check_registry_against_active

    with session_scope(_engine()) as session:
        check = check_registry_against_active(session=session)
        session.commit()
    _echo_check(check)


@main.command()
def serve() -> None:
    """Serve the API with gunicorn on XREF_HOST:XREF_PORT with XREF_WORKERS workers."""
    settings = _settings()
    _share_metrics(settings)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    argv = [
        gunicorn,
        "--bind", f"{settings.host}:{settings.port}",
        "--workers", str(settings.workers),
        # No gunicorn access log: it would print full URLs, screened names included; the
        # service's own JSON request log (service/request_log.py) takes its place.
        # Each worker starts its job runner at boot, so a restart resumes unfinished jobs.
        "--config", "python:service.jobs.gunicorn_hooks",
        "service.app:create_app()",
    ]
    if settings.database_url.startswith("sqlite"):
        from service.db import SQLITE_BUSY_SECONDS

        # A request waiting on SQLite's write lock (an import of a large list holds it for
        # minutes) is not a stuck worker: gunicorn's 30 s would kill it and lose the request.
        argv[1:1] = ["--timeout", str(SQLITE_BUSY_SECONDS + 30)]
    if not settings.session_key:
        # One key for every worker, or a console session signed by one worker would be
        # refused by the next; made here, it lasts until the server restarts.
        os.environ["XREF_SESSION_KEY"] = secrets.token_hex(32)
    _prepare_index()
    click.echo(f"serving on http://{settings.host}:{settings.port}", err=True)
    os.execv(gunicorn, argv)


def _prepare_index() -> None:
    """Builds the machine's index file of the active versions if it is missing, before the
    workers start: they then only map it, and the memory the build took goes with this
    process image (replaced by gunicorn's). A database not ready yet is left to the workers."""
    from sqlalchemy.exc import SQLAlchemyError

    from service.db import session_scope
    from service.screening.catalog import build_index

    started = time.perf_counter()
    try:
        with session_scope(_engine()) as session:
            loaded = build_index(session)
    except SQLAlchemyError as error:
        click.echo(f"index not prepared ({type(error).__name__}); the workers will build it",
                   err=True)
        return
    click.echo(f"index ready: {len(loaded.index):,} names in "
               f"{time.perf_counter() - started:.1f} s", err=True)


@main.group("index")
def index_group() -> None:
    """The machine's screening index files (one per set of active list versions)."""


@index_group.command("build")
def index_build() -> None:
    """Build (or map, when it exists) the index file of the active versions, and say where."""
    from service.db import session_scope
    from service.matching.index import saved_size
    from service.screening.catalog import build_index

    started = time.perf_counter()
    with session_scope(_engine()) as session:
        loaded = build_index(session)
    assert loaded.shared is not None
    size = saved_size(loaded.shared.folder)
    names = len(loaded.shared.index)
    click.echo(f"{loaded.shared.folder}: {names:,} list names, {size / 1e6:.1f} MB "
               f"({size / max(names, 1):.0f} bytes a name), ready in "
               f"{time.perf_counter() - started:.1f} s")


@index_group.command("prune")
def index_prune() -> None:
    """Remove the index files no process of this machine maps."""
    from service.db import session_scope
    from service.screening.catalog import build_index, index_directory
    from service.screening.shared_index import remove_unused

    with session_scope(_engine()) as session:
        directory = index_directory(session)
        active = build_index(session).shared
    # The active versions' folder stays, so that the next process to start maps it at once.
    removed = remove_unused(directory, keep={active.key} if active else (), grace_seconds=0)
    click.echo(f"removed {len(removed)} unused index folder(s) from {directory}")


@main.group("lists")
def lists_group() -> None:
    """Sanctions lists: import, refresh, versions and diffs."""


def _engine():
    from service.db import make_engine

    return make_engine(_settings().database_url)


@lists_group.command("import")
@click.argument("list_id", metavar="LIST")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_", help="Skip detection and read the files as this format.")
@click.option("--data-date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of the list's data when the files do not say.")
def lists_import(list_id: str, paths: tuple[Path, ...], format_: str | None,
                 data_date: datetime | None) -> None:
    """Import LIST from files or folders as a new active version (all or nothing)."""
    from service.db import session_scope
    from service.lists.entry import ListFormatError
    from service.usecases.lists import import_list_version

    try:
        # A list of a million entries takes minutes: the bar counts entries as they are
        # written, against the parser's expected count once it knows it.
        with _progress(None, f"import {list_id}", unit="entry") as bar, \
                session_scope(_engine()) as session:
            def advance(done: int, expected: int | None) -> None:
                if expected is not None and bar.total != expected:
                    bar.total = expected
                bar.update(done - bar.n)

            imported = import_list_version(list_id, list(paths), session=session,
                                           format=format_,
                                           data_date=data_date.date() if data_date else None,
                                           store_names=_settings().audit_store_names,
                                           progress=advance)
            session.commit()
    except ListFormatError as error:
        raise click.ClickException(f"import failed, active version unchanged: {error}") from error
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    outcome = imported.outcome
    version = outcome.version
    if not outcome.created:
        click.echo(f"{list_id}: content identical to active version {version.id}; "
                   "no new version")
        return
    skipped = ", ".join(f"{k}={v}" for k, v in sorted(version.skipped.items())) or "none"
    click.echo(f"{list_id}: version {version.id} active ({version.format}, data date "
               f"{version.data_date or 'unknown'}): {version.entry_count} entries, "
               f"{version.name_count} names, skipped {skipped}")
    if imported.reaction is not None:
        _echo_reaction(imported.reaction)


@lists_group.command("refresh")
@click.argument("list_ids", nargs=-1, metavar="[LIST]...")
def lists_refresh(list_ids: tuple[str, ...]) -> None:
    """Download LIST (default: every list) from its official URLs and import it."""
    from service.db import session_scope
    from service.lists.catalog import LISTS
    from service.usecases.lists import refresh_list_version

    settings = _settings()
    failed = False
    for list_id in list_ids or tuple(LISTS):
        try:
            with session_scope(_engine()) as session:
                outcome, reaction = refresh_list_version(list_id, session=session,
                                                         settings=settings)
                session.commit()
        except ServiceError as error:
            failed = True
            click.echo(f"{list_id}: refresh failed, active version unchanged: {error.message}",
                       err=True)
            continue
        version = outcome.version
        click.echo(f"{list_id}: {outcome.status}"
                   + (f" (version {version.id}, {version.entry_count} entries)"
                      if version else ""))
        if reaction is not None:
            _echo_reaction(reaction)
    if failed:
        sys.exit(1)


@lists_group.command("versions")
@click.argument("list_id", metavar="LIST")
def lists_versions(list_id: str) -> None:
    """Show every version of LIST, newest first."""
    from service.db import session_scope
    from service.lists.queries import list_versions

    with session_scope(_engine()) as session:
        history = list_versions(list_id, session=session)
        for version in history.versions:
            mark = "*" if version.id == history.active_id else " "
            click.echo(f"{mark} {version.id:>5}  {str(version.data_date or '-'):10}  "
                       f"{version.entry_count:>7} entries  {version.fetched_at.isoformat()}")


@lists_group.command("diff")
@click.argument("list_id", metavar="LIST")
@click.option("--from", "from_id", type=int, help="Older version (default: the one before).")
@click.option("--to", "to_id", type=int, help="Newer version (default: the active one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with added/removed/changed.")
def lists_diff(list_id: str, from_id: int | None, to_id: int | None, as_json: bool) -> None:
    """Show entries added, removed and changed between two versions of LIST."""
    from service.db import session_scope
    from service.lists.diff import diff_versions

    try:
        with session_scope(_engine()) as session:
            result = diff_versions(list_id, from_id, to_id, session=session)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    if as_json:
        from service.api.schemas import ListDiffOut

        click.echo(json.dumps(ListDiffOut().dump(result), indent=2))
        return
    click.echo(f"{list_id}: version {result.from_version.id} -> {result.to_version.id}: "
               f"+{len(result.added)} added, -{len(result.removed)} removed, "
               f"~{len(result.changed)} changed")
    for change in result.changed[:50]:
        click.echo(f"  ~ {change.key} {change.name}: {', '.join(change.fields)}")
    if len(result.changed) > 50:
        click.echo(f"  … and {len(result.changed) - 50} more (use --json)")


@main.command()
@click.argument("entity_ids", nargs=-1, metavar="[ENTITY_ID]...")
def enrich(entity_ids: tuple[str, ...]) -> None:
    """Look entities (default: all) up in the US CSL and OpenSanctions APIs, if keys are set."""
    from sqlmodel import col, select

    from service.db import session_scope
    from service.models import Entity
    from service.registry.enrich import configured_sources, enrich_entity

    settings = _settings()
    if not configured_sources(settings):
        click.echo("no look-up API key is configured (XREF_CSL_API_KEY, "
                   "XREF_OPENSANCTIONS_API_KEY): nothing to do")
        return
    with session_scope(_engine()) as session:
        ids = list(entity_ids) or list(session.exec(select(Entity.id).order_by(col(Entity.id))))
        for entity_id in ids:
            try:
                records = enrich_entity(entity_id, session=session, settings=settings)
            except ServiceError as error:
                raise click.ClickException(error.message) from error
            hits = sum(len(r.hits) for r in records)
            failed = sum(1 for r in records if r.error)
            click.echo(f"{entity_id}: {len(records)} look-ups, {hits} hits"
                       + (f", {failed} failed" if failed else ""))
            session.commit()


@main.group("keys")
def keys_group() -> None:
    """API keys: create (the key is shown once), list and revoke."""


@keys_group.command("create")
@click.option("--name", required=True, help="Who or what the key is for.")
@click.option("--scopes", required=True, help="Comma-separated, from: read, screen, admin.")
@click.option("--json", "as_json", is_flag=True, help="Print {id, name, scopes, key} as JSON.")
def keys_create(name: str, scopes: str, as_json: bool) -> None:
    """Create an API key and print it: only its hash is stored, so it is shown this once."""
    from service.db import session_scope
    from service.security.keys import create_key

    try:
        with session_scope(_engine()) as session:
            record, key = create_key(name, scopes.split(","), session=session)
            session.commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    if as_json:
        click.echo(json.dumps({"id": record.id, "name": record.name, "scopes": record.scopes,
                               "key": key}))
        return
    # The key alone on stdout, so that `KEY=$(xref keys create ...)` captures just it.
    click.echo(f"created key {record.id} '{record.name}' with scopes "
               f"{','.join(record.scopes)}; store it now, it is not shown again:", err=True)
    click.echo(key)


@keys_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the keys as JSON.")
def keys_list(as_json: bool) -> None:
    """Show every API key (never the key itself): scopes, last use, revocation."""
    from service.db import session_scope
    from service.security.keys import list_keys

    with session_scope(_engine()) as session:
        records = list_keys(session=session)
    if as_json:
        click.echo(json.dumps([
            {"id": r.id, "name": r.name, "scopes": r.scopes,
             "created_at": r.created_at.isoformat(),
             "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
             "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None}
            for r in records], indent=2))
        return
    for r in records:
        state = f"revoked {r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else "active"
        used = f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "never"
        click.echo(f"{r.id}  {r.name:<24}  {','.join(r.scopes):<17}  used {used:<16}  {state}")


@keys_group.command("revoke")
@click.argument("key_id", metavar="ID")
def keys_revoke(key_id: str) -> None:
    """Revoke the API key ID: requests carrying it get 401 from now on."""
    from service.db import session_scope
    from service.security.keys import revoke_key

    try:
        with session_scope(_engine()) as session:
            record = revoke_key(key_id, session=session)
            session.commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"revoked key {record.id} '{record.name}'")


def _progress(total: int | None, label: str, unit: str = "name"):
    """Gives a progress bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit=unit, file=sys.stderr,
                disable=not sys.stderr.isatty())


@main.command()
@click.argument("names", nargs=-1)
@click.option("--kind", type=click.Choice(SCREEN_KINDS))
@click.option("--pairs", "pairs_file", type=click.File("r", encoding="utf-8-sig"),
              help="CSV with name1,name2[,kind] columns: score every pair.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where --pairs writes its CSV (default: standard output).")
@click.option("--threshold", type=click.FloatRange(0, 1))
def compare(names: tuple[str, ...], kind: str | None, pairs_file, output,
            threshold: float | None) -> None:
    """Score NAME1 against NAME2, or every row of --pairs, with the explanation."""
    import csv

    from service.screening.csvio import safe_cell
    from service.screening.screen import compare_names

    if pairs_file is None:
        if len(names) != 2:
            raise click.UsageError("give two names, or --pairs FILE")
        result = compare_names(names[0], names[1], kind, threshold)
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    reader = csv.DictReader(pairs_file)
    if not {"name1", "name2"} <= set(reader.fieldnames or ()):
        raise click.ClickException("--pairs needs a header row with name1 and name2 columns")
    writer = csv.writer(output, lineterminator="\n")
    columns = [*(reader.fieldnames or ()), "score", "match"]
    writer.writerow(columns)
    with _progress(None, "compare") as bar:
        for row in reader:
            row_kind = (row.get("kind") or "").strip().lower() or kind
            result = compare_names(row["name1"], row["name2"], row_kind, threshold)
            row["score"] = f"{result['score']:.4f}"
            row["match"] = "true" if result["match"] else "false"
            writer.writerow([safe_cell(row.get(c, "")) for c in columns])
            bar.update(1)


@main.command()
@click.argument("input_file", metavar="IN.csv", type=click.File("r", encoding="utf-8-sig"))
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write the results CSV (default: standard output).")
@click.option("--list", "lists", multiple=True, help="Screen against this list only (repeat).")
@click.option("--threshold", type=click.FloatRange(0, 1))
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=3, show_default=True)
def screen(input_file, output, lists: tuple[str, ...], threshold: float | None,
           limit: int) -> None:
    """Screen every name of IN.csv (columns name, optional id and kind) against the lists."""
    from service.db import session_scope
    from service.matching.algorithm import MATCHER
    from service.screening.catalog import IndexHolder
    from service.screening.csvio import read_names, result_rows, write_rows
    from service.screening.screen import ScreeningResult
    from service.usecases.screening import ScreeningOptions, screen_and_record

    try:
        requests = list(read_names(input_file, source=input_file.name))
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo("loading the index of the active list versions…", err=True)
    engine = _engine()
    loaded = IndexHolder().current(engine)
    write_rows(output, [])
    options = ScreeningOptions(actor="cli", store_names=_settings().audit_store_names,
                               lists=list(lists) or None, threshold=threshold, limit=limit)
    with _progress(len(requests), "screen") as bar, session_scope(engine) as session:

        def write(results: list[ScreeningResult]) -> None:
            write_rows(output, (row for r in results for row in result_rows(r)), header=False)
            bar.update(len(results))

        try:
            screen_and_record(requests, options, session=session, loaded=loaded,
                              on_results=write)
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        session.commit()
    versions = ", ".join(f"{v.list_id} v{v.version}" for v in loaded.versions) or "none"
    click.echo(f"screened {len(requests)} names against {versions} "
               f"with matcher {MATCHER.NAME} v{MATCHER.VERSION}", err=True)


def _echo_reaction(reaction: VersionReaction) -> None:
    """Says what a new version set off, then delivers its alerts' webhooks (once each now;
    the job runner or a worker retries the failures)."""
    from service import monitoring
    from service.db import session_scope

    _echo_check(reaction.check)
    click.echo(f"documents' claims judged again: {reaction.claim_verdicts} verdicts changed "
               f"in {reaction.verdict_seconds:.1f} s")
    click.echo(f"watchlists re-screened: {len(reaction.alerts)} alerts "
               f"in {reaction.rescreen_seconds:.1f} s")
    if reaction.alerts:
        with session_scope(_engine()) as session:
            monitoring.deliver_due(session=session, settings=_settings())


@main.command()
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Screen batch-job chunks from the Redis queue (XREF_REDIS_URL), on any machine."""
    settings = _settings()
    if not settings.redis_url:
        raise click.ClickException("set XREF_REDIS_URL: workers take their chunks from Redis")
    _share_metrics(settings)
    from service.jobs.tasks import work

    if settings.metrics_port:
        from service.metrics import serve_machine_metrics

        # One per machine: the workers share their samples, so the first to bind serves all.
        if serve_machine_metrics(settings.host, settings.metrics_port):
            click.echo(f"metrics on http://{settings.host}:{settings.metrics_port}/", err=True)

    work(settings, burst=burst)


@main.group("jobs")
def jobs_group() -> None:
    """Batch screening jobs."""


@jobs_group.command("prune")
@click.option("--days", type=click.IntRange(min=1),
              help="Keep jobs stopped within this many days (default: XREF_JOB_RETENTION_DAYS).")
def jobs_prune(days: int | None) -> None:
    """Delete jobs (their names and results) stopped longer ago than the retention period."""
    from service.db import session_scope
    from service.jobs.store import prune_jobs

    settings = _settings()
    retention = days or settings.job_retention_days
    with session_scope(_engine()) as session:
        removed = prune_jobs(session=session, retention_days=retention)
        session.commit()
    click.echo(f"removed {removed} jobs stopped more than {retention} days ago; their audit "
               "records stay (XREF_AUDIT_RETENTION_DAYS)")


@main.group("secrets")
def secrets_group() -> None:
    """Keys of the secrets stored encrypted (webhook secrets)."""


@secrets_group.command("new-key")
def secrets_new_key() -> None:
    """Print a new Fernet key for XREF_SECRET_KEY."""
    from service.secretbox import new_key

    click.echo(new_key())


@secrets_group.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored secret with the first key of XREF_SECRET_KEY."""
    from service import monitoring
    from service.db import session_scope

    settings = _settings()
    try:
        with session_scope(_engine()) as session:
            count = monitoring.reseal_webhook_secrets(
                session=session, secret_key=settings.effective_secret_key)
            session.commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"re-encrypted {count} webhook secrets with the first key of XREF_SECRET_KEY")


@main.group("audit")
def audit_group() -> None:
    """The audit log of every screening."""


@audit_group.command("prune")
@click.option("--days", type=click.IntRange(min=1),
              help="Keep this many days (default: XREF_AUDIT_RETENTION_DAYS).")
def audit_prune(days: int | None) -> None:
    """Delete audit records older than the retention period."""
    from service import audit
    from service.db import session_scope

    settings = _settings()
    retention = days or settings.audit_retention_days
    with session_scope(_engine()) as session:
        removed = audit.prune(session=session, retention_days=retention)
        session.commit()
    click.echo(f"removed {removed} audit records older than {retention} days")


if __name__ == "__main__":
    main()
