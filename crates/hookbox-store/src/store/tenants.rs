//! Changing a tenant's settings after its creation.

use super::{Store, abort, tx_error, tx_get, tx_put};
use crate::StoreError;
use crate::model::Tenant;

impl Store {
    /// Changes a tenant atomically: `change` gets the stored record and
    /// edits it (it may run more than once). The id and creation time are
    /// kept whatever `change` does. `NotFound` if there is no such tenant.
    /// Returns the tenant as stored.
    pub fn update_tenant<F>(&self, tenant_id: &str, change: F) -> Result<Tenant, StoreError>
    where
        F: Fn(&mut Tenant),
    {
        self.tenants
            .transaction(|tenants| {
                let Some(mut tenant) = tx_get::<Tenant>(tenants, tenant_id.as_bytes())? else {
                    return abort(StoreError::NotFound(format!("tenant {tenant_id}")));
                };
                let (id, created_at) = (tenant.id.clone(), tenant.created_at.clone());
                change(&mut tenant);
                tenant.id = id;
                tenant.created_at = created_at;
                tx_put(tenants, tenant_id.as_bytes(), &tenant)?;
                Ok(tenant)
            })
            .map_err(tx_error)
    }
}
