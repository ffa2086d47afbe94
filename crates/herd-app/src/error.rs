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
