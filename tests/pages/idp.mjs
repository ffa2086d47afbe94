// A small OpenID Connect provider for the single sign-on test: panva's oidc-provider (an
// OpenID Certified implementation, from npm) with its development sign-in pages, on
// 127.0.0.1. Any password is accepted; the login names the person, whose claims come from
// the configuration file.
//
// Arguments: the port, and a JSON file
//   { "clients": [{ "client_id", "client_secret", "redirect_uris": [...] }],
//     "people": { "alice": { "email", "email_verified", "name", "preferred_username" } } }
// Prints "ready" once it listens.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const [port, file] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(file, "utf8"));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: cfg.clients.map((c) => ({
    ...c,
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  })),
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
  },
  async findAccount(ctx, id) {
    const person = cfg.people[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
  cookies: { keys: ["herd-test-provider-cookie-key"] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
});
provider.on("server_error", (ctx, err) => console.error("provider error:", err));
provider.listen(Number(port), "127.0.0.1", () => console.log("ready"));
