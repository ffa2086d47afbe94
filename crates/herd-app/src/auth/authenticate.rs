use herd_core::{Role, Scopes, secret};
use herd_store::{accounts, oauth, users};

use crate::auth::password;
use crate::{App, AppError, Result, Tenant, Viewer};

/// The viewer a bearer token stands for, or Unauthorized. Tokens are looked up by digest
/// within the tenant, so a token of one instance means nothing on another. A session found
/// usable is cached until its token, user or account changes (see [`crate::cache`]).
pub async fn authenticate(app: &App, tenant: &Tenant, token: &str) -> Result<Viewer> {
    let viewer = viewer_of(app, tenant, token).await?;
    // A browser session opens the instance's pages only (`web_session::session`).
    if viewer.web_session {
        return Err(AppError::Unauthorized("The access token is invalid".into()));
    }
    Ok(viewer)
}

/// The viewer of any live token of this instance, through the session cache.
pub(crate) async fn viewer_of(app: &App, tenant: &Tenant, token: &str) -> Result<Viewer> {
    let key = (tenant.id.0, secret::digest(token));
    let viewer = match app.caches.sessions.get(&key) {
        Some(v) => (*v).clone(),
        None => {
            let epoch = app.caches.epoch();
            let viewer = load(app, tenant, &key.1).await?;
            app.caches
                .put(&app.caches.sessions, epoch, key, std::sync::Arc::new(viewer.clone()));
            viewer
        }
    };
    if let Some(account) = viewer.account_id
        && let Err(e) = crate::usage::record_activity(app, tenant.id, account).await
    {
        tracing::warn!(tenant = tenant.id.0, error = %e, "could not record a user's activity");
    }
    Ok(viewer)
}

async fn load(app: &App, tenant: &Tenant, digest: &str) -> Result<Viewer> {
    let invalid = || AppError::Unauthorized("The access token is invalid".into());
    let mut c = app.db.conn().await?;
    let row = oauth::session_by_hash(&mut c, tenant.id, digest).await?.ok_or_else(invalid)?;
    let scopes = Scopes::parse(&row.scopes).map_err(|_| invalid())?;
    if row.delegate_ok == 0 {
        return Err(invalid());
    }
    let account_id = match row.account_id {
        None => None,
        Some(_) if row.has_user == 0 => return Err(invalid()),
        Some(id) => {
            check_usable(
                app,
                Standing {
                    disabled: row.disabled.unwrap_or(1) != 0,
                    approved: row.approved.unwrap_or(0) != 0,
                    confirmed: row.confirmed_at.is_some(),
                    suspended: row.suspended_at.is_some(),
                },
            )?;
            Some(id)
        }
    };
    Ok(Viewer {
        account_id,
        role: row.role.as_deref().and_then(|r| Role::parse(r).ok()).unwrap_or(Role::Member),
        scopes,
        app_id: row.app_id,
        token_id: row.id,
        delegate: row.delegate_account_id,
        web_session: row.web_session != 0,
        created_at: row.created_at,
    })
}

/// What decides whether a user may act at all.
pub(crate) struct Standing {
    pub disabled: bool,
    pub approved: bool,
    pub confirmed: bool,
    pub suspended: bool,
}

/// Whether a user may act at all: not disabled or suspended, approved, and confirmed where
/// mail is configured. The messages are Mastodon's.
pub(crate) fn check_usable(app: &App, s: Standing) -> Result<()> {
    if s.disabled || s.suspended {
        return Err(AppError::Forbidden("Your login is currently disabled".into()));
    }
    if !s.approved {
        return Err(AppError::Forbidden("Your login is currently pending approval".into()));
    }
    if app.settings.mail_configured && !s.confirmed {
        return Err(AppError::Forbidden("Your login is missing a confirmed e-mail address".into()));
    }
    Ok(())
}

/// Whether the local account may sign in now (its user not disabled, unapproved or
/// suspended since an earlier step); Forbidden with Mastodon's words if not.
pub(crate) async fn check_standing(app: &App, tenant: &Tenant, account: i64) -> Result<()> {
    let gone = || AppError::Unauthorized("The sign-in has expired; sign in again".into());
    let mut c = app.db.conn().await?;
    let user = users::by_account(&mut c, tenant.id, account).await?.ok_or_else(gone)?;
    let acct = accounts::by_id(&mut c, tenant.id, account).await?;
    check_usable(app, Standing::of(&user, &acct))
}

impl Standing {
    fn of(user: &users::UserRow, account: &accounts::AccountRow) -> Standing {
        Standing {
            disabled: user.disabled != 0,
            approved: user.approved != 0,
            confirmed: user.confirmed_at.is_some(),
            suspended: account.suspended_at.is_some(),
        }
    }
}

/// Checks an e-mail address (or username) and password; the account id on success.
pub(crate) async fn sign_in(app: &App, tenant: &Tenant, login: &str, plain: String) -> Result<i64> {
    let mut c = app.db.conn().await?;
    let mut user = users::by_email(&mut c, tenant.id, login.trim()).await?;
    if user.is_none()
        && let Some(a) = accounts::by_username(&mut c, tenant.id, login.trim(), "").await?
    {
        user = users::by_account(&mut c, tenant.id, a.id).await?;
    }
    drop(c);
    let ok = password::verify(plain, user.as_ref().and_then(|u| u.password_hash.clone())).await?;
    let (true, Some(user)) = (ok, user) else {
        return Err(AppError::Unauthorized("Invalid email or password.".into()));
    };
    let mut c = app.db.conn().await?;
    let account = accounts::by_id(&mut c, tenant.id, user.account_id).await?;
    check_usable(app, Standing::of(&user, &account))?;
    Ok(user.account_id)
}
