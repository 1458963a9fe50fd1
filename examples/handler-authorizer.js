// A FunctionGraph/Lambda-style custom authorizer.
exports.handler = async (event, context) => {
  const auth = (event.headers || {}).authorization || "";
  if (auth === "Bearer " + (env.API_TOKEN || "let-me-in")) {
    return { statusCode: 200, body: { status: "allow", context: { user: "ada" } } };
  }
  return { statusCode: 200, body: { status: "deny" } };
};
