//! Bad input is a precise 4xx with the JSON error body, never a 500.

use hearth_protocol::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{on_both, spawn_app, Backend, TestApp};

on_both!(
    bad_input_is_a_precise_4xx,
    out_of_range_numbers_are_bad_requests
);

async fn raw(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let r = app
        .send(
            app.http
                .post(format!("{}{path}", app.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await;
    (r.status, r.body)
}

async fn bad_input_is_a_precise_4xx(b: Backend) {
    let app = spawn_app(b).await;
    let json_type = "application/json";
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            paths::SIGN_IN,
            json_type,
            b"{\"email\":".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            paths::SIGN_IN,
            json_type,
            b"[]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            paths::SIGN_IN,
            json_type,
            br#"{"email":"a@example.org","password":"x","extra":1}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            paths::SIGN_IN,
            json_type,
            br#"{"email":5,"password":"x"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            paths::SIGN_IN_VERIFY,
            json_type,
            br#"{"attempt_id":"not-a-uuid","code":"1","device_id":"x","device_name":"y"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            paths::SIGN_IN,
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            paths::SIGN_IN,
            json_type,
            format!(
                r#"{{"email":"a@example.org","password":"{}"}}"#,
                "x".repeat(100_000)
            )
            .into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (path, ct, body, status, code) in cases {
        let preview = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let (s, b) = raw(&app, path, ct, body).await;
        assert_eq!(s, status, "{preview}: {b:?}");
        assert_eq!(b["code"], code, "{preview}");
        assert!(b["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    let r = app.get_as(&paths::user("not-a-uuid"), "hat_nothing").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "authentication comes first"
    );
    let r = app.post(paths::SIGN_IN_VERIFY, json!({"attempt_id": uuid::Uuid::now_v7(), "code": "123456", "device_id": uuid::Uuid::now_v7(), "device_name": ""})).await;
    assert_eq!(r.code(), "validation");
    let r = app.get_as("/api/v1/nothing-here", "x").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.get_as(paths::ME, "").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );

    // The colleague look-up: not JSON, unknown fields, a wrong type: precise 4xx.
    let lookup = [
        (&b"email=x"[..], "application/x-www-form-urlencoded"),
        (&br#"{"email": 5}"#[..], "application/json"),
        (
            &br#"{"email": "a@b.org", "extra": 1}"#[..],
            "application/json",
        ),
        (&b"{"[..], "application/json"),
    ];
    app.seed_demo().await;
    let token = app
        .sign_in(
            "alex.demoworker@example.org.uk",
            hearth_server::seed::DEMO_PASSWORD,
        )
        .await
        .tokens
        .access_token
        .expose()
        .to_owned();
    for (body, ct) in lookup {
        let r = app
            .send(
                app.http
                    .post(format!("{}{}", app.base, paths::USER_LOOKUP))
                    .bearer_auth(&token)
                    .header("content-type", ct)
                    .body(body.to_vec()),
            )
            .await;
        assert!(
            r.status.is_client_error() && r.status != StatusCode::UNAUTHORIZED,
            "lookup {:?}: {}",
            String::from_utf8_lossy(body),
            r.status
        );
    }

    let doc = app
        .send(app.http.get(format!("{}{}", app.base, paths::OPENAPI)))
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    for p in [
        paths::SIGN_IN,
        paths::SIGN_IN_VERIFY,
        paths::SIGN_IN_RESEND_CODE,
        paths::REFRESH,
        paths::SIGN_OUT,
        paths::REGISTER_PARTNER,
        paths::CONFIRM_EMAIL,
        paths::ACCEPT_INVITATION,
        paths::PASSWORD_RESET,
        paths::PASSWORD_RESET_COMPLETE,
        paths::ME,
        paths::ME_OUT_OF_OFFICE,
        paths::USERS,
        paths::USER,
        paths::USER_DISABLE,
        paths::USER_LOOKUP,
        paths::HEALTHZ,
        paths::READYZ,
    ] {
        assert!(
            doc.body["paths"].get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
}

/// Numbers beyond what the OpenAPI document says a field is (a 32-bit limit, a 64-bit
/// size) are bad requests, not clamped or taken as "too large".
async fn out_of_range_numbers_are_bad_requests(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app
        .sign_in(
            "alex.demoworker@example.org.uk",
            hearth_server::seed::DEMO_PASSWORD,
        )
        .await;
    let token = alex.tokens.access_token.expose();
    let r = app
        .get_as(&format!("{}?limit=2147483648", paths::SYNC_PULL), token)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.code(), "bad_request");
    let r = app
        .get_as(&format!("{}?limit=2147483647", paths::SYNC_PULL), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post_as(
            paths::UPLOADS,
            token,
            json!({"document_id": uuid::Uuid::now_v7(), "sha256": "00".repeat(32),
                   "size": 9_223_372_036_854_775_808_u64}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = app
        .post_as(
            paths::UPLOADS,
            token,
            json!({"document_id": uuid::Uuid::now_v7(), "sha256": "00".repeat(32),
                   "size": 16 * 1024 * 1024}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
}
