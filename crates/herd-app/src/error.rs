use herd_core::ParseError;
use herd_store::StoreError;

/// Why a verb said no. `herd-api` maps each to one HTTP status in one place.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(&'static str),
    /// The request needs a valid token or credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Well-formed but unacceptable input (Mastodon answers 422).
    #[error("{0}")]
    Invalid(String),
    /// A required parameter is missing or malformed (Mastodon answers 400).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// An OAuth grant type this server does not offer.
    #[error("{0}")]
    Unsupported(String),
    /// The request body is larger than this endpoint accepts.
    #[error("{0}")]
    TooLarge(String),
    #[error("too many attempts; try again later")]
    RateLimited,
    /// The instance is not served now (its hosting ended); Mastodon answers 503.
    #[error("{0}")]
    Unavailable(String),
    /// Input refused field by field, as Mastodon's sign-up and profile forms answer (422 with
    /// `details`).
    #[error("{}", FieldError::sentence(.0))]
    Fields(Vec<FieldError>),
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("Record not found"),
            StoreError::Conflict => AppError::Invalid("Validation failed: already taken".into()),
            e => AppError::Store(e),
        }
    }
}

impl From<ParseError> for AppError {
    fn from(e: ParseError) -> Self {
        AppError::Invalid(format!("Validation failed: {e}"))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(format!("file storage: {e}"))
    }
}

/// One field's problem, in Mastodon's words: `label` and `description` make the sentence
/// ("E-mail address has already been taken"), `code` is what apps match (`ERR_TAKEN`).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub label: &'static str,
    pub code: &'static str,
    pub description: &'static str,
}

impl FieldError {
    pub fn new(field: &'static str, label: &'static str, code: &'static str, description: &'static str) -> FieldError {
        FieldError {
            field,
            label,
            code,
            description,
        }
    }

    /// `Validation failed: ` and every problem, as Rails writes them.
    pub fn sentence(errors: &[FieldError]) -> String {
        let parts: Vec<String> = errors.iter().map(|e| format!("{} {}", e.label, e.description)).collect();
        format!("Validation failed: {}", parts.join(", "))
    }
}
