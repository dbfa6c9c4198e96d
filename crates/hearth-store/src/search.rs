//! Full-text search (SQLite FTS5) over names, postcodes, dates of birth and references.
//!
//! The caller passes [`SearchTerms`] with a save; a record pulled from the server is indexed
//! from its fields ([`hearth_domain::search::terms_of`]), so it is found like one typed here.
//! Each term is indexed in the forms people type: postcodes with and without the space,
//! dates as `yyyy-mm-dd`, `dd/mm/yyyy` and `yyyymmdd`, references as written and without
//! punctuation. A query is split on white space; every word must match (AND), as a prefix;
//! a word that is a date matches dates of birth exactly.

use chrono::NaiveDate;
use serde_json::Value;
use sqlx::SqliteConnection;

use crate::drafts::{summary_from_row, RecordSummary, SUMMARY_COLUMNS};
use crate::error::StoreResult;
use crate::Store;

pub use hearth_domain::search::SearchTerms;

fn names_text(terms: &SearchTerms) -> String {
    terms
        .surnames
        .iter()
        .chain(&terms.forenames)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

fn postcodes_text(terms: &SearchTerms) -> String {
    let mut out = Vec::new();
    for p in &terms.postcodes {
        let compact: String = p
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        // "SW1A1AA" -> "SW1A 1AA": the inward code is always the last three characters.
        if compact.len() > 3 && compact.is_ascii() {
            let (outward, inward) = compact.split_at(compact.len() - 3);
            out.push(format!("{outward} {inward}"));
        }
        out.push(compact);
    }
    out.join(" ")
}

fn dates_text(terms: &SearchTerms) -> String {
    terms
        .dates_of_birth
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d.format("%Y-%m-%d"),
                d.format("%d/%m/%Y"),
                d.format("%Y%m%d")
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn references_text<'a>(refs: impl IntoIterator<Item = &'a str>) -> String {
    refs.into_iter()
        .flat_map(|r| {
            [
                r.to_owned(),
                r.chars().filter(|c| c.is_alphanumeric()).collect(),
            ]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces the record's row in the index (inside the caller's transaction).
pub(crate) async fn replace(
    conn: &mut SqliteConnection,
    seq: i64,
    terms: &SearchTerms,
    own_refs: &[Option<&str>],
) -> StoreResult<()> {
    remove(conn, seq).await?;
    sqlx::query(
        "INSERT INTO search_index (rowid, names, postcodes, dates_of_birth, refs, record_refs)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(names_text(terms))
    .bind(postcodes_text(terms))
    .bind(dates_text(terms))
    .bind(references_text(terms.references.iter().map(String::as_str)))
    .bind(references_text(own_refs.iter().flatten().copied()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One record of [`replace_pulled`]'s batch: its id and what [`replace`] would index for it.
pub(crate) fn pulled_entry(id: &str, terms: &SearchTerms, own_refs: &[Option<&str>]) -> Value {
    serde_json::json!({
        "id": id,
        "names": names_text(terms),
        "postcodes": postcodes_text(terms),
        "dates": dates_text(terms),
        "refs": references_text(terms.references.iter().map(String::as_str)),
        "own": references_text(own_refs.iter().flatten().copied()),
    })
}

/// [`replace`] for many new records at once (records pulled from the server): `batch` is a
/// JSON array of [`pulled_entry`] objects. Two statements in all.
pub(crate) async fn replace_pulled(conn: &mut SqliteConnection, batch: &str) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM search_index WHERE rowid IN
             (SELECT r.seq FROM json_each(?) j JOIN records r ON r.id = j.value ->> '$.id')",
    )
    .bind(batch)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO search_index (rowid, names, postcodes, dates_of_birth, refs, record_refs)
         SELECT r.seq, j.value ->> '$.names', j.value ->> '$.postcodes',
             j.value ->> '$.dates', j.value ->> '$.refs', j.value ->> '$.own'
         FROM json_each(?) j JOIN records r ON r.id = j.value ->> '$.id'",
    )
    .bind(batch)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the record's own references (the server gave a permanent reference).
pub(crate) async fn set_record_references(
    conn: &mut SqliteConnection,
    seq: i64,
    own_refs: &[Option<&str>],
) -> StoreResult<()> {
    sqlx::query("UPDATE search_index SET record_refs = ? WHERE rowid = ?")
        .bind(references_text(own_refs.iter().flatten().copied()))
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn remove(conn: &mut SqliteConnection, seq: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM search_index WHERE rowid = ?")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd`, `dd-mm-yyyy`, `dd.mm.yyyy`.
fn parse_date(word: &str) -> Option<NaiveDate> {
    ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
        .into_iter()
        .find_map(|f| NaiveDate::parse_from_str(word, f).ok())
        .filter(|d| d.format("%Y").to_string().len() == 4)
}

/// Builds an FTS5 query from what the user typed; `None` if nothing searchable is left.
/// Every word is quoted (so no FTS5 syntax reaches the engine) and prefix-matched.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let parts: Vec<String> = input
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|word| match parse_date(word) {
            Some(d) => format!("dates_of_birth : \"{}\"", d.format("%Y%m%d")),
            None => format!("\"{}\"*", word.replace('"', "\"\"")),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

impl Store {
    /// Records matching `query` (names, postcodes, dates of birth, references), best
    /// match first, at most `limit`.
    pub async fn search(&self, query: &str, limit: u32) -> StoreResult<Vec<RecordSummary>> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM search_index JOIN records r ON r.seq = search_index.rowid
             WHERE search_index MATCH ? ORDER BY search_index.rank, r.last_saved_at DESC LIMIT ?"
        ))
        .bind(fts)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        tracing::debug!(hits = rows.len(), "search");
        rows.iter().map(summary_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_prefixes_and_dates_are_exact() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("- /"), None);
        assert_eq!(fts_query("Sm"), Some("\"Sm\"*".to_owned()));
        assert_eq!(
            fts_query("SW1A 1AA"),
            Some("\"SW1A\"* AND \"1AA\"*".to_owned())
        );
        assert_eq!(fts_query("a\"b"), Some("\"a\"\"b\"*".to_owned()));
        assert_eq!(
            fts_query("4/3/2015"),
            Some("dates_of_birth : \"20150304\"".to_owned())
        );
        assert_eq!(
            fts_query("2015-03-04"),
            Some("dates_of_birth : \"20150304\"".to_owned())
        );
    }

    #[test]
    fn postcodes_are_indexed_with_and_without_the_space() {
        let terms = SearchTerms {
            postcodes: vec!["sw1a1aa".into(), "M1 1AE".into()],
            ..Default::default()
        };
        assert_eq!(postcodes_text(&terms), "SW1A 1AA SW1A1AA M1 1AE M11AE");
    }
}
