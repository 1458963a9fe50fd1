//! A tenant's settings after its creation: its name and its Auth0 domain,
//! which the rules' `auth0.domain` and `auth0.baseUrl` read (through
//! [`hookbox_engine::CallMeta::domain`]).

use super::{MAX_TENANT_NAME_CHARS, Service};
use crate::model::{ServiceError, check_name_chars};
use hookbox_store::Tenant;
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::Arc;

/// Longest domain name (RFC 1035: 253 characters in text form).
pub const MAX_DOMAIN_CHARS: usize = 253;
/// Longest label of a domain name (RFC 1035).
const MAX_LABEL_CHARS: usize = 63;

/// A change to a tenant (`PATCH /v1/tenants/{id}`): absent fields keep their
/// value; `"domain": null` removes the domain. Any other field is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain: Option<Option<String>>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Checks a tenant's Auth0 domain: a host name as Auth0 shows it
/// (`acme.eu.auth0.com`, or a custom domain such as `login.acme.com`), with
/// no scheme, port or path, since rules build `https://{domain}/api/v2` from
/// it. Returned lower-cased.
pub fn check_domain(domain: &str) -> Result<String, ServiceError> {
    let rule = |why: &str| {
        ServiceError::invalid(
            "domain",
            format!(
                "{why}; a domain is a host name such as acme.eu.auth0.com: labels of letters, digits and '-', joined by '.', at most {MAX_DOMAIN_CHARS} characters, without a scheme, port or path"
            ),
        )
    };
    if domain.is_empty() {
        return Err(rule("must not be empty"));
    }
    if domain.len() > MAX_DOMAIN_CHARS {
        return Err(rule(&format!("is {} characters", domain.len())));
    }
    if domain.contains("://") || domain.contains(['/', ':', '?', '#', '@']) {
        return Err(rule(&format!("{domain:?} is not a bare host name")));
    }
    for label in domain.split('.') {
        let valid = (1..=MAX_LABEL_CHARS).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(rule(&format!("{domain:?} has the label {label:?}")));
        }
    }
    Ok(domain.to_ascii_lowercase())
}

pub(super) fn check_tenant_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_TENANT_NAME_CHARS {
        return Err(ServiceError::invalid(
            "name",
            format!("must be 1–{MAX_TENANT_NAME_CHARS} characters"),
        ));
    }
    check_name_chars("name", &name)?;
    Ok(name)
}

impl Service {
    /// Changes a tenant's name or Auth0 domain; every field is checked
    /// before anything is written. Returns the tenant as stored. Takes
    /// effect for the next call.
    pub async fn update_tenant(
        &self,
        tenant: &str,
        patch: TenantPatch,
    ) -> Result<Tenant, ServiceError> {
        let name = patch.name.as_deref().map(check_tenant_name).transpose()?;
        let domain = match patch.domain {
            Some(Some(d)) => Some(Some(check_domain(&d)?)),
            other => other,
        };
        let t = tenant.to_string();
        let stored = self
            .blocking(move |s| {
                let stored = s.update_tenant(&t, &|record| {
                    if let Some(name) = &name {
                        record.name = name.clone();
                    }
                    if let Some(domain) = &domain {
                        record.domain = domain.clone();
                    }
                })?;
                s.flush()?;
                Ok(stored)
            })
            .await?;
        self.inner.domains.invalidate(&tenant.to_string());
        Ok(stored)
    }

    /// A tenant's Auth0 domain, cached; `None` when unset (or when the
    /// tenant is gone).
    pub(super) async fn domain(&self, tenant: &str) -> Result<Arc<Option<String>>, ServiceError> {
        let key = tenant.to_string();
        let ticket = match self.cached(&self.inner.domains, &key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let t = tenant.to_string();
        let domain = match self
            .blocking(move |s| Ok(s.get_tenant(&t)?.and_then(|t| t.domain)))
            .await
        {
            Ok(domain) => Arc::new(domain),
            Err(e) => return self.stale(&self.inner.domains, &key, e),
        };
        self.inner.domains.fill(ticket, key, domain.clone());
        Ok(domain)
    }
}

impl Service {
    /// The access key whose secret is `secret` (the token exchanges of the
    /// native API and of the Auth0 front); `None` for an unknown id or a
    /// wrong secret, which a caller must not tell apart. The hash
    /// comparison takes the same time wherever the hashes differ.
    pub async fn verify_key(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<Option<hookbox_store::AccessKey>, ServiceError> {
        let (id, secret) = (access_key_id.to_string(), secret.to_string());
        self.blocking(move |s| s.verify_key(&id, &secret)).await
    }

    /// A new key pair of `role` for `tenant`: the key and its secret (hex),
    /// shown this once; only a salted hash of it is kept. `NotFound` for an
    /// unknown tenant.
    pub async fn create_key(
        &self,
        tenant: &str,
        role: hookbox_store::Role,
    ) -> Result<(hookbox_store::AccessKey, String), ServiceError> {
        let t = tenant.to_string();
        self.blocking(move |s| {
            let pair = s.create_key(&t, role)?;
            s.flush()?;
            Ok(pair)
        })
        .await
    }

    /// A tenant's keys, metadata only (never a secret), oldest first.
    pub async fn list_keys(
        &self,
        tenant: &str,
    ) -> Result<Vec<hookbox_store::AccessKey>, ServiceError> {
        let t = tenant.to_string();
        self.blocking(move |s| s.list_keys(&t)).await
    }

    /// Revokes one of a tenant's keys: it is no longer exchanged for a token
    /// nor accepted on a signed request. Tokens already issued for it stay
    /// valid until they expire (two hours after they were issued). Errors: `NotFound` for a key the tenant does not
    /// have; `Conflict` for its last admin key.
    pub async fn revoke_key(&self, tenant: &str, access_key_id: &str) -> Result<(), ServiceError> {
        let (t, k) = (tenant.to_string(), access_key_id.to_string());
        let revoked = self
            .blocking(move |s| {
                let revoked = s.revoke_key(&t, &k)?;
                s.flush()?;
                Ok(revoked)
            })
            .await?;
        if revoked {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!("key {access_key_id}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_bare_host_names() {
        assert_eq!(
            check_domain("Acme.EU.auth0.com").unwrap(),
            "acme.eu.auth0.com"
        );
        assert_eq!(
            check_domain("login-1.example.com").unwrap(),
            "login-1.example.com"
        );
        for bad in [
            "",
            "https://acme.auth0.com",
            "acme.auth0.com/",
            "acme.auth0.com:443",
            "acme..com",
            "-acme.com",
            "acme_1.com",
            "user@acme.com",
            "ac me.com",
        ] {
            let err = check_domain(bad).unwrap_err().to_string();
            assert!(err.starts_with("domain: "), "{bad:?}: {err}");
        }
        assert!(check_domain(&"a".repeat(64)).is_err(), "a label of 64");
        let long = vec!["a".repeat(63); 5].join(".");
        assert!(check_domain(&long).is_err(), "over 253 characters");
    }

    #[test]
    fn a_patch_tells_null_from_absent() {
        let p: TenantPatch = serde_json::from_str(r#"{"domain": null}"#).unwrap();
        assert_eq!(p.domain, Some(None));
        let p: TenantPatch = serde_json::from_str(r#"{"name": "x"}"#).unwrap();
        assert_eq!(p.domain, None);
        assert!(serde_json::from_str::<TenantPatch>(r#"{"domian": "x"}"#).is_err());
    }
}
