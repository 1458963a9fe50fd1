// A FunctionGraph custom authorizer (API Gateway's frontend authorizer): the
// body is a JSON string whose status is "allow" or "deny"; its flat context
// reaches the backend as parameters. The expected token is the function's
// environment variable API_TOKEN.
exports.handler = async (event, context) => {
  const auth = (event.headers || {}).authorization || "";
  const expected = context.getUserData("API_TOKEN") || "let-me-in";
  if (auth === "Bearer " + expected) {
    return { statusCode: 200, body: JSON.stringify({ status: "allow", context: { user: "ada" } }) };
  }
  return { statusCode: 200, body: JSON.stringify({ status: "deny" }) };
};
