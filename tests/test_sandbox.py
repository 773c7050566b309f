"""The sandbox Lessonspace server, spoken to over real loopback HTTP."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from lsdesk.sandbox import DEMO_KEY, SandboxServer

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


@pytest.fixture
def api(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.api_url, timeout=5) as client:
        yield client


@pytest.fixture
def site(server: SandboxServer) -> Iterator[httpx.Client]:
    """A client for the server's root: the developer page and the /sandbox/ controls."""
    with httpx.Client(base_url=server.base_url, timeout=5) as client:
        yield client


def organisation_auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Organisation {key}"}


DEMO_AUTH = organisation_auth(DEMO_KEY)


# -- the API as Lessonspace answers it --------------------------------------------


def test_demo_key_gets_hello_with_a_string_response(api: httpx.Client) -> None:
    response = api.get("hello/", headers=DEMO_AUTH)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"response": "Hello, Demo Tutoring Co!"}


def test_my_organisation_gives_the_demo_id_and_name(api: httpx.Client) -> None:
    response = api.get("my-organisation/", headers=DEMO_AUTH)

    assert response.status_code == 200
    assert response.json()["id"] == 4242
    assert response.json()["name"] == "Demo Tutoring Co"


def test_a_second_organisation_gets_its_own_name(server: SandboxServer, api: httpx.Client) -> None:
    server.add_organisation(5151, "Other Academy")
    key = server.generate_key(organisation_id=5151)

    assert api.get("hello/", headers=organisation_auth(key)).json() == {"response": "Hello, Other Academy!"}
    assert api.get("my-organisation/", headers=organisation_auth(key)).json()["id"] == 5151


def test_missing_authorization_is_401_credentials_not_provided(api: httpx.Client) -> None:
    response = api.get("hello/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response.headers["www-authenticate"] == "Organisation"


def test_bearer_scheme_is_401_as_if_no_credentials_came(api: httpx.Client) -> None:
    response = api.get("hello/", headers={"Authorization": f"Bearer {DEMO_KEY}"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_unknown_key_is_401_invalid_token(api: httpx.Client) -> None:
    response = api.get("hello/", headers=organisation_auth("11111111-2222-4333-8444-555555555555"))

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert response.headers["www-authenticate"] == "Organisation"


def test_revoked_key_is_401_invalid_token(server: SandboxServer, api: httpx.Client) -> None:
    server.revoke_key(DEMO_KEY)

    response = api.get("hello/", headers=DEMO_AUTH)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_disabled_key_is_403_no_permission(server: SandboxServer, api: httpx.Client) -> None:
    server.disable_key(DEMO_KEY)

    response = api.get("my-organisation/", headers=DEMO_AUTH)

    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}


def test_key_added_by_a_test_is_accepted(server: SandboxServer, api: httpx.Client) -> None:
    server.add_key("test-chosen-key")

    assert api.get("hello/", headers=organisation_auth("test-chosen-key")).status_code == 200


def test_path_without_trailing_slash_redirects_301_to_the_slash_version(api: httpx.Client) -> None:
    response = api.get("hello", headers=DEMO_AUTH)

    assert response.status_code == 301
    assert response.headers["location"] == "/v2/hello/"


def test_unknown_path_is_404_not_found(api: httpx.Client) -> None:
    response = api.get("lessons/", headers=DEMO_AUTH)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_post_to_hello_is_405_method_not_allowed(api: httpx.Client) -> None:
    response = api.post("hello/", headers=DEMO_AUTH, json={"a": 1})

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


def test_keep_alive_connection_serves_many_requests(api: httpx.Client) -> None:
    statuses = {api.get("hello/", headers=DEMO_AUTH).status_code for _ in range(20)}

    assert statuses == {200}


def test_request_log_records_method_path_and_whether_auth_came(server: SandboxServer, api: httpx.Client) -> None:
    api.get("hello/", headers=DEMO_AUTH)
    api.get("my-organisation/")

    assert server.request_log == [("GET", "/v2/hello/", True), ("GET", "/v2/my-organisation/", False)]
    assert server.request_count == 2


# -- keys -------------------------------------------------------------------------


def test_generate_key_gives_a_new_uuid_key_and_keeps_the_old_one(server: SandboxServer, api: httpx.Client) -> None:
    key = server.generate_key()

    assert UUID4.fullmatch(key)
    assert key != DEMO_KEY
    assert api.get("hello/", headers=organisation_auth(key)).status_code == 200
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200


def test_generate_key_with_revoke_previous_makes_old_keys_401(server: SandboxServer, api: httpx.Client) -> None:
    older = server.generate_key()
    key = server.generate_key(revoke_previous=True)

    assert api.get("hello/", headers=organisation_auth(key)).status_code == 200
    assert api.get("hello/", headers=organisation_auth(older)).status_code == 401
    assert api.get("hello/", headers=DEMO_AUTH).json() == {"detail": "Invalid token."}


def test_revoke_previous_leaves_other_organisations_keys_working(server: SandboxServer, api: httpx.Client) -> None:
    server.add_organisation(5151, "Other Academy")
    other = server.generate_key(organisation_id=5151)

    server.generate_key(revoke_previous=True)

    assert api.get("hello/", headers=organisation_auth(other)).status_code == 200


def test_generate_key_for_an_unknown_organisation_is_refused(server: SandboxServer) -> None:
    with pytest.raises(ValueError, match="No organisation with id 9999"):
        server.generate_key(organisation_id=9999)


# -- faults -----------------------------------------------------------------------


def test_delay_fault_holds_the_answer_back(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.delay = 0.05
    started = time.monotonic()

    response = api.get("hello/", headers=DEMO_AUTH)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.05


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (429, "Request was throttled. Expected available in 1 second."),
        (500, "A server error occurred."),
        (502, "Bad Gateway."),
        (503, "Service temporarily unavailable, try again later."),
        (418, "I'm a Teapot."),
    ],
)
def test_status_fault_answers_every_api_request_with_that_status(
    server: SandboxServer, api: httpx.Client, status: int, detail: str
) -> None:
    server.faults.status = status

    for path in ("hello/", "my-organisation/"):
        response = api.get(path, headers=DEMO_AUTH)
        assert response.status_code == status
        assert response.json() == {"detail": detail}


def test_forced_429_without_retry_after_sends_no_retry_after(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.status = 429

    assert "retry-after" not in api.get("hello/", headers=DEMO_AUTH).headers


def test_retry_after_fault_is_sent_with_a_forced_429(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.status = 429
    server.faults.retry_after = "7"

    assert api.get("hello/", headers=DEMO_AUTH).headers["retry-after"] == "7"


def test_html_page_fault_answers_200_text_html(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.html_page = True

    response = api.get("hello/", headers=DEMO_AUTH)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def test_drop_connection_fault_closes_without_a_response(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.drop_connection = True

    with pytest.raises(httpx.RemoteProtocolError):
        api.get("hello/", headers=DEMO_AUTH)


def test_wrong_shape_fault_gives_valid_json_of_the_wrong_shape(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.wrong_shape = True

    hello = api.get("hello/", headers=DEMO_AUTH)
    organisation = api.get("my-organisation/", headers=DEMO_AUTH)

    assert (hello.status_code, hello.headers["content-type"]) == (200, "application/json")
    assert hello.json() == ["not", "an", "object"]
    assert organisation.json() == {"id": "not-a-number"}


def test_not_json_fault_gives_a_truncated_json_body(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.not_json = True

    response = api.get("hello/", headers=DEMO_AUTH)

    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_redirect_fault_answers_302_to_the_given_location(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.redirect_to = "https://login.example.net/portal"

    response = api.get("hello/", headers=DEMO_AUTH)

    assert response.status_code == 302
    assert response.headers["location"] == "https://login.example.net/portal"


def test_organisation_status_fault_breaks_my_organisation_only(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.organisation_status = 500

    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200
    response = api.get("my-organisation/", headers=DEMO_AUTH)
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


def test_huge_body_fault_sends_valid_json_of_exactly_that_size(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.huge_body_bytes = 3_000_000

    response = api.get("hello/", headers=DEMO_AUTH)

    assert response.status_code == 200
    assert len(response.content) == 3_000_000
    assert response.json()["response"] == "Hello, Demo Tutoring Co!"


def test_client_hanging_up_on_a_huge_body_leaves_the_server_serving(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.huge_body_bytes = 50_000_000
    with api.stream("GET", "hello/", headers=DEMO_AUTH) as response:
        next(response.iter_bytes())
    server.faults.reset()

    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200


def test_rate_limit_answers_429_with_retry_after_beyond_the_limit(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.rate_limit_per_second = 2
    other_key = server.generate_key()

    statuses = [api.get("hello/", headers=DEMO_AUTH).status_code for _ in range(3)]
    throttled = api.get("hello/", headers=DEMO_AUTH)

    assert statuses == [200, 200, 429]
    assert throttled.json() == {"detail": "Request was throttled. Expected available in 1 second."}
    assert throttled.headers["retry-after"] == "1"
    assert api.get("hello/", headers=organisation_auth(other_key)).status_code == 200


def test_reset_turns_every_fault_off(server: SandboxServer, api: httpx.Client) -> None:
    server.faults.status = 503
    server.faults.html_page = True

    server.faults.reset()

    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200


def test_faults_leave_the_developer_page_alone(server: SandboxServer, site: httpx.Client) -> None:
    server.faults.status = 503

    assert site.get("settings/developer/").status_code == 200


# -- control endpoints, for a sandbox in another process ----------------------------


def test_control_get_faults_reports_current_faults(server: SandboxServer, site: httpx.Client) -> None:
    server.faults.delay = 0.25

    faults = site.get("sandbox/faults").json()

    assert faults["delay"] == 0.25
    assert faults["status"] is None


def test_control_post_faults_sets_the_given_faults(
    server: SandboxServer, site: httpx.Client, api: httpx.Client
) -> None:
    response = site.post("sandbox/faults", json={"status": 503, "retry_after": "30", "delay": 0})

    assert response.status_code == 200
    assert response.json()["status"] == 503
    assert (server.faults.status, server.faults.retry_after) == (503, "30")
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 503


@pytest.mark.parametrize(
    "body",
    [{"no_such_fault": True}, {"status": "503"}, {"html_page": 1}, {"status": True}, ["status"]],
)
def test_control_post_faults_refuses_unknown_names_and_wrong_types(
    server: SandboxServer, site: httpx.Client, body: object
) -> None:
    response = site.post("sandbox/faults", json=body)

    assert response.status_code == 400
    assert "detail" in response.json()
    assert server.faults.status is None
    assert server.faults.html_page is False


def test_control_reset_turns_faults_off(server: SandboxServer, site: httpx.Client) -> None:
    server.faults.drop_connection = True

    response = site.post("sandbox/reset")

    assert response.status_code == 200
    assert server.faults.drop_connection is False


def test_control_keys_makes_a_working_key(site: httpx.Client, api: httpx.Client) -> None:
    key = site.post("sandbox/keys", json={"revoke_previous": False}).json()["key"]

    assert UUID4.fullmatch(key)
    assert api.get("hello/", headers=organisation_auth(key)).status_code == 200
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200


def test_control_keys_with_revoke_previous_revokes_the_demo_key(site: httpx.Client, api: httpx.Client) -> None:
    key = site.post("sandbox/keys", json={"revoke_previous": True}).json()["key"]

    assert api.get("hello/", headers=organisation_auth(key)).status_code == 200
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 401


def test_control_endpoints_refuse_wrong_methods(site: httpx.Client) -> None:
    assert site.get("sandbox/reset").status_code == 405
    assert site.delete("sandbox/faults").status_code == 405


# -- developer settings page ------------------------------------------------------


def test_root_redirects_to_the_developer_page(site: httpx.Client) -> None:
    response = site.get("/")

    assert response.status_code == 302
    assert response.headers["location"] == "/settings/developer/"


def test_developer_page_offers_the_generate_button_and_an_unchecked_revoke_box(
    server: SandboxServer, site: httpx.Client
) -> None:
    response = site.get(server.developer_url)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>Lessonspace sandbox: Developer settings</title>" in response.text
    assert "Generate new API key" in response.text
    assert "Revoke the previous key at once" in response.text
    assert re.search(r'<input type="checkbox" name="revoke_previous">', response.text)
    assert "sandbox" in response.text
    assert not re.search(r"https?://|src=|<script", response.text)  # self-contained


def test_developer_page_post_shows_a_new_working_uuid_key(
    server: SandboxServer, site: httpx.Client, api: httpx.Client
) -> None:
    response = site.post(server.developer_url, data={})

    shown = re.search(r'<input id="new-api-key" type="text" readonly value="([^"]+)"', response.text)
    assert shown is not None
    assert UUID4.fullmatch(shown[1])
    assert "paste it into lsdesk" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert api.get("hello/", headers=organisation_auth(shown[1])).status_code == 200
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200


def test_developer_page_post_with_revoke_box_revokes_the_previous_key(
    server: SandboxServer, site: httpx.Client, api: httpx.Client
) -> None:
    response = site.post(server.developer_url, data={"revoke_previous": "on"})

    assert UUID4.search(response.text)
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 401


def test_developer_page_escapes_the_organisation_name(server: SandboxServer, site: httpx.Client) -> None:
    server.add_organisation(4242, "Tom & Jerry <Tutors>")

    page = site.get(server.developer_url).text

    assert "Tom &amp; Jerry &lt;Tutors&gt;" in page
    assert "<Tutors>" not in page


# -- stopping and logging ------------------------------------------------------------


def test_stop_returns_promptly_while_a_request_waits_in_a_long_delay() -> None:
    server = SandboxServer().start()
    server.faults.delay = 30
    failures: list[Exception] = []

    def call_hello() -> None:
        with httpx.Client(timeout=10) as client:
            try:
                client.get(server.api_url + "hello/", headers=DEMO_AUTH)
            except httpx.HTTPError as error:
                failures.append(error)

    caller = threading.Thread(target=call_hello)
    caller.start()
    deadline = time.monotonic() + 5
    while server.request_count == 0 and time.monotonic() < deadline:
        time.sleep(0.005)

    server.stop()  # returns with the caller's request cut off, not after the 30 s delay

    caller.join(timeout=10)  # a hang guard only: the delay (30 s) is far longer
    assert not caller.is_alive()
    assert len(failures) == 1  # the request was dropped, not answered after its delay


def test_stop_cuts_a_pooled_keep_alive_connection(api: httpx.Client, server: SandboxServer) -> None:
    assert api.get("hello/", headers=DEMO_AUTH).status_code == 200

    server.stop()

    with pytest.raises(httpx.TransportError):
        api.get("hello/", headers=DEMO_AUTH)


def test_only_loopback_hosts_are_served() -> None:
    with pytest.raises(ValueError, match="only serves on this computer"):
        SandboxServer(host="0.0.0.0")


def test_keys_never_appear_in_logs(
    server: SandboxServer, api: httpx.Client, site: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lsdesk.sandbox")
    generated = server.generate_key()
    page = site.post(server.developer_url, data={"revoke_previous": "on"}).text
    from_page = UUID4.search(page)
    from_control = site.post("sandbox/keys", json={}).json()["key"]

    for key in (DEMO_KEY, generated, from_control, "11111111-2222-4333-8444-555555555555"):
        api.get("hello/", headers=organisation_auth(key))
        api.get("hello", headers=organisation_auth(key))
    server.faults.drop_connection = True
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("hello/", headers=DEMO_AUTH)

    assert from_page is not None
    assert "GET /v2/hello/ -> 200" in caplog.text
    for key in (DEMO_KEY, generated, from_page[0], from_control):
        assert key not in caplog.text
        assert key[-12:] not in caplog.text
    assert "Organisation " not in caplog.text
