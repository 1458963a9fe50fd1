//! The rules both backends apply inside their transactions, written once:
//! what a new scene order or a binding of Actions is, or why it is refused.

use crate::StoreError;
use crate::model::FunctionRecord;
use std::collections::HashSet;

/// The scene order after `order` is applied to `current`: `order` first,
/// then (when `partial`) the others in their places. `None` when the scene
/// has no functions (nothing to store). `Invalid` for an id not in the
/// scene, an id listed twice, or (unless `partial`) a function left out.
pub(crate) fn reordered(
    scene: &str,
    current: &[String],
    order: &[String],
    partial: bool,
) -> Result<Option<Vec<String>>, StoreError> {
    let mut seen = HashSet::new();
    for id in order {
        if !current.contains(id) {
            return Err(StoreError::Invalid(format!(
                "function {id} is not in scene {scene}"
            )));
        }
        if !seen.insert(id) {
            return Err(StoreError::Invalid(format!(
                "function {id} is listed twice"
            )));
        }
    }
    let rest = current.iter().filter(|id| !seen.contains(id));
    if !partial && let Some(missing) = rest.clone().next() {
        return Err(StoreError::Invalid(format!(
            "the order must list every function of scene {scene}; {missing} is missing"
        )));
    }
    if current.is_empty() {
        return Ok(None);
    }
    Ok(Some(order.iter().chain(rest).cloned().collect()))
}

/// Checks a binding of `bound` (Auth0's trigger bindings) against the
/// scene's `current` order and its functions as `record` finds them:
/// `Invalid` for an id bound twice, not in the scene, not `selects`ed, or
/// never deployed.
pub(crate) fn check_binding(
    scene: &str,
    current: &[String],
    bound: &[String],
    record: impl Fn(&str) -> Option<FunctionRecord>,
    selects: &dyn Fn(&FunctionRecord) -> bool,
) -> Result<(), StoreError> {
    for (at, id) in bound.iter().enumerate() {
        if bound[..at].contains(id) {
            return Err(StoreError::Invalid(format!(
                "action {id} is bound twice; bind an action once per trigger"
            )));
        }
        let Some(record) = record(id).filter(|r| current.contains(id) && selects(r)) else {
            return Err(StoreError::Invalid(format!(
                "{id} is not an action of the {scene} trigger"
            )));
        };
        if record.deployed_version == 0 {
            return Err(StoreError::Invalid(format!(
                "action {:?} has no deployed version; deploy it before binding it",
                record.func_name
            )));
        }
    }
    Ok(())
}

/// `record` as a binding leaves it, if the binding changes it: enabled when
/// bound, disabled when not (only the functions `selects` picks), its
/// revision bumped and stamped `now`.
pub(crate) fn rebound(
    mut record: FunctionRecord,
    bound: &[String],
    selects: &dyn Fn(&FunctionRecord) -> bool,
    now: &str,
) -> Option<FunctionRecord> {
    let wanted = bound.contains(&record.func_id);
    if !selects(&record) || record.enabled == wanted {
        return None;
    }
    record.enabled = wanted;
    record.version += 1;
    record.updated_at = now.to_string();
    Some(record)
}

/// The scene order after a binding: the bound first, then the rest.
pub(crate) fn bound_order(current: &[String], bound: &[String]) -> Vec<String> {
    let rest = current.iter().filter(|id| !bound.contains(id));
    bound.iter().chain(rest).cloned().collect()
}
