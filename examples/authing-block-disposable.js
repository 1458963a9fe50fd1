// Authing pipeline (PRE_REGISTER): refuse throwaway email addresses.
// BLOCKED_DOMAINS, a tenant environment variable ("spam.test,junk.test"), adds to the built-in list.
async function pipe(user, context, callback) {
  const blocked = ["mailinator.com", "guerrillamail.com", "10minutemail.com"].concat(
    (env.BLOCKED_DOMAINS || "").split(",").filter(Boolean),
  );
  const domain = ((user.email || "").split("@")[1] || "").toLowerCase();
  if (blocked.includes(domain)) {
    console.warn(`blocked ${user.email}`);
    return callback(new Error("Disposable email addresses are not accepted."));
  }
  console.log(`checked ${user.email}`);
  callback(null, user, context);
}
