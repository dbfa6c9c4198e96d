//! Documents (DESIGN.md, "Sync protocol" 5): a 15 MiB upload cut at 100 random offsets by
//! the proxy resumes each time from where the server got to and re-sends at most the one
//! chunk that was cut; the final hash matches; a corrupted chunk and a chunk at the wrong
//! offset are refused; nothing half-uploaded is visible to anyone (no blob file, no
//! download, no document record for the uploader's other device or another user) until
//! the bytes are finalised and the metadata pushed; then another device downloads and
//! verifies them. The bytes are invented (a PDF header and seeded random bytes).

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_protocol::paths;
use hearth_protocol::sync::{UploadCreate, UploadStatus};
use hearth_store::{NewDocument, RecordId, StepSave};
use hearth_sync::{UploadReport, UPLOAD_CHUNK_BYTES};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::helpers::{
    device, on_both, settle, spawn_server, Backend, Device, Fault, Proxy, Server,
};

on_both!(
    upload_cut_at_100_offsets_resumes,
    corrupted_and_misplaced_chunks_are_refused,
    wrong_type_is_refused_and_the_metadata_rejected
);

const SIZE: usize = 15 * 1024 * 1024;

fn invented_pdf(seed: u64, size: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; size];
    StdRng::seed_from_u64(seed).fill_bytes(&mut bytes);
    bytes[..9].copy_from_slice(b"%PDF-1.7\n");
    bytes
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn plan(d: &Device) -> RecordId {
    d.store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"a": "invented plan"}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id
}

/// The status of a blob download for `token`.
async fn blob_status(server: &Server, token: &str, sha256: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}{}", server.base_url(), paths::blob(sha256)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn no_blob_file(server: &Server, sha256: &str) {
    let path = hearth_server::documents::blob_path(server.data_path(), sha256);
    assert!(
        !path.exists(),
        "a half-uploaded document's bytes are in place"
    );
}

async fn documents_on(d: &Device, record: RecordId) -> usize {
    d.store.list_documents(record).await.unwrap().len()
}

async fn upload_cut_at_100_offsets_resumes(b: Backend) {
    let server = spawn_server(b).await;
    let (owner, token) = server.practitioner().await;
    let (_other, other_token) = server.practitioner().await;
    let proxy = Proxy::start(server.addr).await;
    let a = device(&proxy.base_url(), &token).await;
    let a2 = device(&server.base_url(), &token).await;
    let record = plan(&a).await;
    settle(&a).await;
    settle(&a2).await;

    let bytes = invented_pdf(7, SIZE);
    let hash = sha(&bytes);
    let doc = a
        .store
        .put_document(NewDocument {
            id: None,
            record_id: record,
            title: "Invented letter".into(),
            file_name: "letter.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: &bytes,
            added_at: Utc::now(),
        })
        .await
        .unwrap();

    let mut rng = StdRng::seed_from_u64(20_261_121);
    let mut cuts: Vec<u64> = (0..100)
        .map(|_| rng.random_range(0..SIZE as u64 - 1))
        .collect();
    cuts.sort_unstable();
    let chunk = UPLOAD_CHUNK_BYTES;
    let mut offset = 0u64;
    let mut resent = 0u64;
    let mut upload_id = None;
    let started = std::time::Instant::now();
    for (i, cut) in cuts.iter().enumerate() {
        let what = format!("cut {i} at {cut}");
        let k = cut / chunk;
        let done_chunks = offset / chunk;
        // The create (status) request, the chunks before the cut one, then the cut one,
        // cut part-way through its body (its head is a few hundred bytes).
        let mut faults = vec![Fault::Pass];
        faults.extend((done_chunks..k.max(done_chunks)).map(|_| Fault::Pass));
        faults.push(Fault::CutRequest(
            400 + usize::try_from(cut.saturating_sub(k * chunk)).unwrap(),
        ));
        proxy.push_faults(faults);
        let mut report = UploadReport::default();
        let result = a.engine.upload_document_with(doc.id, &mut report).await;
        proxy.clear();
        assert!(result.is_err(), "{what}: the cut upload succeeded");
        assert_eq!(
            report.resumed_from, offset,
            "{what}: did not resume where the server got to"
        );
        let id = report.upload_id.expect("the upload was started");
        assert!(upload_id.is_none_or(|u| u == id), "{what}: a new upload");
        upload_id = Some(id);
        let status: UploadStatus = a2.engine.upload_status(id).await.unwrap();
        assert!(!status.finalised, "{what}");
        assert_eq!(status.offset % chunk, 0, "{what}: a part of a chunk kept");
        let acknowledged = (status.offset - offset) / chunk;
        assert!(
            report.chunks_sent == acknowledged + 1 || report.chunks_sent == acknowledged,
            "{what}: sent {} chunks for {acknowledged} taken",
            report.chunks_sent
        );
        resent += report.chunks_sent - acknowledged;
        offset = status.offset;

        // Nothing half-uploaded is visible to anyone.
        no_blob_file(&server, &hash);
        assert_eq!(blob_status(&server, &token, &hash).await, 404, "{what}");
        assert_eq!(
            blob_status(&server, &other_token, &hash).await,
            404,
            "{what}"
        );
    }
    assert!(resent <= 100, "re-sent {resent} chunks for 100 cuts");

    // Without faults it finishes from where it got to.
    let report = a.engine.upload_document(doc.id).await.unwrap();
    assert_eq!(report.resumed_from, offset);
    assert_eq!(
        report.chunks_sent,
        (SIZE as u64 - offset).div_ceil(chunk),
        "only the chunks still missing were sent"
    );
    assert!(report.finalised);
    eprintln!(
        "{b:?}: 15 MiB upload with 100 cuts in {:.1} s ({resent} chunks re-sent)",
        started.elapsed().as_secs_f64()
    );
    let path = hearth_server::documents::blob_path(server.data_path(), &hash);
    assert_eq!(sha(&std::fs::read(&path).unwrap()), hash, "the final hash");

    // Finalised but the metadata not pushed: the uploader may read the bytes, nobody else,
    // and no document record exists for anyone to pull.
    assert_eq!(blob_status(&server, &token, &hash).await, 200);
    assert_eq!(blob_status(&server, &other_token, &hash).await, 404);
    settle(&a2).await;
    assert_eq!(documents_on(&a2, record).await, 0);
    assert!(server
        .records_of(owner)
        .await
        .values()
        .all(|r| !r.fields.contains_key("sha256")));

    // The metadata goes; the other device pulls the document and verifies its bytes.
    settle(&a).await;
    let on_server = server.records_of(owner).await;
    let meta = on_server.get(&doc.id.as_uuid()).expect("document record");
    assert_eq!(meta.fields["sha256"], json!(hash));
    settle(&a2).await;
    let got = a2
        .store
        .get_document(doc.id)
        .await
        .unwrap()
        .expect("pulled");
    assert_eq!(sha(&got.bytes), hash);
    assert_eq!(got.meta.title, "Invented letter");

    // Another user reads the bytes once the record they belong to is shared with them.
    assert_eq!(blob_status(&server, &other_token, &hash).await, 404);
    let other_id = {
        // The second practitioner's id: the owner of the other token's session.
        let h = hearth_server::secrets::sha256_hex(&[&other_token]);
        server
            .store
            .session_by_access(&h)
            .await
            .unwrap()
            .unwrap()
            .user_id
    };
    server.set_sharing(record, owner, other_id, true).await;
    assert_eq!(blob_status(&server, &other_token, &hash).await, 200);
}

async fn corrupted_and_misplaced_chunks_are_refused(b: Backend) {
    let server = spawn_server(b).await;
    let (_, token) = server.practitioner().await;
    let (_, other_token) = server.practitioner().await;
    let http = reqwest::Client::new();
    let bytes = invented_pdf(11, 3 * 1024 * 1024 / 2);
    let hash = sha(&bytes);
    let create = UploadCreate {
        document_id: uuid::Uuid::now_v7(),
        size: bytes.len() as u64,
        sha256: hash.clone(),
    };
    let status: UploadStatus = http
        .post(format!("{}{}", server.base_url(), paths::UPLOADS))
        .bearer_auth(&token)
        .json(&create)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = |offset: usize| {
        format!(
            "{}{}?offset={offset}",
            server.base_url(),
            paths::upload(status.upload_id)
        )
    };
    let first = &bytes[..1024 * 1024];
    let put = |offset: usize, body: Vec<u8>, hash: String, token: String| {
        let http = http.clone();
        let url = url(offset);
        async move {
            http.put(url)
                .bearer_auth(token)
                .header(paths::CHUNK_SHA256_HEADER, hash)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // A corrupted chunk: one bit flipped after its hash was taken.
    let mut corrupted = first.to_vec();
    corrupted[1000] ^= 1;
    assert_eq!(put(0, corrupted, sha(first), token.clone()).await, 422);
    // Not where the upload got to.
    assert_eq!(
        put(
            1024 * 1024,
            bytes[1024 * 1024..].to_vec(),
            sha(&bytes[1024 * 1024..]),
            token.clone()
        )
        .await,
        409
    );
    // Someone else's upload is not found.
    assert_eq!(
        put(0, first.to_vec(), sha(first), other_token.clone()).await,
        404
    );
    let engine = device(&server.base_url(), &token).await;
    let now = engine.engine.upload_status(status.upload_id).await.unwrap();
    assert_eq!(now.offset, 0, "a refused chunk moved the upload on");
    // Finalising early is refused; nothing is visible.
    let finalise = http
        .post(format!(
            "{}{}",
            server.base_url(),
            paths::upload_finalise(status.upload_id)
        ))
        .bearer_auth(&token)
        .json(&json!({"sha256": hash}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(finalise, 409);
    no_blob_file(&server, &hash);
    // The right chunks go.
    assert_eq!(put(0, first.to_vec(), sha(first), token.clone()).await, 200);
    assert_eq!(
        put(
            1024 * 1024,
            bytes[1024 * 1024..].to_vec(),
            sha(&bytes[1024 * 1024..]),
            token.clone()
        )
        .await,
        200
    );
    no_blob_file(&server, &hash);
    assert_eq!(blob_status(&server, &token, &hash).await, 404);
    let finalised: UploadStatus = http
        .post(format!(
            "{}{}",
            server.base_url(),
            paths::upload_finalise(status.upload_id)
        ))
        .bearer_auth(&token)
        .json(&json!({"sha256": hash}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(finalised.finalised);
    assert_eq!(blob_status(&server, &token, &hash).await, 200);
    assert_eq!(blob_status(&server, &other_token, &hash).await, 404);
}

async fn wrong_type_is_refused_and_the_metadata_rejected(b: Backend) {
    let server = spawn_server(b).await;
    let (owner, token) = server.practitioner().await;
    let d = device(&server.base_url(), &token).await;
    let record = plan(&d).await;
    let bytes = b"just some invented text, not a document type Hearth takes".to_vec();
    let doc = d
        .store
        .put_document(NewDocument {
            id: None,
            record_id: record,
            title: "Invented note".into(),
            file_name: "note.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: &bytes,
            added_at: Utc::now(),
        })
        .await
        .unwrap();
    // The bytes are refused by content; the metadata is then rejected by the server, kept
    // for a person, and the outbox does not stick.
    settle(&d).await;
    let conflicts = d.store.conflicts().await.unwrap();
    assert!(
        conflicts
            .iter()
            .any(|c| c.record_id == doc.id.as_uuid() && c.reason.is_some()),
        "{conflicts:?}"
    );
    assert!(!server
        .records_of(owner)
        .await
        .contains_key(&doc.id.as_uuid()));
    no_blob_file(&server, &sha(&bytes));
}
