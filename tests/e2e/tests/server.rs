//! The harness's server, on its own: a real `hearth-server` process with a fresh SQLite
//! folder and the demo organisation, stopped and started again, and a sign-in code read
//! from its development outbox. (The app's tests rely on each of these.)

use std::time::Duration;

use anyhow::{ensure, Result};
use hearth_e2e::{Prereqs, Server};
use serde_json::json;

#[tokio::test]
async fn the_server_stops_starts_again_and_mails_sign_in_codes() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let mut server = Server::start(&prereqs)?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let health = format!("{}/healthz", server.url());
    ensure!(http.get(&health).send().await?.status().is_success());

    let sign_in = |http: reqwest::Client, url: String| async move {
        http.post(format!("{url}/api/v1/auth/sign-in"))
            .json(&json!({ "email": "alex.demoworker@example.org.uk", "password": "hearth demo only 2026" }))
            .send()
            .await
    };
    let first = sign_in(http.clone(), server.url()).await?;
    ensure!(
        first.status().is_success(),
        "sign-in answered {}",
        first.status()
    );
    let code = server.latest_sign_in_code("alex.demoworker@example.org.uk")?;
    ensure!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{code:?}"
    );
    ensure!(server
        .latest_sign_in_code("jo.demoworker@example.org.uk")
        .is_err());

    server.stop()?;
    ensure!(
        http.get(&health).send().await.is_err(),
        "the server still answers after stop"
    );

    server.resume()?;
    ensure!(http.get(&health).send().await?.status().is_success());
    // The same data: the demo account still signs in, and a second code is mailed.
    let second = sign_in(http.clone(), server.url()).await?;
    ensure!(
        second.status().is_success(),
        "sign-in answered {}",
        second.status()
    );
    let outbox = std::fs::read_dir(server.data_dir.path().join("outbox"))?.count();
    ensure!(outbox == 2, "{outbox} mails in the outbox");
    Ok(())
}
