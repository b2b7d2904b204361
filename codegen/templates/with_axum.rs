//! axum extractors (feature `axum`): `Event`, every per-type enum and every `CloudEvent<T>`
//! are extractors for structured- and binary-mode requests, and [`Batch`] for batch requests.
//!
//! A request that does not decode is rejected with a status chosen by the error's
//! [`Action`], so that an at-least-once sender does the right thing without a handler:
//!
//! | `DecodeError` | action | status |
//! |---|---|---|
//! | `MalformedJson`, `NotACloudEvent` | dead-letter | 400 Bad Request (do not retry) |
//! | `ContractViolation`, `InvalidPayload` | dead-letter | 422 Unprocessable Content (do not retry) |
//! | `UnknownEventType` | skip | 202 Accepted (acknowledged, not processed) |
//! | `UnknownVersion` | park | 503 Service Unavailable (retry later) |
//!
//! A batch sent to a single-event extractor is 415 Unsupported Media Type; a body axum cannot
//! read (too large, cut off) gets axum's own status (413, 400).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::runtime::{Action, CloudEvent, Contract, Decode, DecodeError, Mode};

/// Why an extractor refused a request.
#[derive(Debug)]
pub enum Rejection {
    /// The body did not decode as an event of the extractor's type.
    Decode(DecodeError),
    /// A batch (`application/cloudevents-batch+json`) came to a single-event extractor.
    BatchNotExpected,
    /// axum could not read the body.
    Body(BytesRejection),
}

impl Rejection {
    /// The response status (see the module's table).
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::Decode(error) => status_of(error),
            Rejection::BatchNotExpected => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::Body(rejection) => rejection.status(),
        }
    }

    /// The decode error, when the body was read.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self {
            Rejection::Decode(error) => Some(error),
            _ => None,
        }
    }
}

/// The status that tells an at-least-once sender what the error's [`Action`] is.
pub fn status_of(error: &DecodeError) -> StatusCode {
    match (error.action(), error) {
        (Action::DeadLetter, DecodeError::ContractViolation { .. } | DecodeError::InvalidPayload { .. }) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        (Action::DeadLetter, _) => StatusCode::BAD_REQUEST,
        (Action::Skip, _) => StatusCode::ACCEPTED,
        (Action::Park, _) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Decode(error) => error.fmt(f),
            Rejection::BatchNotExpected => f.write_str("a batch of events came where one event was expected"),
            Rejection::Body(rejection) => f.write_str(&rejection.body_text()),
        }
    }
}

impl std::error::Error for Rejection {}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Body(rejection) => rejection.into_response(),
            other => (other.status(), other.to_string()).into_response(),
        }
    }
}

/// Reads the request's headers and body, then decodes them in the request's [`Mode`].
pub(crate) async fn extract<E: Decode, S: Send + Sync>(request: Request, state: &S) -> Result<E, Rejection> {
    let headers: HeaderMap = request.headers().clone();
    let body = Bytes::from_request(request, state).await.map_err(Rejection::Body)?;
    let pairs = || headers.iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    match Mode::of(pairs()) {
        Mode::Batch => Err(Rejection::BatchNotExpected),
        Mode::Structured => E::decode(&body).map_err(Rejection::Decode),
        Mode::Binary => E::decode_binary(pairs(), &body).map_err(Rejection::Decode),
    }
}

/// A batch request (`application/cloudevents-batch+json`): one result per event, so that one
/// bad event does not lose the others. Only a body that is not a batch is rejected.
#[derive(Debug)]
pub struct Batch<E>(pub Vec<Result<E, DecodeError>>);

impl<E: Decode, S: Send + Sync> FromRequest<S> for Batch<E> {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Rejection> {
        let body = Bytes::from_request(request, state).await.map_err(Rejection::Body)?;
        E::decode_batch(&body).map(Batch).map_err(Rejection::Decode)
    }
}

impl<T: Contract + DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for CloudEvent<T> {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Rejection> {
        extract(request, state).await
    }
}

/// `impl FromRequest` for a generated event type that implements `Decode`.
macro_rules! extractor {
    ($event:ty) => {
        impl<S: ::std::marker::Send + ::std::marker::Sync> ::axum::extract::FromRequest<S> for $event {
            type Rejection = $crate::with_axum::Rejection;

            async fn from_request(
                request: ::axum::extract::Request,
                state: &S,
            ) -> ::std::result::Result<Self, Self::Rejection> {
                $crate::with_axum::extract(request, state).await
            }
        }
    };
}
pub(crate) use extractor;
