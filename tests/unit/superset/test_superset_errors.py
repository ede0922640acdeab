import json

import pytest

from superset_iac.superset.errors import ApiError, TransientWriteError, redact, server_message

SIP40_CSRF = {
    "errors": [
        {
            "message": "400 Bad Request: The CSRF token has expired.",
            "error_type": "GENERIC_BACKEND_ERROR",
            "level": "error",
            "extra": {
                "issue_codes": [
                    {
                        "code": 1011,
                        "message": "Issue 1011 - Superset encountered an unexpected error.",
                    }
                ]
            },
        }
    ]
}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (SIP40_CSRF, "The CSRF token has expired."),
        (
            {
                "errors": [
                    {"message": "Table x does not exist"},
                    {"message": "Database y is offline"},
                ]
            },
            "Table x does not exist; Database y is offline",
        ),
        ({"message": "Not found"}, "Not found"),
        (
            {"message": {"slice_name": ["Missing data for required field."]}},
            "slice_name: Missing data for required field.",
        ),
        (
            {
                "message": {
                    "clause": ["Missing data for required field."],
                    "tables": ["Missing data.", "Not a list."],
                }
            },
            "clause: Missing data for required field.; tables: Missing data.; tables: Not a list.",
        ),
        (
            {"message": {"columns": {"0": {"column_name": ["Field may not be null."]}}}},
            "columns.0.column_name: Field may not be null.",
        ),
        ({"message": ["first", "second"]}, "first; second"),
        ({"msg": "Token has expired"}, "Token has expired"),
        ({"message": "line one\n   line two"}, "line one line two"),
    ],
)
def test_server_message_shapes(payload, expected):
    assert server_message(json.dumps(payload).encode(), "application/json") == expected


def test_html_body_is_stripped_and_cut_to_200_chars():
    body = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 500 + "</body></html>"
    message = server_message(body.encode(), "text/html")
    assert message.startswith("502 Bad Gateway x")
    assert len(message) == 200
    assert "<" not in message


def test_plain_text_body():
    assert (
        server_message(b"upstream connect error\nreset", "text/plain")
        == "upstream connect error reset"
    )


def test_empty_body_falls_back_to_reason():
    assert server_message(b"", "", "Service Unavailable") == "Service Unavailable"
    assert server_message(b"", "") == "(empty response)"


def test_json_without_known_keys_is_shown_raw():
    assert server_message(b'{"detail": "odd"}', "application/json") == '{"detail": "odd"}'


def test_api_error_is_one_line():
    err = ApiError("POST", "/api/v1/chart/", 422, "slice_name: Missing data for required field.")
    assert str(err) == "POST /api/v1/chart/ → 422: slice_name: Missing data for required field."
    assert (err.method, err.path, err.status) == ("POST", "/api/v1/chart/", 422)


def test_api_error_flattens_newlines():
    err = ApiError("GET", "/x", 500, "Traceback:\n  boom\n")
    assert "\n" not in str(err)


def test_api_error_without_response():
    err = ApiError(
        "GET", "/api/v1/chart/", None, "cannot reach https://bi.example.com: connection refused"
    )
    assert (
        str(err)
        == "GET /api/v1/chart/ → no response: cannot reach https://bi.example.com: connection refused"
    )


def test_transient_write_error_is_an_api_error():
    err = TransientWriteError("POST", "/api/v1/dataset/", 504, "Gateway Timeout")
    assert isinstance(err, ApiError)
    assert err.may_have_landed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://app:s3cr3t@db:5432/lake", "postgresql://app:***@db:5432/lake"),
        ("trino://u:p%40ss@host:8080/hive", "trino://u:***@host:8080/hive"),
        (
            "bad uri 'mysql+pymysql://root:pw@h/db' given",
            "bad uri 'mysql+pymysql://root:***@h/db' given",
        ),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("http://host:8088/path", "http://host:8088/path"),
    ],
)
def test_redacts_uri_passwords(text, expected):
    assert redact(text) == expected


def test_redacts_known_secrets():
    assert redact("token abc.def.ghi rejected", ["abc.def.ghi", "", None]) == "token *** rejected"
