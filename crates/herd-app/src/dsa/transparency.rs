//! An instance's transparency report for a period (DSA Art. 15 and 24), from its reports,
//! strikes, appeals, notices and audit log: notices received by ground, reports by origin
//! and category, actions by type and ground, automated and manual decisions, the median time
//! to handle a report, appeals and their outcome.

use herd_store::dsa;
use serde::Serialize;

use crate::{App, Result, Tenant};

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionCount {
    pub action: String,
    /// `illegal_content` (from a `legal` report) or `terms_of_service`.
    pub ground: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transparency {
    pub instance: String,
    pub from: String,
    pub to: String,
    pub notices: Vec<Count>,
    pub reports_by_origin: Vec<Count>,
    pub reports_by_category: Vec<Count>,
    pub actions: Vec<ActionCount>,
    /// Decisions by auto-moderation rules (flag, hide, reject).
    pub automated_decisions: Vec<Count>,
    /// Restrictions decided by moderators.
    pub manual_decisions: i64,
    pub reports_resolved: usize,
    /// Median time from report to resolution, in hours (`None` when none was resolved).
    pub median_handling_hours: Option<f64>,
    pub appeals: Vec<Count>,
}

fn counts(v: Vec<(String, i64)>) -> Vec<Count> {
    v.into_iter().map(|(key, count)| Count { key, count }).collect()
}

pub async fn transparency(app: &App, tenant: &Tenant, from: i64, to: i64) -> Result<Transparency> {
    let mut c = app.db.conn().await?;
    let f = dsa::figures(&mut c, tenant.id, from, to).await?;
    let median = match f.handling_ms.len() {
        0 => None,
        n if n % 2 == 1 => Some(f.handling_ms[n / 2] as f64),
        n => Some((f.handling_ms[n / 2 - 1] + f.handling_ms[n / 2]) as f64 / 2.0),
    };
    let mut actions = Vec::new();
    for (action, category, count) in f.actions {
        let ground = if category == "legal" {
            "illegal_content"
        } else {
            "terms_of_service"
        };
        match actions
            .iter_mut()
            .find(|a: &&mut ActionCount| a.action == action && a.ground == ground)
        {
            Some(a) => a.count += count,
            None => actions.push(ActionCount {
                action,
                ground: ground.into(),
                count,
            }),
        }
    }
    Ok(Transparency {
        instance: tenant.domain.to_string(),
        from: herd_core::Timestamp(from).to_rfc3339(),
        to: herd_core::Timestamp(to).to_rfc3339(),
        notices: counts(f.notices),
        reports_by_origin: counts(f.reports_by_origin),
        reports_by_category: counts(f.reports_by_category),
        manual_decisions: actions.iter().filter(|a| a.action != "none").map(|a| a.count).sum(),
        actions,
        automated_decisions: counts(f.automated),
        reports_resolved: f.handling_ms.len(),
        median_handling_hours: median.map(|ms| (ms / 3_600_000.0 * 100.0).round() / 100.0),
        appeals: counts(f.appeals),
    })
}

impl Transparency {
    /// The report as CSV rows: section, key, ground, count.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["section", "key", "ground", "count"]);
        let mut rows = |section: &str, list: &[Count]| {
            for c in list {
                let _ = w.write_record([section, &c.key, "", &c.count.to_string()]);
            }
        };
        rows("notices", &self.notices);
        rows("reports_by_origin", &self.reports_by_origin);
        rows("reports_by_category", &self.reports_by_category);
        rows("automated_decisions", &self.automated_decisions);
        rows("appeals", &self.appeals);
        for a in &self.actions {
            let _ = w.write_record(["actions", &a.action, &a.ground, &a.count.to_string()]);
        }
        let _ = w.write_record(["manual_decisions", "", "", &self.manual_decisions.to_string()]);
        let _ = w.write_record(["reports_resolved", "", "", &self.reports_resolved.to_string()]);
        let median = self.median_handling_hours.map(|h| h.to_string()).unwrap_or_default();
        let _ = w.write_record(["median_handling_hours", "", "", &median]);
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}
