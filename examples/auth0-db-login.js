// An Auth0 custom database Login script: `hookbox connection create users --script login=…`.
// The user store is a list here; a real one is reached over HTTP (see "Outbound HTTP").
const USERS = {
  'ada@example.com': { user_id: 'db|1', name: 'Ada Lovelace' },
};

function login(email, password, callback) {
  const user = USERS[email];
  if (!user || password !== configuration.PASSWORD) {
    return callback(new WrongUsernameOrPasswordError(email));
  }
  callback(null, { user_id: user.user_id, email: email, name: user.name, email_verified: true });
}
