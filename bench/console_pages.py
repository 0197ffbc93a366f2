"""Times each console page on the bundled data (`make run`'s: the seeds and the real OFAC SDN
snapshot), in process, signed in with the admin token.

    python bench/console_pages.py [--repeat 5]

Prints each page's median and worst time over the repeats, after one warm-up request (which
builds the screening index). The console aims at under 200 ms a page.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from service import migrate
from service.app import create_app
from service.config import SEEDS_DIR, Settings
from service.db import make_engine
from service.jobs.store import requests_from_json
from service.usecases.screening import ScreeningOptions, submit_job
from service.usecases.seed import seed
from service.web import current_index

TOKEN = "bench-admin-token"
PAGES = [
    "/ui/search?q=kataib",
    "/ui/search?q=al",
    "/ui/entities/kataib-hezbollah",
    "/ui/entities/qassem-soleimani",
    "/ui/screen?name=Qassem+Suleimani&kind=person",
    "/ui/screen?name=Kataib+Hezbollah",
    "/ui/jobs",
    "/ui/jobs/{job}",
    "/ui/alerts",
    "/ui/watchlists",
    "/ui/reviews",
    "/ui/lists",
    "/ui/lists/us_ofac_sdn",
    "/ui/lists/us_ofac_sdn/entries/10481",
    "/ui/documents",
    "/ui/documents/doc-2014-09-06-us-iran-alliance",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xref-console-bench-"))
    url = f"sqlite:///{folder / 'xref.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        seed(SEEDS_DIR, session=db, import_lists=True)
        db.commit()
    engine.dispose()
    app = create_app(Settings(database_url=url, admin_token=TOKEN, rate_limit=""))
    app.config["TESTING"] = True  # no job runner: the job below stays queued, its page renders
    client = app.test_client()
    page = client.get("/ui/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    client.post("/ui/login", data={"key": TOKEN, "csrf_token": token.group(1)})
    with app.test_request_context():
        from service.web import session

        job = submit_job(requests_from_json([{"name": "Qassem Suleimani"}] * 100),
                         ScreeningOptions(actor="bench", store_names=True),
                         session=session(), loaded=current_index(), chunk_size=50,
                         max_names=1000)
        session().commit()
    print(f"{'page':55} {'median ms':>10} {'worst ms':>9}")
    slow = 0
    for path in PAGES:
        target = path.format(job=job.id)
        assert client.get(target).status_code == 200, target
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(target)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, target
        median = statistics.median(times)
        slow += median >= 200
        print(f"{target:55} {median:10.1f} {max(times):9.1f}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
