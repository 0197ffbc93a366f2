"""What the contract fuzzer found, pinned as plain tests on both backends."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from service.jobs.execute import new_owner, run_next_chunk
from service.screening.catalog import IndexHolder
from tests.reliability.conftest import LIST, import_excerpt


def test_a_job_name_whose_kind_is_not_a_string_is_refused(client: FlaskClient,
                                                          admin_headers: dict[str, str]) -> None:
    # Was a 500: the kind was looked up in a set, and an object cannot be hashed.
    kinds: list[object] = [{}, ["person"]]
    for kind in kinds:
        response = client.post("/v1/jobs", headers=admin_headers,
                               json={"names": [{"name": "Qasem Soleimani", "kind": kind}]})
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["details"]["index"] == 0


def test_a_job_form_part_without_a_name_is_refused(client: FlaskClient,
                                                   admin_headers: dict[str, str]) -> None:
    # Was a 500: a nameless part has the name None, and the unknown names were sorted.
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"odd\"\r\n\r\ny\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"names.csv\"\r\n\r\nname\nQasem Soleimani\n\r\n--{boundary}--\r\n")
    response = client.post("/v1/jobs", headers=admin_headers, data=body.encode(),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]["unknown"] == ["", "odd"]


def test_a_version_number_beyond_any_id_is_refused(client: FlaskClient,
                                                   seeded_database_url: str) -> None:
    # Was a 500: SQLite cannot bind it (OverflowError), PostgreSQL's integer is out of range.
    import_excerpt(seeded_database_url, "sdn-2024-05")
    huge = str(2**63)
    for path, args in ((f"/v1/lists/{LIST}/entries", {"version": huge}),
                       (f"/v1/lists/{LIST}/entries/10481", {"version": huge}),
                       (f"/v1/lists/{LIST}/diff", {"from": huge}),
                       (f"/v1/lists/{LIST}/entries", {"version": str(2**31)})):
        response = client.get(path, query_string=args)
        assert response.status_code == 422, (path, args, response.get_json())
    assert client.get(f"/v1/lists/{LIST}/entries",
                      query_string={"version": str(2**31 - 1)}).status_code == 404


def test_entries_of_a_version_of_another_list_are_not_found(client: FlaskClient,
                                                            seeded_database_url: str) -> None:
    # Was a 200: an explicit version was used without checking whose it is, so the SDN's
    # entries came back labelled as the UN list's (and a missing version gave an empty page).
    sdn = import_excerpt(seeded_database_url, "sdn-2024-05")
    assert client.get(f"/v1/lists/{LIST}/entries/10481",
                      query_string={"version": sdn}).status_code == 200
    for path in ("/v1/lists/un_sc/entries", "/v1/lists/un_sc/entries/10481"):
        response = client.get(path, query_string={"version": sdn})
        assert response.status_code == 404, (path, response.get_json())
    assert client.get(f"/v1/lists/{LIST}/entries",
                      query_string={"version": sdn + 1}).status_code == 404


def test_streamed_exports_give_their_connection_back(client: FlaskClient,
                                                     admin_headers: dict[str, str],
                                                     seeded_database_url: str) -> None:
    # Each audit export leaked a pooled connection: its rows were read on the request's
    # session after the request's teardown had closed it. After 5 + 10 exports the pool was
    # dry and every request waited 30 s for a connection, then failed.
    import_excerpt(seeded_database_url, "sdn-2024-05")
    app = client.application
    engine = app.extensions["xref.engine"]
    job = client.post("/v1/jobs", headers=admin_headers,
                      json={"names": ["Qasem Soleimani", "Kata'ib Hizballah"]}).get_json()
    assert run_next_chunk(engine=engine, holder=IndexHolder(), settings=app.config["SETTINGS"],
                          owner=new_owner())
    streams = [("/v1/audit/export", {}), ("/v1/audit", {"format": "csv"}),
               (f"/v1/jobs/{job['id']}/results", {}),
               (f"/v1/jobs/{job['id']}/results", {"format": "json"})]
    for path, args in streams * 5:
        response = client.get(path, headers=admin_headers, query_string=args)
        assert response.status_code == 200, response.get_data()[:300]
        assert response.get_data()
        assert engine.pool.checkedout() == 0, path
    # A download the client drops half-way gives its connection back too.
    response = client.get("/v1/audit/export", headers=admin_headers, buffered=False)
    next(iter(response.response))
    response.close()
    assert engine.pool.checkedout() == 0
    assert b"Soleimani" in io.BytesIO(client.get(
        f"/v1/jobs/{job['id']}/results", headers=admin_headers).get_data()).read()
