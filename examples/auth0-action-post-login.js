// An Auth0 Action on the post-login trigger. Unverified emails are denied;
// the user's plan goes into the ID token under the namespace held in the
// Action's secret CLAIM_NAMESPACE; a first login records the plan in
// app_metadata (hookbox hands it back to the gateway as `metadata`); admins
// must pass MFA (handed back as a command).
exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified) {
    return api.access.deny("Please verify your email first.");
  }
  const plan = event.user.app_metadata.plan || "free";
  api.idToken.setCustomClaim(event.secrets.CLAIM_NAMESPACE + "/plan", plan);
  if (!event.user.app_metadata.plan) {
    api.user.setAppMetadata("plan", plan);
  }
  const roles = (event.authorization && event.authorization.roles) || [];
  if (roles.includes("admin")) {
    api.multifactor.enable("any", { allowRememberBrowser: false });
  }
};
