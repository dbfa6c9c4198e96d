//! The API's errors: one enum, one body (`{code, message}`). `Unexpected` is the only 500;
//! everything a client can cause is a precise 4xx.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_domain::{FieldError, ValidationErrors};
use hearth_protocol::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    InvalidBody(String),
    #[error("Send the body as JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("The request body is too large")]
    PayloadTooLarge,
    #[error("There is a problem with what you entered")]
    Validation(Vec<FieldError>),
    #[error("The email address or password is not right")]
    InvalidCredentials,
    #[error("The code is not right. Check the latest email, or ask for a new code")]
    InvalidCode,
    #[error("The code has expired. Ask for a new code")]
    CodeExpired,
    #[error("Too many tries. Wait 5 minutes and try again")]
    Throttled,
    #[error("Sign in to continue")]
    Unauthenticated,
    #[error("This device has been signed out and must remove its Hearth data")]
    WipeDevice,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("Not found")]
    NotFound,
    #[error("{0}")]
    Conflict(&'static str),
    #[error("Mutations must follow on without a gap: send from mutation {expected}")]
    SyncGap { expected: i64 },
    #[error("Something went wrong on the server. Try again later")]
    Unexpected(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        use ApiError::*;
        match self {
            BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            InvalidBody(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation),
            InvalidCredentials => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials),
            InvalidCode => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode),
            CodeExpired => (StatusCode::UNAUTHORIZED, ErrorCode::CodeExpired),
            Throttled => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::Throttled),
            Unauthenticated => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated),
            WipeDevice => (StatusCode::UNAUTHORIZED, ErrorCode::WipeDevice),
            Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            SyncGap { .. } => (StatusCode::CONFLICT, ErrorCode::SyncGap),
            Unexpected(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Unexpected),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict => ApiError::Conflict("That already exists"),
            other => ApiError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> ApiError {
        ApiError::Validation(e.into_vec())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Unexpected(e) = &self {
            // The chain names what failed (SQL, SMTP); request bodies are never in it.
            tracing::error!(error = ?e, "unexpected error");
        }
        let mut body = ErrorBody::new(code, self.to_string());
        if let ApiError::Validation(fields) = self {
            body.fields = fields;
        }
        (status, axum::Json(body)).into_response()
    }
}

/// `axum::Json`, but every rejection is an [`ApiError`] with the JSON error body.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(r) => Err(match r {
                JsonRejection::JsonDataError(e) => ApiError::InvalidBody(e.body_text()),
                JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(e.body_text()),
                JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
                JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ApiError::PayloadTooLarge
                }
                other => ApiError::BadRequest(other.body_text()),
            }),
        }
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A UUID path parameter; a malformed one is a 400 with the JSON body.
pub struct PathId(pub uuid::Uuid);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<uuid::Uuid>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PathId(id)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::BadRequest(
                "The id in the address is not a valid id".into(),
            )),
            Err(other) => Err(ApiError::BadRequest(other.body_text())),
        }
    }
}
