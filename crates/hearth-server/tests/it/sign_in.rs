//! Two-step sign-in with an injected clock.

use chrono::Duration;
use hearth_protocol::paths;
use hearth_server::seed::DEMO_PASSWORD;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend};

const ALEX: &str = "alex.demoworker@example.org.uk";
const PAT: &str = "pat.demosupport@example.org.uk";

on_both!(
    code_works_once,
    code_expires_after_ten_minutes,
    code_is_bound_to_its_attempt,
    new_code_replaces_the_old_one,
    eleventh_wrong_code_refused_even_if_right,
    eleventh_wrong_password_refused_even_if_right,
    unknown_email_and_wrong_password_look_the_same,
    disabled_user_is_signed_out_at_once,
    refresh_rotates_and_access_expires,
    replayed_refresh_token_ends_the_device_session,
    refresh_retried_after_a_lost_answer,
    refresh_retry_only_within_the_grace,
    same_refresh_token_twice_at_once,
    sign_out_ends_the_session,
);

async fn code_works_once(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let (attempt, code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    let device = Uuid::now_v7();
    let ok = app.verify(attempt, &code, device).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let token = ok.body["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("hat_"));
    let me = app.get_as(paths::ME, &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["account"]["email"], ALEX);

    let again = app.verify(attempt, &code, device).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "invalid_code");
}

async fn code_expires_after_ten_minutes(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let (attempt, code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    app.advance(Duration::minutes(10) + Duration::seconds(1));
    let late = app.verify(attempt, &code, Uuid::now_v7()).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert_eq!(late.code(), "code_expired");

    // Just inside the ten minutes still works.
    let (attempt, code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    app.advance(Duration::minutes(9) + Duration::seconds(59));
    let r = app.verify(attempt, &code, Uuid::now_v7()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn code_is_bound_to_its_attempt(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let (first, first_code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    let (second, second_code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    if first_code != second_code {
        let crossed = app.verify(second, &first_code, Uuid::now_v7()).await;
        assert_eq!(crossed.status, StatusCode::UNAUTHORIZED);
        assert_eq!(crossed.code(), "invalid_code");
    }
    // Another account's attempt does not take this code either.
    let (pats, _) = app.start_sign_in(PAT, DEMO_PASSWORD).await;
    let r = app.verify(pats, &first_code, Uuid::now_v7()).await;
    assert_eq!(r.code(), "invalid_code");
    let ok = app.verify(first, &first_code, Uuid::now_v7()).await;
    assert_eq!(ok.status, StatusCode::OK);
    let ok = app.verify(second, &second_code, Uuid::now_v7()).await;
    assert_eq!(ok.status, StatusCode::OK);
}

async fn new_code_replaces_the_old_one(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let (attempt, old) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    app.advance(Duration::minutes(8));
    let before = app.smtp.messages_to(ALEX).len();
    let r = app
        .post(paths::SIGN_IN_RESEND_CODE, json!({"attempt_id": attempt}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let new = crate::helpers::code_in(&app.smtp.nth_message(ALEX, before).await);
    if new != old {
        let r = app.verify(attempt, &old, Uuid::now_v7()).await;
        assert_eq!(r.code(), "invalid_code");
    }
    // The new code has its own ten minutes.
    app.advance(Duration::minutes(9));
    let r = app.verify(attempt, &new, Uuid::now_v7()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn eleventh_wrong_code_refused_even_if_right(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let (attempt, code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..10 {
        let r = app.verify(attempt, wrong, Uuid::now_v7()).await;
        assert_eq!(r.code(), "invalid_code");
    }
    let r = app.verify(attempt, &code, Uuid::now_v7()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.code(), "throttled");
    // Throttling is per account, in the database: the right password is refused too.
    let r = app
        .post(
            paths::SIGN_IN,
            json!({"email": ALEX, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.code(), "throttled");
    // Once the five minutes have moved on, the (still current) code works.
    app.advance(Duration::minutes(5) + Duration::seconds(1));
    let r = app.verify(attempt, &code, Uuid::now_v7()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn eleventh_wrong_password_refused_even_if_right(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    for _ in 0..10 {
        let r = app
            .post(
                paths::SIGN_IN,
                json!({"email": ALEX, "password": "not the password"}),
            )
            .await;
        assert_eq!(r.code(), "invalid_credentials");
    }
    let r = app
        .post(
            paths::SIGN_IN,
            json!({"email": ALEX, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Another account is not affected.
    app.start_sign_in(PAT, DEMO_PASSWORD).await;
    app.advance(Duration::minutes(5) + Duration::seconds(1));
    app.start_sign_in(ALEX, DEMO_PASSWORD).await;
}

async fn unknown_email_and_wrong_password_look_the_same(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut unknown_times = Vec::new();
    let mut wrong_times = Vec::new();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let unknown = app
            .post(
                paths::SIGN_IN,
                json!({"email": "nobody.here@example.org.uk", "password": "whatever it is 1"}),
            )
            .await;
        unknown_times.push(t.elapsed());
        let t = std::time::Instant::now();
        let wrong = app
            .post(
                paths::SIGN_IN,
                json!({"email": ALEX, "password": "whatever it is 1"}),
            )
            .await;
        wrong_times.push(t.elapsed());
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, wrong.status);
        assert_eq!(unknown.body, wrong.body);
    }
    unknown_times.sort();
    wrong_times.sort();
    // Both did the Argon2 work: the median unknown-email answer is not much quicker.
    assert!(
        unknown_times[1] * 3 >= wrong_times[1],
        "unknown {unknown_times:?} vs wrong {wrong_times:?}"
    );
    // The stored hash is Argon2id with the OWASP parameters.
    let hash = app
        .store
        .user_by_email(ALEX)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

async fn disabled_user_is_signed_out_at_once(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let pat = app.sign_in(PAT, DEMO_PASSWORD).await;
    let token = alex.tokens.access_token.expose();
    assert_eq!(app.get_as(paths::ME, token).await.status, StatusCode::OK);

    let r = app
        .post_as(
            &paths::user_disable(alex.account.id),
            pat.tokens.access_token.expose(),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    let r = app.get_as(paths::ME, token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "wipe_device");
    let r = app
        .post(
            paths::REFRESH,
            json!({"refresh_token": alex.tokens.refresh_token.expose()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "wipe_device");
    let r = app
        .post(
            paths::SIGN_IN,
            json!({"email": ALEX, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.code(), "invalid_credentials");
    // Business support is still signed in.
    let r = app
        .get_as(paths::ME, pat.tokens.access_token.expose())
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn refresh_rotates_and_access_expires(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    app.advance(Duration::minutes(15) + Duration::seconds(1));
    let r = app
        .get_as(paths::ME, alex.tokens.access_token.expose())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");

    let old_refresh = alex.tokens.refresh_token.expose();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old_refresh}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let access = r.body["access_token"].as_str().unwrap();
    assert_eq!(app.get_as(paths::ME, access).await.status, StatusCode::OK);
    // Once the new refresh token has been used, the old one is refused.
    let new_refresh = r.body["refresh_token"].as_str().unwrap();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": new_refresh}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old_refresh}))
        .await;
    assert_eq!(r.code(), "unauthenticated");
}

async fn sign_out_ends_the_session(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let other_device = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let token = alex.tokens.access_token.expose();
    let r = app.post_as(paths::SIGN_OUT, token, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(paths::ME, token).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Only that device's session ended.
    let r = app
        .get_as(paths::ME, other_device.tokens.access_token.expose())
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn replayed_refresh_token_ends_the_device_session(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let (attempt, code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    let device = Uuid::now_v7();
    let r = app.verify(attempt, &code, device).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let alex: hearth_protocol::auth::SignedIn = serde_json::from_value(r.body).unwrap();
    let elsewhere = app.sign_in(ALEX, DEMO_PASSWORD).await;

    let first = alex.tokens.refresh_token.expose();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": first}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let second = r.body["refresh_token"].as_str().unwrap().to_owned();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": second}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let access = r.body["access_token"].as_str().unwrap().to_owned();
    let third = r.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get_as(paths::ME, &access).await.status, StatusCode::OK);

    // The first token again (rotated away two steps ago): a copy is in use.
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": first}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");

    // Every token of that device's family is dead: the current access and refresh tokens.
    let r = app.get_as(paths::ME, &access).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": third}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");
    // Another device of the same person is not touched.
    let r = app
        .get_as(paths::ME, elsewhere.tokens.access_token.expose())
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // A token that was never issued is just refused: nothing is revoked or audited.
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": "hrt_never-issued"}))
        .await;
    assert_eq!(r.code(), "unauthenticated");

    let rows = app.audit_rows().await;
    let replays: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "auth.refresh" && r.outcome == "replayed")
        .collect();
    assert_eq!(replays.len(), 1, "{replays:?}");
    assert_eq!(replays[0].actor, Some(alex.account.id.to_string()));
    assert_eq!(replays[0].device, Some(device.to_string()));
    assert!(replays[0].target.is_some());
    assert!(rows.iter().all(|r| !format!("{r:?}").contains("alex")));
}

/// The server rotated the token but its answer never arrived: the client, still holding
/// the old token, asks again at once and is not signed out.
async fn refresh_retried_after_a_lost_answer(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let old = alex.tokens.refresh_token.expose().to_owned();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let lost = r.body["refresh_token"].as_str().unwrap().to_owned();
    let lost_access = r.body["access_token"].as_str().unwrap().to_owned();

    app.advance(Duration::seconds(30));
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let access = r.body["access_token"].as_str().unwrap().to_owned();
    let current = r.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(current, lost);
    assert_eq!(app.get_as(paths::ME, &access).await.status, StatusCode::OK);
    // The answer that was lost is dead: its access token no longer works.
    assert_eq!(
        app.get_as(paths::ME, &lost_access).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The session goes on as normal from the retried answer.
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": current}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let next_access = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_as(paths::ME, &next_access).await.status,
        StatusCode::OK
    );

    // The lost token was never delivered: presenting it is a copy, and signs the device out.
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": lost}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get_as(paths::ME, &next_access).await.status,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(refresh_outcomes(&app).await, ["retried", "replayed"]);
}

/// A retry is accepted only just after the swap, and only while the new token is unused.
async fn refresh_retry_only_within_the_grace(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;

    // Too late: two minutes and a second after the swap.
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let old = alex.tokens.refresh_token.expose().to_owned();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let newer = r.body["refresh_token"].as_str().unwrap().to_owned();
    app.advance(Duration::minutes(2) + Duration::seconds(1));
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": newer}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the device is signed out"
    );

    // In time, but the new token has been used: the old one is a copy.
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let old = alex.tokens.refresh_token.expose().to_owned();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old}))
        .await;
    let newer = r.body["refresh_token"].as_str().unwrap().to_owned();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": newer}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let current = r.body["refresh_token"].as_str().unwrap().to_owned();
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": old}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": current}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the device is signed out"
    );

    assert_eq!(refresh_outcomes(&app).await, ["replayed", "replayed"]);
}

/// The same token sent twice at the same moment (both may land in one group commit):
/// never a server error; the session survives, and exactly one of the two answers is the
/// session's token afterwards.
async fn same_refresh_token_twice_at_once(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app.sign_in(ALEX, DEMO_PASSWORD).await;
    let old = alex.tokens.refresh_token.expose().to_owned();
    let body = json!({"refresh_token": old});
    let (one, two) = tokio::join!(
        app.post(paths::REFRESH, body.clone()),
        app.post(paths::REFRESH, body.clone())
    );
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(two.status, StatusCode::OK, "{:?}", two.body);
    let answers = [one, two].map(|r| r.body["access_token"].as_str().unwrap().to_owned());
    let mut working = 0;
    for access in &answers {
        if app.get_as(paths::ME, access).await.status == StatusCode::OK {
            working += 1;
        }
    }
    assert_eq!(working, 1, "exactly one answer holds the session");
}

/// The outcomes of the audited `auth.refresh` events, oldest first.
async fn refresh_outcomes(app: &crate::helpers::TestApp) -> Vec<String> {
    app.audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "auth.refresh")
        .map(|r| r.outcome)
        .collect()
}
