function addRolesToIdToken(user, context, callback) {
  // An Auth0 rule: the whole script is one function expression.
  const namespace = "https://example.com/";
  const roles = (user.app_metadata && user.app_metadata.roles) || [];
  context.idToken = context.idToken || {};
  context.idToken[namespace + "roles"] = roles;
  callback(null, user, context);
}
