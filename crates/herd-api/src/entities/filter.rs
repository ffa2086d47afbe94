use herd_app::filters::{Filter as FilterView, Match};
use herd_store::filters::{FilterStatusRow, KeywordRow};
use serde::Serialize;

use super::time;

#[derive(Serialize, Clone)]
pub struct FilterKeyword {
    pub id: String,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Serialize, Clone)]
pub struct FilterStatus {
    pub id: String,
    pub status_id: String,
}

#[derive(Serialize, Clone)]
pub struct Filter {
    pub id: String,
    pub title: String,
    pub context: Vec<String>,
    pub expires_at: Option<String>,
    pub filter_action: String,
    pub keywords: Vec<FilterKeyword>,
    pub statuses: Vec<FilterStatus>,
}

#[derive(Serialize, Clone)]
pub struct FilterResult {
    pub filter: Filter,
    pub keyword_matches: Option<Vec<String>>,
    pub status_matches: Option<Vec<String>>,
}

pub fn filter_keyword(k: &KeywordRow) -> FilterKeyword {
    FilterKeyword {
        id: k.id.to_string(),
        keyword: k.keyword.clone(),
        whole_word: k.whole_word != 0,
    }
}

pub fn filter_status(s: &FilterStatusRow) -> FilterStatus {
    FilterStatus {
        id: s.id.to_string(),
        status_id: s.status_id.to_string(),
    }
}

pub fn filter(f: &FilterView) -> Filter {
    Filter {
        id: f.row.id.to_string(),
        title: f.row.title.clone(),
        context: f.contexts(),
        expires_at: f.row.expires_at.map(time),
        filter_action: f.row.action.clone(),
        keywords: f.keywords.iter().map(filter_keyword).collect(),
        statuses: f.statuses.iter().map(filter_status).collect(),
    }
}

pub fn filter_results(matches: &[Match]) -> Vec<FilterResult> {
    matches
        .iter()
        .map(|m| FilterResult {
            filter: filter(&m.filter),
            keyword_matches: Some(m.keywords.clone()).filter(|k| !k.is_empty()),
            status_matches: Some(m.statuses.iter().map(i64::to_string).collect::<Vec<_>>()).filter(|s| !s.is_empty()),
        })
        .collect()
}
