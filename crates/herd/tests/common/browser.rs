//! A browser as the console tests need one: cookies kept by hand (every one must be
//! `HttpOnly` and `SameSite=Strict`, but the single sign-on state's, which is `Lax`), forms
//! posted with the CSRF token its cookie holds.

use std::collections::HashMap;

use reqwest::StatusCode;

use super::Server;

/// A browser: its cookies, kept by hand (name → value).
#[derive(Clone)]
pub struct Browser {
    /// The host it speaks to (a name without the port, such as `admin.test`).
    pub host: String,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Browser {
    pub fn on(host: &str) -> Browser {
        Browser {
            host: host.to_string(),
            cookies: HashMap::new(),
        }
    }

    pub fn header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn take(&mut self, r: reqwest::Response) -> Page {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().expect("cookie");
            // Only the single sign-on state is Lax: the provider's redirect back must carry it.
            let same_site = if v.starts_with("herd_sso=") {
                "SameSite=Lax"
            } else {
                "SameSite=Strict"
            };
            assert!(v.contains("HttpOnly") && v.contains(same_site), "{v}");
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').expect("cookie pair");
            if val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = r.status();
        let location = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
        Page {
            status,
            location,
            body: r.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&mut self, s: &Server, path: &str) -> Page {
        let r = s
            .http
            .get(s.url(&s.domain(&self.host), path))
            .header("cookie", self.header())
            .send()
            .await
            .expect("sent");
        self.take(r).await
    }

    /// Posts a form with the browser's CSRF token (unless `token` gives another).
    pub async fn post(&mut self, s: &Server, path: &str, fields: &[(&str, &str)], token: Option<&str>) -> Page {
        let csrf = token
            .map(str::to_string)
            .unwrap_or_else(|| self.cookies.get("herd_console_csrf").cloned().unwrap_or_default());
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("authenticity_token", &csrf));
        let r = s
            .http
            .post(s.url(&s.domain(&self.host), path))
            .header("cookie", self.header())
            .form(&form)
            .send()
            .await
            .expect("sent");
        self.take(r).await
    }
}
