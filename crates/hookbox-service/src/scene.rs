//! The stages a gateway calls hookbox at.

/// Authing's pipeline scenes, then Auth0's Actions triggers (the hook
/// triggers among them), then FunctionGraph's custom authorizer; all run on
/// the same machinery. Last, [`EVENTS`], for functions that only handle
/// events.
pub const SCENES: &[&str] = &[
    "PRE_REGISTER",
    "POST_REGISTER",
    "PRE_AUTHENTICATION",
    "POST_AUTHENTICATION",
    "PRE_OIDC_ID_TOKEN_ISSUED",
    "PRE_OIDC_ACCESS_TOKEN_ISSUED",
    "PRE_COMPLETE_USER_INFO",
    "post-login",
    "credentials-exchange",
    "pre-user-registration",
    "post-user-registration",
    "post-change-password",
    "send-phone-message",
    AUTHORIZER,
    EVENTS,
];

/// Auth0 Actions' trigger ids. A function of a scene named after one runs
/// that trigger's handler (`exports.onExecutePostLogin` for `post-login`, …);
/// rules, hooks and pipelines in the same scene ignore it. Source: Auth0's
/// "Explore triggers" pages.
pub const ACTION_TRIGGERS: &[&str] = &[
    "post-login",
    "pre-user-registration",
    "post-user-registration",
    "credentials-exchange",
    "post-change-password",
    "send-phone-message",
];

/// FunctionGraph's custom authorizer: the result of every function of this
/// scene is checked against API Gateway's contract (see `authorizer.rs`).
pub const AUTHORIZER: &str = "authorizer";

/// Functions that only handle events (`POST /v1/events`, by their
/// `events`): no scene run runs them.
pub const EVENTS: &str = "events";

/// Whether `scene` is one hookbox knows.
pub fn is_scene(scene: &str) -> bool {
    SCENES.contains(&scene)
}

/// The Actions trigger a scene runs, if it is one.
pub fn action_trigger(scene: &str) -> Option<&'static str> {
    ACTION_TRIGGERS.iter().copied().find(|t| *t == scene)
}
