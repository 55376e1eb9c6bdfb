//! The API's route guard: the right each route needs is the one [`crate::openapi::OPERATIONS`]
//! lists for it (what `x-loket-right` documents is what is enforced), checked before the
//! handler runs and before its body is read.
//!
//! * `none`: open (health, OpenAPI, log-in).
//! * `any`: any valid token (officer session or device).
//! * an action name (`call_next`, ...): [`loket_domain::authorize`] for the principal.
//!
//! No token gives 401 `unauthenticated`, an ended session 401 `session_expired`, a missing
//! right 403 `forbidden`. A route the table does not list is refused (500, logged): a new
//! route must declare its right. The principal found is handed to the handler
//! ([`crate::api::Auth`]), so a request is authenticated once. The hub's methods check the
//! domain's table again (the command line calls them directly).

use crate::api::{Auth, DEVICE_HEADER, bearer};
use crate::error::HubError;
use crate::hub::Hub;
use crate::openapi::{OPERATIONS, Operation};
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use loket_domain::Action;
use serde::Deserialize;

/// The prefix the API router is nested under.
const API_PREFIX: &str = "/api/v1";

/// The route that may carry its token in the query (browsers cannot set headers on a
/// WebSocket).
const QUERY_TOKEN_PATH: &str = "/api/v1/ws";

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Nothing.
    Open,
    /// Any valid token.
    AnyToken,
    /// A domain action.
    Action(Action),
}

/// The right an operation's `auth` names (`None`: a name the domain does not know).
pub fn right_of(op: &Operation) -> Option<Right> {
    match op.auth {
        "none" => Some(Right::Open),
        "any" => Some(Right::AnyToken),
        name => Action::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .map(Right::Action),
    }
}

/// The operation of a method and full route pattern (HEAD is served by GET routes).
pub fn operation(method: &Method, path: &str) -> Option<&'static Operation> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    OPERATIONS
        .iter()
        .find(|o| o.method == method && o.path == path)
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The middleware (a `route_layer` of the API router).
pub async fn guard(State(hub): State<Hub>, mut req: Request, next: Next) -> Response {
    let Some(pattern) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
    else {
        return next.run(req).await;
    };
    let path = if pattern.starts_with(API_PREFIX) {
        pattern
    } else {
        format!("{API_PREFIX}{pattern}")
    };
    let op = operation(req.method(), &path);
    if op.is_none() && OPERATIONS.iter().any(|o| o.path == path) {
        // A method the route does not serve: the router answers 405.
        return next.run(req).await;
    }
    let Some(right) = op.and_then(right_of) else {
        tracing::error!(method = %req.method(), route = %path, "route without a declared right in openapi::OPERATIONS");
        return HubError::Config(format!("{} {path} declares no right", req.method()))
            .into_response();
    };
    if right == Right::Open {
        return next.run(req).await;
    }
    let token = bearer(req.headers()).or_else(|| {
        (path == QUERY_TOKEN_PATH)
            .then(|| Query::<TokenQuery>::try_from_uri(req.uri()).ok())
            .flatten()
            .and_then(|Query(q)| q.token)
    });
    let Some(token) = token else {
        return HubError::Unauthenticated.into_response();
    };
    let device = req
        .headers()
        .get(DEVICE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(64).collect());
    let who = match hub.authenticate(&token, device).await {
        Ok(who) => who,
        Err(e) => return e.into_response(),
    };
    if let Right::Action(action) = right
        && let Err(e) = who.authorize(action)
    {
        return e.into_response();
    }
    req.extensions_mut().insert(Auth { who, token });
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_declares_a_right_the_domain_knows() {
        for op in OPERATIONS {
            assert!(
                right_of(op).is_some(),
                "{} {} declares `{}`, which is neither none, any nor a domain action",
                op.method,
                op.path,
                op.auth
            );
        }
    }

    #[test]
    fn head_is_looked_up_as_get_and_unknown_routes_have_no_operation() {
        assert!(operation(&Method::HEAD, "/api/v1/queue").is_some());
        assert!(operation(&Method::DELETE, "/api/v1/queue").is_none());
        assert!(operation(&Method::GET, "/api/v1/nothing").is_none());
    }
}
