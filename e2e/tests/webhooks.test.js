// An owner registers a webhook endpoint in the portal, pays an invoice, and a receiver on this
// machine gets payment.succeeded and invoice.paid, signed so that a second implementation of
// Standard Webhooks (Node's crypto here; PyPI's standardwebhooks in the Rust tests) verifies
// them; the endpoint's delivery log shows both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { withPortal, signIn, shot } from "../lib/portal.js";

function startReceiver() {
  const received = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, received, url: `http://127.0.0.1:${server.address().port}/hook` }));
  });
}

function verify(secret, { headers, body }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = createHmac("sha256", key).update(signed).digest("base64");
  return headers["webhook-signature"].split(" ").some((s) => s === `v1,${expected}`);
}

test("en-US: a webhook receiver gets the payment, verified, and the log shows it", async () => {
  const receiver = await startReceiver();
  try {
    await withPortal({}, async ({ page, baseUrl }) => {
      await signIn(page, baseUrl, "admin@nordlys.example");
      await page.goto(`${baseUrl}/billing`);
      await page.locator("a[href^='/billing/ba_']").first().click();
      await page.locator("[data-test-id=nav-webhooks]").click();
      await page.getByLabel("Endpoint URL").fill(receiver.url);
      await page.getByLabel("Payment succeeded").check();
      await page.getByLabel("Invoice paid").check();
      await page.locator("[data-test-id=webhook-create]").click();
      const secret = (await page.locator("[data-test-id=webhook-secret-value]").textContent()).trim();
      assert.match(secret, /^whsec_/);
      await shot(page, "webhooks-1-registered");

      await page.locator("[data-test-id=nav-invoices]").click();
      const row = page
        .locator("[data-test-id=invoice-row]")
        .filter({ hasText: "Nordlys Drift" })
        .filter({ has: page.locator('[data-test-id=invoice-status]:text-is("Due")') })
        .first();
      await row.getByRole("link", { name: "Pay now" }).click();
      await page.getByRole("radio", { name: /4242/ }).check();
      await page.getByRole("button", { name: "Pay now" }).click();
      await page.getByRole("heading", { name: "Payment succeeded" }).waitFor();

      const until = Date.now() + 15000;
      while (receiver.received.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.received.length, 2, JSON.stringify(receiver.received.map((r) => r.body)));
      const types = receiver.received.map((r) => JSON.parse(r.body).type).sort();
      assert.deepEqual(types, ["invoice.paid", "payment.succeeded"]);
      for (const delivery of receiver.received) assert.ok(verify(secret, delivery), delivery.body);

      await page.locator("[data-test-id=nav-webhooks]").click();
      await page.locator("[data-test-id=webhook-row] a").first().click();
      await assert.doesNotReject(page.locator("[data-test-id=attempt-row]").nth(1).waitFor());
      assert.equal(await page.locator("[data-test-id=attempt-row]").count(), 2);
      assert.equal(await page.locator("[data-test-id=attempt-row] td:nth-child(4)", { hasText: "200" }).count(), 2);
      await shot(page, "webhooks-2-log");
    });
  } finally {
    receiver.server.close();
  }
});
