//! The stages a gateway calls hookbox at.

/// Authing's pipeline scenes, then the Auth0 hook triggers, which run on the
/// same machinery.
pub const SCENES: &[&str] = &[
    "PRE_REGISTER",
    "POST_REGISTER",
    "PRE_AUTHENTICATION",
    "POST_AUTHENTICATION",
    "PRE_OIDC_ID_TOKEN_ISSUED",
    "PRE_OIDC_ACCESS_TOKEN_ISSUED",
    "PRE_COMPLETE_USER_INFO",
    "credentials-exchange",
    "pre-user-registration",
    "post-user-registration",
    "post-change-password",
    "send-phone-message",
];

/// Whether `scene` is one hookbox knows.
pub fn is_scene(scene: &str) -> bool {
    SCENES.contains(&scene)
}
