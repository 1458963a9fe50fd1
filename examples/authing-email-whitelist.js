// Authing pipeline (PRE_REGISTER): only let users from allowed email domains in.
// ALLOWED_DOMAINS is a tenant environment variable, e.g. "example.com,example.org".
async function pipe(user, context, callback) {
  const allowed = (env.ALLOWED_DOMAINS || "example.com").split(",");
  const domain = (user.email || "").split("@")[1];
  if (!allowed.includes(domain)) {
    return callback(new Error("Access denied."));
  }
  callback(null, user, context);
}
