function countLogins(user, context, callback) {
  // An Auth0 rule that keeps a login count in app_metadata. hookbox does not
  // write to Auth0: auth0.users.updateAppMetadata resolves at once and the
  // update comes back as `metadata` for the gateway to persist.
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.logins = (user.app_metadata.logins || 0) + 1;
  auth0.users
    .updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () {
      context.idToken = context.idToken || {};
      context.idToken["https://example.com/logins"] = user.app_metadata.logins;
      callback(null, user, context);
    })
    .catch(function (err) {
      callback(err);
    });
}
