//! Mastodon's domain-block CSV, read tolerantly (with or without the `#` header, booleans as
//! `true`/`false`, a missing severity meaning suspend) and written as Mastodon writes it.

use herd_store::blocklists::EntryRow;
use herd_store::federation_policy::DomainBlockRow;

use crate::{AppError, Result};

/// The entries of a CSV list; a line with a malformed domain or severity is an error naming
/// the line, so an operator can fix the file.
pub fn parse_csv(text: &str) -> Result<Vec<EntryRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut columns: Vec<String> = vec![
        "domain".into(),
        "severity".into(),
        "reject_media".into(),
        "reject_reports".into(),
        "public_comment".into(),
        "obfuscate".into(),
    ];
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| AppError::Invalid(format!("line {}: {e}", n + 1)))?;
        let first = record.get(0).unwrap_or_default();
        if first.is_empty() {
            continue;
        }
        if n == 0 && (first.starts_with('#') || first.eq_ignore_ascii_case("domain")) {
            columns = record.iter().map(|h| h.trim_start_matches('#').to_ascii_lowercase()).collect();
            continue;
        }
        let field = |name: &str| {
            columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
        };
        let flag = |name: &str| -> Result<i64> {
            match field(name).to_ascii_lowercase().as_str() {
                "" | "false" | "0" => Ok(0),
                "true" | "1" => Ok(1),
                other => Err(AppError::Invalid(format!("line {}: {name} {other:?} is not true or false", n + 1))),
            }
        };
        let severity = match field("severity") {
            "" => "suspend",
            s @ ("suspend" | "silence" | "noop") => s,
            other => {
                return Err(AppError::Invalid(format!(
                    "line {}: severity {other:?} is not suspend, silence or noop",
                    n + 1
                )));
            }
        };
        let domain = crate::follows::domain_name(field("domain"))
            .map_err(|_| AppError::Invalid(format!("line {}: {:?} is not a domain", n + 1, field("domain"))))?;
        let comment = field("public_comment");
        out.push(EntryRow {
            domain,
            severity: severity.to_string(),
            reject_media: flag("reject_media")?,
            reject_reports: flag("reject_reports")?,
            public_comment: (!comment.is_empty()).then(|| comment.to_string()),
            obfuscate: flag("obfuscate")?,
        });
    }
    Ok(out)
}

/// The instance's blocks in Mastodon's export format.
pub fn to_csv(blocks: &[DomainBlockRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "#domain",
        "#severity",
        "#reject_media",
        "#reject_reports",
        "#public_comment",
        "#obfuscate",
    ]);
    for b in blocks {
        let _ = w.write_record([
            b.domain.as_str(),
            b.severity.as_str(),
            if b.reject_media != 0 { "true" } else { "false" },
            if b.reject_reports != 0 { "true" } else { "false" },
            b.public_comment.as_deref().unwrap_or_default(),
            if b.obfuscate != 0 { "true" } else { "false" },
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_csv() {
        let text = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                    spam.example,suspend,true,false,\"spam, lots\",false\n\
                    loud.example,silence,false,false,,true\n";
        let e = parse_csv(text).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].public_comment.as_deref(), Some("spam, lots"));
        assert_eq!(e[1].severity, "silence");
        assert_eq!(e[1].obfuscate, 1);
        assert!(parse_csv("bad domain!,suspend").is_err());
        assert_eq!(parse_csv("plain.example\n").unwrap()[0].severity, "suspend");
    }
}
