// Authing's documented example: refuse registrations during Sunday 3–6 a.m. maintenance.
async function pipe(user, context, callback) {
  const date = new Date();
  const d = date.getDay();
  const n = date.getHours();
  // Disable registration from 3-6 a.m. every Sunday
  if (d === 0 && 3 <= n && n <= 6) {
    return callback(new Error("System maintenance, registration is temporarily suspended!"));
  }
  callback(null, user, context);
}
