/**
 * An Auth0 pre-user-registration hook.
 * @param {object} user
 * @param {object} context
 * @param {function} cb
 */
module.exports = function (user, context, cb) {
  const response = {};
  response.user = { user_metadata: { plan: "free" }, app_metadata: { signup: context.connection || "db" } };
  cb(null, response);
};
