// An independent ActivityPub server for Herd's tests, built on Fedify. It hosts one actor,
// `bob`, at http://<host>:<port>/users/bob and records every activity its inboxes accept
// (Fedify accepts only activities whose HTTP signature verifies against the sender's key).
//
//   node peer.mjs <port>
//
// Test hosts ending in `.test` resolve to 127.0.0.1 inside this process (no /etc/hosts);
// NODE_EXTRA_CA_CERTS names the test CA that signed the TLS proxy's certificate.
// Control endpoints for the test, beside the federation routes:
//   GET  /_test/received              activities accepted so far (JSON)
//   POST /_test/follow?handle=h       look `h` up through WebFinger (https) and follow it
//   POST /_test/mention?text=t        send a public post mentioning the followed account
//   POST /_test/flag?text=t           report the followed account to its server (a Flag)

import dns from "node:dns";
import http from "node:http";
import {
  Accept,
  Create,
  Endpoints,
  Flag,
  Follow,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Person,
  Undo,
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
} from "@fedify/fedify";
import { Agent, setGlobalDispatcher } from "undici";

const port = Number(process.argv[2]);
if (!port) {
  console.error("usage: node peer.mjs <port>");
  process.exit(2);
}

// `*.test` names are reached on loopback; everything else resolves normally.
setGlobalDispatcher(
  new Agent({
    connect: {
      lookup(hostname, options, callback) {
        if (!hostname.endsWith(".test")) return dns.lookup(hostname, options, callback);
        if (options && options.all) return callback(null, [{ address: "127.0.0.1", family: 4 }]);
        return callback(null, "127.0.0.1", 4);
      },
    },
  }),
);

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
const received = [];
let followed = null;

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "bob") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Bob of Fedify",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === "bob" ? keys : []));

const record = async (kind, activity, extra = {}) => {
  received.push({ type: kind, id: activity.id?.href, actor: activity.actorId?.href, ...extra });
};

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (_ctx, accept) => record("Accept", accept, { object: accept.objectId?.href }))
  .on(Follow, async (_ctx, follow) => record("Follow", follow, { object: follow.objectId?.href }))
  .on(Undo, async (_ctx, undo) => record("Undo", undo))
  .on(Create, async (_ctx, create) => {
    const object = await create.getObject();
    await record("Create", create, { object: object?.id?.href, content: object?.content?.toString() });
  });

const base = `http://peer.test:${port}`;

async function control(url, res) {
  const ctx = federation.createContext(new URL(base), undefined);
  const send = (body) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === "/_test/received") return send(received);
  if (url.pathname === "/_test/follow") {
    const target = await ctx.lookupObject(url.searchParams.get("handle"));
    if (!target || !target.id || !target.inboxId) return send({ error: "not found" });
    followed = target;
    await ctx.sendActivity(
      { identifier: "bob" },
      target,
      new Follow({ id: new URL(`${base}/follows/${Date.now()}`), actor: ctx.getActorUri("bob"), object: target.id }),
    );
    return send({ id: target.id.href, inbox: target.inboxId.href, name: target.preferredUsername });
  }
  if (url.pathname === "/_test/mention") {
    if (!followed) return send({ error: "follow someone first" });
    const id = `${base}/notes/${Date.now()}`;
    const note = new Note({
      id: new URL(id),
      attribution: ctx.getActorUri("bob"),
      to: PUBLIC_COLLECTION,
      content: `<p><a href="${followed.id.href}">@${followed.preferredUsername}</a> ${url.searchParams.get("text")}</p>`,
      tags: [new Mention({ href: followed.id, name: `@${followed.preferredUsername}` })],
    });
    await ctx.sendActivity(
      { identifier: "bob" },
      followed,
      new Create({ id: new URL(`${id}/activity`), actor: ctx.getActorUri("bob"), to: PUBLIC_COLLECTION, object: note }),
    );
    return send({ id });
  }
  if (url.pathname === "/_test/flag") {
    if (!followed) return send({ error: "follow someone first" });
    const id = `${base}/flags/${Date.now()}`;
    await ctx.sendActivity(
      { identifier: "bob" },
      followed,
      new Flag({ id: new URL(id), actor: ctx.getActorUri("bob"), objects: [followed.id], content: url.searchParams.get("text") }),
    );
    return send({ id });
  }
  res.writeHead(404);
  res.end();
}

http
  .createServer(async (req, res) => {
    try {
      const url = new URL(req.url, `http://${req.headers.host}`);
      if (url.pathname.startsWith("/_test/")) return await control(url, res);
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      const request = new Request(url, {
        method: req.method,
        headers,
        body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
      });
      const response = await federation.fetch(request, { contextData: undefined });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      console.error(e);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(e) }));
    }
  })
  .listen(port, "127.0.0.1", () => console.log(`peer listening on ${port}`));
