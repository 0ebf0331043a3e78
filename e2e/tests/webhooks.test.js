// An owner registers a webhook endpoint in the portal, pays an invoice, and a receiver on this
// machine gets payment.succeeded and invoice.paid, signed so that independent implementations
// of Standard Webhooks verify them (PyPI's standardwebhooks, from the tests' Python, and Node's
// crypto); the endpoint's delivery log shows both, and the receipt with its PDF is in the SMTP
// server's mailbox. In English and in Danish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { spawnSync } from "node:child_process";
import { withPortal, signIn, shot, waitForMail } from "../lib/portal.js";

const WORDS = {
  "en-US": {
    signIn: "Sign in", url: "Endpoint URL", succeeded: "Payment succeeded", invoicePaid: "Invoice paid",
    due: "Due", payNow: "Pay now", done: "Payment succeeded",
  },
  "da-DK": {
    signIn: "Log på", url: "Endpointets URL", succeeded: "Betaling gennemført", invoicePaid: "Faktura betalt",
    due: "Forfalder", payNow: "Betal nu", done: "Betalingen er gennemført",
  },
};

/** Verifies a delivery with PyPI's standardwebhooks (`Webhook(secret).verify`); null without it. */
function verifiedByStandardWebhooks(secret, { headers, body }) {
  const python = process.env.FAKTURA_TEST_PYTHON;
  if (!python) {
    if (process.env.CI === "true") throw new Error("CI must verify with standardwebhooks: set FAKTURA_TEST_PYTHON");
    return null;
  }
  const script = [
    "import json, sys",
    "from standardwebhooks.webhooks import Webhook",
    "given = json.load(sys.stdin)",
    "print(json.dumps(Webhook(given['secret']).verify(given['body'], given['headers'])))",
  ].join("\n");
  const run = spawnSync(python, ["-c", script], {
    input: JSON.stringify({ secret, body, headers: {
      "webhook-id": headers["webhook-id"],
      "webhook-timestamp": headers["webhook-timestamp"],
      "webhook-signature": headers["webhook-signature"],
    } }),
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

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

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: a webhook receiver gets the payment, verified, the log shows it, the receipt is mailed`, async () => {
    const receiver = await startReceiver();
    try {
      await withPortal({ locale }, async ({ page, baseUrl, mailDir, viaSmtp }) => {
        await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
        await page.goto(`${baseUrl}/billing`);
        await page.locator("a[href^='/billing/ba_']").first().click();
        await page.locator("[data-test-id=nav-webhooks]").click();
        await page.getByLabel(w.url).fill(receiver.url);
        await page.getByLabel(w.succeeded).check();
        await page.getByLabel(w.invoicePaid).check();
        await page.locator("[data-test-id=webhook-create]").click();
        const secret = (await page.locator("[data-test-id=webhook-secret-value]").textContent()).trim();
        assert.match(secret, /^whsec_/);
        await shot(page, `webhooks-${locale}-1-registered`);

        await page.locator("[data-test-id=nav-invoices]").click();
        const row = page
          .locator("[data-test-id=invoice-row]")
          .filter({ hasText: "Nordlys Drift" })
          .filter({ has: page.locator(`[data-test-id=invoice-status]:text-is("${w.due}")`) })
          .first();
        const number = await row.getAttribute("data-invoice");
        await row.getByRole("link", { name: w.payNow }).click();
        await page.getByRole("radio", { name: /4242/ }).check();
        await page.getByRole("button", { name: w.payNow }).click();
        await page.getByRole("heading", { name: w.done }).waitFor();

        const until = Date.now() + 15000;
        while (receiver.received.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
        assert.equal(receiver.received.length, 2, JSON.stringify(receiver.received.map((r) => r.body)));
        const types = receiver.received.map((r) => JSON.parse(r.body).type).sort();
        assert.deepEqual(types, ["invoice.paid", "payment.succeeded"]);
        for (const delivery of receiver.received) {
          assert.ok(verify(secret, delivery), delivery.body);
          const verified = verifiedByStandardWebhooks(secret, delivery);
          if (verified) assert.equal(verified.type, JSON.parse(delivery.body).type);
        }
        const forged = { ...receiver.received[0], body: receiver.received[0].body.replace("}", ', "forged": true}') };
        assert.ok(!verify(secret, forged), "a changed body does not verify");

        // The receipt, with the receipt PDF, in the mailbox (through aiosmtpd whenever the
        // tests' Python is there: always under CI).
        const receipt = await waitForMail(mailDir, "admin@nordlys.example", number);
        assert.match(receipt, /Content-Type: application\/pdf/);
        assert.match(receipt, new RegExp(`filename="[^"]*-${number}\\.pdf"`));
        if (process.env.CI === "true") assert.ok(viaSmtp, "CI mails through SMTP");

        await page.locator("[data-test-id=nav-webhooks]").click();
        await page.locator("[data-test-id=webhook-row] a").first().click();
        await assert.doesNotReject(page.locator("[data-test-id=attempt-row]").nth(1).waitFor());
        assert.equal(await page.locator("[data-test-id=attempt-row]").count(), 2);
        assert.equal(await page.locator("[data-test-id=attempt-row] td:nth-child(4)", { hasText: "200" }).count(), 2);
        await shot(page, `webhooks-${locale}-2-log`);
      });
    } finally {
      receiver.server.close();
    }
  });
}
