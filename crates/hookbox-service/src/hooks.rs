//! Auth0 hooks on hookbox's machinery: what a hook gets (`context.webtask.secrets`),
//! what its callback payload means to the pipeline, and which declared
//! dependencies hookbox can honour (see `service/packages.rs`).

use crate::model::ServiceError;
use hookbox_engine::{Input, Tokens};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The Auth0 hook triggers (also in [`crate::SCENES`]).
pub const TRIGGERS: &[&str] = &[
    "credentials-exchange",
    "pre-user-registration",
    "post-user-registration",
    "post-change-password",
    "send-phone-message",
];

/// A hook may hold at most this many secrets (Auth0's limit).
pub const MAX_SECRETS: usize = 20;
/// Longest secret value, in bytes.
pub const MAX_SECRET_BYTES: usize = 8 * 1024;

pub fn is_trigger(scene: &str) -> bool {
    TRIGGERS.contains(&scene)
}

pub(crate) fn check_secret_name(name: &str) -> Result<(), ServiceError> {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(ServiceError::invalid(
            "secrets",
            format!("{name:?}: a secret name is 1–128 letters, digits, '_' or '-'"),
        ));
    }
    Ok(())
}

pub(crate) fn check_secret_value(name: &str, value: &str) -> Result<(), ServiceError> {
    if value.len() > MAX_SECRET_BYTES {
        return Err(ServiceError::invalid(
            "secrets",
            format!("{name}: a secret value is at most {MAX_SECRET_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Gives a hook its secrets where Auth0 hooks read them,
/// `context.webtask.secrets`: in `context`, or in the last argument when the
/// caller passed the trigger's arguments explicitly (`credentials-exchange`
/// gets `client, scope, audience, context`).
pub(crate) fn inject_secrets(input: &mut Input, secrets: &BTreeMap<String, String>) {
    let secrets: Map<String, Value> = secrets
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let context = match input.args.as_mut() {
        Some(args) => match args.last_mut() {
            Some(last @ Value::Object(_)) => last,
            _ => return,
        },
        None => {
            if !input.context.is_object() {
                input.context = Value::Object(Map::new());
            }
            &mut input.context
        }
    };
    let Value::Object(context) = context else {
        return;
    };
    let webtask = context
        .entry("webtask")
        .or_insert_with(|| Value::Object(Map::new()));
    if !webtask.is_object() {
        *webtask = Value::Object(Map::new());
    }
    if let Value::Object(webtask) = webtask {
        webtask.insert("secrets".into(), Value::Object(secrets));
    }
}

/// Takes the secrets back out of a context a script returned, so they never
/// reach the gateway by accident.
pub(crate) fn strip_secrets(context: &mut Value) {
    let Some(Value::Object(webtask)) = context.get_mut("webtask") else {
        return;
    };
    webtask.remove("secrets");
    if webtask.is_empty()
        && let Value::Object(c) = context
    {
        c.remove("webtask");
    }
}

/// The user metadata a `pre-user-registration` hook's payload sets
/// (`{user: {app_metadata, user_metadata}}`), as a
/// [`hookbox_engine::Metadata`] patch; empty
/// for other triggers.
pub(crate) fn payload_metadata(trigger: &str, payload: &Value) -> hookbox_engine::Metadata {
    let mut metadata = hookbox_engine::Metadata::default();
    if trigger != "pre-user-registration" {
        return metadata;
    }
    let user = payload.get("user");
    if let Some(Value::Object(m)) = user.and_then(|u| u.get("app_metadata")) {
        metadata.app_metadata = m.clone();
    }
    if let Some(Value::Object(m)) = user.and_then(|u| u.get("user_metadata")) {
        metadata.user_metadata = m.clone();
    }
    metadata
}

/// What an Auth0 hook's `cb(null, payload)` does to the pipeline's result:
/// - `pre-user-registration`: `{user: {user_metadata, app_metadata}}` is
///   merged into the user being created (only those two, as Auth0 does);
/// - `credentials-exchange`: the payload is the access token's claims
///   (`{scope, "https://…": …}`), added to the access token;
/// - the other triggers only observe: the payload changes nothing.
pub(crate) fn apply_payload(trigger: &str, payload: &Value, user: &mut Value, tokens: &mut Tokens) {
    match trigger {
        "pre-user-registration" => {
            let Some(Value::Object(patch)) = payload.get("user") else {
                return;
            };
            if !user.is_object() {
                *user = Value::Object(Map::new());
            }
            let Value::Object(user) = user else { return };
            for field in ["user_metadata", "app_metadata"] {
                let Some(Value::Object(add)) = patch.get(field) else {
                    continue;
                };
                let target = user
                    .entry(field)
                    .or_insert_with(|| Value::Object(Map::new()));
                if !target.is_object() {
                    *target = Value::Object(Map::new());
                }
                if let Value::Object(target) = target {
                    for (k, v) in add {
                        target.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        "credentials-exchange" => {
            if let Value::Object(claims) = payload {
                for (k, v) in claims {
                    tokens.access_token.insert(k.clone(), v.clone());
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secrets() -> BTreeMap<String, String> {
        BTreeMap::from([("API_KEY".to_string(), "k".to_string())])
    }

    #[test]
    fn secrets_go_into_the_context_or_the_last_argument_and_come_back_out() {
        let mut input = Input {
            context: json!({"connection": "db", "webtask": {"meta": 1}}),
            ..Input::default()
        };
        inject_secrets(&mut input, &secrets());
        assert_eq!(
            input.context,
            json!({"connection": "db", "webtask": {"meta": 1, "secrets": {"API_KEY": "k"}}})
        );
        strip_secrets(&mut input.context);
        assert_eq!(
            input.context,
            json!({"connection": "db", "webtask": {"meta": 1}})
        );

        let mut input = Input {
            args: Some(vec![
                json!({"id": "c"}),
                json!(["read"]),
                json!("aud"),
                json!({}),
            ]),
            ..Input::default()
        };
        inject_secrets(&mut input, &secrets());
        assert_eq!(
            input.args.as_ref().unwrap()[3],
            json!({"webtask": {"secrets": {"API_KEY": "k"}}})
        );
        assert_eq!(input.context, Value::Null);
        let mut c = input.args.unwrap().pop().unwrap();
        strip_secrets(&mut c);
        assert_eq!(c, json!({}));
    }

    #[test]
    fn payloads_map_per_trigger() {
        let mut user = json!({"email": "a@b.c", "user_metadata": {"keep": 1}});
        let mut tokens = Tokens::default();
        let payload = json!({"user": {"user_metadata": {"plan": "free"}, "app_metadata": {"x": 1}, "email": "evil"}});
        apply_payload("pre-user-registration", &payload, &mut user, &mut tokens);
        assert_eq!(
            user,
            json!({"email": "a@b.c", "user_metadata": {"keep": 1, "plan": "free"}, "app_metadata": {"x": 1}})
        );
        apply_payload(
            "credentials-exchange",
            &json!({"scope": ["read"], "https://c/x": 2}),
            &mut user,
            &mut tokens,
        );
        assert_eq!(tokens.access_token.get("https://c/x"), Some(&json!(2)));
        let before = user.clone();
        apply_payload(
            "post-user-registration",
            &json!({"user": {"user_metadata": {"no": 1}}}),
            &mut user,
            &mut tokens,
        );
        assert_eq!(user, before);
    }
}
