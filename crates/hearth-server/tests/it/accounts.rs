//! Partner self-registration, staff invitations and password reset, through real email.

use hearth_protocol::paths;
use hearth_server::seed::DEMO_PASSWORD;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{code_in, key_in, on_both, spawn_app, Backend};

const PAT: &str = "pat.demosupport@example.org.uk";
const NURSE: &str = "casey.testnurse@example.nhs.uk";

on_both!(
    partner_registers_confirms_and_signs_in,
    common_and_short_passwords_are_refused,
    staff_invitation_sets_a_password,
    password_reset_by_email,
    out_of_office_message,
);

async fn out_of_office_message(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app
        .sign_in("alex.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    let token = alex.tokens.access_token.expose();
    let message = "Away until Monday; send work to Sam Demomanager";
    let r = app
        .put_as(paths::ME_OUT_OF_OFFICE, token, json!({"message": message}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        app.get_as(paths::ME, token).await.body["account"]["out_of_office"],
        message
    );
    let r = app
        .put_as(
            paths::ME_OUT_OF_OFFICE,
            token,
            json!({"message": "x".repeat(1001)}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation")
    );
    assert_eq!(r.body["fields"][0]["path"], "out_of_office");
    let r = app
        .put_as(paths::ME_OUT_OF_OFFICE, token, json!({"message": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(app.get_as(paths::ME, token).await.body["account"]["out_of_office"].is_null());
}

fn registration(password: &str) -> Value {
    json!({
        "forename": "Casey",
        "surname": "Testnurse",
        "professional_capacity": true,
        "professional_role": "School nurse",
        "organisation": "Testshire Community Health",
        "address": {"street": "Speedwell Street", "town": "Testertown", "postcode": "TS1 1ST"},
        "email": NURSE,
        "password": password,
    })
}

async fn partner_registers_confirms_and_signs_in(b: Backend) {
    let app = spawn_app(b).await;
    let password = "a long and unusual passphrase";
    let r = app
        .post(paths::REGISTER_PARTNER, registration(password))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let stored = app.store.user_by_email(NURSE).await.unwrap().unwrap();
    assert!(stored
        .password_hash
        .unwrap()
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));

    // Not confirmed yet.
    let r = app
        .post(
            paths::SIGN_IN,
            json!({"email": NURSE, "password": password}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    let code = code_in(&app.smtp.nth_message(NURSE, 0).await);
    let wrong = if code == "111111" { "222222" } else { "111111" };
    let r = app
        .post(paths::CONFIRM_EMAIL, json!({"email": NURSE, "code": wrong}))
        .await;
    assert_eq!(r.code(), "invalid_code");
    let r = app
        .post(paths::CONFIRM_EMAIL, json!({"email": NURSE, "code": code}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let signed_in = app.sign_in(NURSE, password).await;
    assert_eq!(
        signed_in.account.roles.iter().collect::<Vec<_>>(),
        [&hearth_domain::account::Role::PartnerProfessional]
    );

    let again = app
        .post(paths::REGISTER_PARTNER, registration(password))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

async fn common_and_short_passwords_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    for (password, message) in [
        (
            "password1234",
            "This password is too common: choose a different one",
        ),
        (
            "Password1234",
            "This password is too common: choose a different one",
        ),
        ("short", "Your password must be at least 12 characters"),
    ] {
        let r = app
            .post(paths::REGISTER_PARTNER, registration(password))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(r.code(), "validation");
        assert_eq!(r.body["fields"][0]["path"], "password");
        assert_eq!(r.body["fields"][0]["message"], message);
    }
    let mut missing = registration("a long and unusual passphrase");
    missing["address"] = json!({"postcode": "TS1 1ST"});
    let r = app.post(paths::REGISTER_PARTNER, missing).await;
    let paths: Vec<&str> = r.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["address.street", "address.town"]);
}

async fn staff_invitation_sets_a_password(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let pat = app.sign_in(PAT, DEMO_PASSWORD).await;
    let email = "drew.newstarter@example.org.uk";
    let r = app
        .post_as(
            paths::USERS,
            pat.tokens.access_token.expose(),
            json!({"forename": "Drew", "surname": "Newstarter", "email": email,
                   "roles": ["practitioner"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let key = key_in(&app.smtp.nth_message(email, 0).await, "hin_");
    let password = "my first hearth passphrase";
    let r = app
        .post(
            paths::ACCEPT_INVITATION,
            json!({"token": key, "password": password}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(
            paths::ACCEPT_INVITATION,
            json!({"token": key, "password": password}),
        )
        .await;
    assert_eq!(r.code(), "invalid_code", "an invitation works once");
    let drew = app.sign_in(email, password).await;
    assert_eq!(drew.account.forename, "Drew");
}

async fn password_reset_by_email(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let email = "alex.demoworker@example.org.uk";
    let unknown = app
        .post(
            paths::PASSWORD_RESET,
            json!({"email": "no.one@example.org.uk"}),
        )
        .await;
    let known = app
        .post(paths::PASSWORD_RESET, json!({"email": email}))
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.body, known.body);

    let key = key_in(&app.smtp.nth_message(email, 0).await, "hpr_");
    app.advance(chrono::Duration::minutes(61));
    let new_password = "a brand new passphrase";
    let r = app
        .post(
            paths::PASSWORD_RESET_COMPLETE,
            json!({"token": key, "new_password": new_password}),
        )
        .await;
    assert_eq!(r.code(), "invalid_code", "reset keys last an hour");

    app.post(paths::PASSWORD_RESET, json!({"email": email}))
        .await;
    let key = key_in(&app.smtp.nth_message(email, 1).await, "hpr_");
    let r = app
        .post(
            paths::PASSWORD_RESET_COMPLETE,
            json!({"token": key, "new_password": new_password}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(
            paths::SIGN_IN,
            json!({"email": email, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.code(), "invalid_credentials");
    app.sign_in(email, new_password).await;
}
