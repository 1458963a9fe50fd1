// An Auth0 custom database Get User script: a profile, or `callback(null)` for no such user.
const USERS = {
  'ada@example.com': { user_id: 'db|1', name: 'Ada Lovelace' },
};

function getByEmail(email, callback) {
  const user = USERS[email];
  if (!user) return callback(null);
  callback(null, { user_id: user.user_id, email: email, name: user.name });
}
