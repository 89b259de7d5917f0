/* A badge token checked on the phone, with no network (docs/architecture.md "Badge tokens";
   the server's twin is talento/projects/badge_tokens.py): base64url(payload) "." base64url(
   Ed25519 signature), the payload compact JSON {b: booking code, p: project id, f/t: first and
   last booked day, k: key id, v: 1}. Verified with WebCrypto against the public keys of the
   day's roster, then checked against the roster's project and day. Returns the claims, or the
   reason of the refusal: bad_format, unknown_key, bad_signature, other_project, other_day. */
(function () {
  "use strict";

  const MAX_TOKEN_LENGTH = 1024;
  const B64U = /^[A-Za-z0-9_-]+$/;
  const imported = new Map(); // "kid:x" → CryptoKey

  function b64u(text) {
    if (!B64U.test(text) || text.length % 4 === 1) throw new Error("not base64url");
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    if (encode(bytes) !== text) throw new Error("not canonical");
    return bytes;
  }

  function encode(bytes) {
    let raw = "";
    for (const byte of bytes) raw += String.fromCharCode(byte);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function claimsOf(payload) {
    const data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
    const isDate = (v) => v === null || (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v));
    if (!data || typeof data !== "object" || data.v !== 1) throw new Error("version");
    if (typeof data.b !== "string" || !data.b || typeof data.k !== "string") throw new Error("fields");
    if (!Number.isInteger(data.p)) throw new Error("project");
    if (!isDate(data.f === undefined ? null : data.f) || !isDate(data.t === undefined ? null : data.t)) {
      throw new Error("dates");
    }
    return { code: data.b, project: data.p, from: data.f || null, until: data.t || null, kid: data.k };
  }

  async function keyFor(keys, kid) {
    const jwk = (keys || []).find((key) => key.kid === kid && key.alg === "Ed25519");
    if (!jwk) return null;
    const cacheKey = jwk.kid + ":" + jwk.x;
    if (!imported.has(cacheKey)) {
      imported.set(cacheKey, await crypto.subtle.importKey(
        "raw", b64u(jwk.x), { name: "Ed25519" }, false, ["verify"]));
    }
    return imported.get(cacheKey);
  }

  /* roster: {project_id, day: "YYYY-MM-DD", keys: [{kid, alg, x}]} */
  async function verify(token, roster) {
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return { reason: "bad_format" };
    const parts = token.split(".");
    if (parts.length !== 2) return { reason: "bad_format" };
    let payload, signature, claims;
    try {
      payload = b64u(parts[0]);
      signature = b64u(parts[1]);
      claims = claimsOf(payload);
    } catch (error) {
      return { reason: "bad_format" };
    }
    if (signature.length !== 64) return { reason: "bad_format" };
    const key = await keyFor(roster.keys, claims.kid);
    if (!key) return { reason: "unknown_key" };
    let genuine = false;
    try {
      genuine = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, payload);
    } catch (error) {
      genuine = false;
    }
    if (!genuine) return { reason: "bad_signature" };
    if (claims.project !== roster.project_id) return { reason: "other_project", claims };
    if ((claims.from && roster.day < claims.from) || (claims.until && roster.day > claims.until)) {
      return { reason: "other_day", claims };
    }
    return { claims };
  }

  window.ScannerVerify = { verify };
})();
