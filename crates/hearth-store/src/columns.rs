//! Lists with a few fields each: what a table of thousands of records needs without
//! reading every record's whole JSON into the app.
//!
//! SQLite's `json_extract` pulls the asked-for paths out of each record's fields inside the
//! database, so "My plans" gets, say, the child's name and postcode of 5,000 plans in one
//! query. With a search query, only the records the full-text index matches are listed.

use hearth_domain::RecordKind;
use serde_json::Value;
use sqlx::Row as _;

use crate::drafts::{summary_from_row, RecordSummary, SUMMARY_COLUMNS};
use crate::error::{StoreError, StoreResult};
use crate::search::fts_query;
use crate::Store;

/// A record's summary and the values at the paths asked for (JSON `null` where absent).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordColumns {
    pub summary: RecordSummary,
    /// One value per path, in the order of the paths.
    pub values: Vec<Value>,
}

/// The most paths one list may ask for (one bound parameter each).
pub const MAX_COLUMN_PATHS: usize = 32;

fn check_path(path: &str) -> StoreResult<()> {
    let ok = path.starts_with("$.")
        && path.len() > 2
        && path[2..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Unreadable(format!(
            "column path {path:?} is not a simple JSON path like $.focus_child.last_name"
        )))
    }
}

impl Store {
    /// Every record of `kind` with the values at `paths` (e.g. `$.focus_child.last_name`),
    /// most recently saved first. With `query` (as typed into a search box), only records
    /// the search index matches, best match first. A query with nothing searchable in it
    /// lists nothing.
    pub async fn list_columns(
        &self,
        kind: RecordKind,
        query: Option<&str>,
        paths: &[&str],
    ) -> StoreResult<Vec<RecordColumns>> {
        if paths.len() > MAX_COLUMN_PATHS {
            return Err(StoreError::Unreadable(format!(
                "at most {MAX_COLUMN_PATHS} columns can be listed at once"
            )));
        }
        for p in paths {
            check_path(p)?;
        }
        let extracts: String = (0..paths.len())
            .map(|i| format!(", json_quote(json_extract(r.fields, ?{})) AS c{i}", i + 2))
            .collect();
        let fts = match query {
            Some(q) => match fts_query(q) {
                Some(f) => Some(f),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let sql = match fts {
            None => format!(
                "SELECT {SUMMARY_COLUMNS}{extracts} FROM records r WHERE r.kind = ?1 \
                 ORDER BY r.last_saved_at DESC, r.seq DESC"
            ),
            Some(_) => format!(
                "SELECT {SUMMARY_COLUMNS}{extracts} FROM search_index \
                 JOIN records r ON r.seq = search_index.rowid \
                 WHERE r.kind = ?1 AND search_index MATCH ?{} \
                 ORDER BY search_index.rank, r.last_saved_at DESC",
                paths.len() + 2
            ),
        };
        let mut q = sqlx::query(&sql).bind(kind.as_str());
        for p in paths {
            q = q.bind(*p);
        }
        if let Some(f) = &fts {
            q = q.bind(f.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let values = (0..paths.len())
                    .map(|i| {
                        let text: Option<String> = row.try_get(format!("c{i}").as_str())?;
                        Ok(text
                            .and_then(|t| serde_json::from_str(&t).ok())
                            .unwrap_or(Value::Null))
                    })
                    .collect::<StoreResult<Vec<Value>>>()?;
                Ok(RecordColumns {
                    summary: summary_from_row(row)?,
                    values,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_simple_paths_reach_sql() {
        assert!(check_path("$.focus_child.last_name").is_ok());
        assert!(check_path("$.family_members[0].first_name").is_ok());
        for bad in [
            "",
            "$.",
            "focus_child",
            "$.a'); DROP TABLE records; --",
            "$.a b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
