//! FIRES datasets (FediMod's Fediverse Intelligence Replication Endpoint Server): change
//! records (`recommendation`, `advisory`, `retraction`, `tombstone`) about entities, read in
//! order of their time-sortable ids. Herd takes records about domains: a recommendation to
//! drop or reject suspends, to filter silences (with `reject-media` / `reject-reports`
//! filters), to accept retracts; an advisory is not acted on; a retraction or tombstone
//! removes the domain. A document is an (ordered) collection of records with an optional
//! `next` page and, in a snapshot, the `changes` URL to read further records from.
//! The FIRES protocol is still a draft: keys are read in camelCase and snake_case.

use herd_store::blocklists::EntryRow;
use serde_json::Value;

use crate::{AppError, Result};

/// What a document said: each domain's new entry (`None`: no longer listed), in order.
#[derive(Debug, Default)]
pub struct FiresPage {
    pub changes: Vec<(String, Option<EntryRow>)>,
    /// The last record's id, from which the next read continues.
    pub cursor: Option<String>,
    pub next: Option<String>,
    /// In a snapshot: where changes after it are read.
    pub changes_url: Option<String>,
}

fn get<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| v.get(*k))
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    get(v, keys).and_then(Value::as_str).map(str::to_string)
}

pub fn parse_fires(body: &[u8]) -> Result<FiresPage> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| AppError::Invalid(format!("the dataset is not JSON: {e}")))?;
    let items = get(&doc, &["orderedItems", "items", "changes", "records"])
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::Invalid("the dataset has no items".into()))?;
    let mut page = FiresPage {
        next: get(&doc, &["next"]).and_then(|n| n.as_str().map(str::to_string).or_else(|| text(n, &["id", "href"]))),
        changes_url: text(&doc, &["changesUrl", "changes_url"])
            .or_else(|| get(&doc, &["changes"]).and_then(Value::as_str).map(str::to_string)),
        ..FiresPage::default()
    };
    for item in items {
        if let Some(id) = text(item, &["id", "changeId", "change_id"]) {
            page.cursor = Some(id);
        }
        let kind = text(item, &["entityKind", "entity_kind"]).unwrap_or_default().to_ascii_lowercase();
        if kind != "domain" {
            continue;
        }
        let Some(domain) = text(item, &["entityKey", "entity_key"]) else {
            continue;
        };
        let Ok(domain) = crate::follows::domain_name(&domain) else {
            continue;
        };
        let record = text(item, &["type"]).unwrap_or_default().to_ascii_lowercase();
        let entry = match record.as_str() {
            "retraction" | "tombstone" => None,
            "recommendation" => {
                let policy = text(item, &["recommendedPolicy", "recommended_policy"])
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let filters: Vec<String> = get(item, &["recommendedFilters", "recommended_filters"])
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(|f| f.to_ascii_lowercase().replace('_', "-"))
                            .collect()
                    })
                    .unwrap_or_default();
                let severity = match policy.as_str() {
                    "drop" | "reject" | "suspend" => "suspend",
                    "filter" | "silence" => "silence",
                    "accept" => {
                        page.changes.push((domain, None));
                        continue;
                    }
                    _ => continue,
                };
                Some(EntryRow {
                    domain: domain.clone(),
                    severity: severity.into(),
                    reject_media: i64::from(filters.iter().any(|f| f == "reject-media")),
                    reject_reports: i64::from(filters.iter().any(|f| f == "reject-reports")),
                    public_comment: text(item, &["publicComment", "public_comment", "summary"]),
                    obfuscate: 0,
                })
            }
            _ => continue,
        };
        page.changes.push((domain, entry));
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_order() {
        let doc = br#"{"type": "OrderedCollection", "changes": "https://fires.example/datasets/1/changes", "orderedItems": [
            {"id": "0190", "type": "recommendation", "entityKind": "domain", "entityKey": "spam.example", "recommendedPolicy": "drop", "recommendedFilters": ["reject-media"]},
            {"id": "0191", "type": "advisory", "entityKind": "domain", "entityKey": "maybe.example"},
            {"id": "0192", "type": "recommendation", "entity_kind": "Domain", "entity_key": "loud.example", "recommended_policy": "filter"},
            {"id": "0193", "type": "retraction", "entityKind": "domain", "entityKey": "spam.example"},
            {"id": "0194", "type": "recommendation", "entityKind": "actor", "entityKey": "https://x.example/u/a", "recommendedPolicy": "drop"}
        ]}"#;
        let p = parse_fires(doc).unwrap();
        assert_eq!(p.cursor.as_deref(), Some("0194"));
        assert_eq!(p.changes_url.as_deref(), Some("https://fires.example/datasets/1/changes"));
        assert_eq!(p.changes.len(), 3);
        assert_eq!(p.changes[0].1.as_ref().map(|e| e.reject_media), Some(1));
        assert_eq!(p.changes[1].1.as_ref().map(|e| e.severity.as_str()), Some("silence"));
        assert!(p.changes[2].1.is_none());
    }
}
