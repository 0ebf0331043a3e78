// With `serve --gateway stripe`, the portal takes cards in Stripe.js Elements: here localstripe's
// own Stripe.js (served by localstripe, which also stands in for Stripe's API). Its card field
// is five plain inputs (number, exp_month, exp_year as two digits, cvc, postal_code) mounted in
// the page, and its 3-D Secure is a box with "Complete authentication" / "Fail authentication"
// buttons. Add a 3-D Secure card, pay with it (the bank's check again, on the payment: failed
// once, then passed), pay with a new card typed into the Pay now pane and saved, and pay with a
// new card for that payment only (a manager who leaves "Save this card for later" unticked, and
// someone who may not manage cards, through the bank's check); the card numbers never reach
// Faktura's database or log, and a card not saved is kept nowhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { withPortal, signIn, shot } from "../lib/portal.js";
import { startLocalStripe } from "../lib/localstripe.js";

const WORDS = {
  "en-US": {
    signIn: "Sign in", methods: "Payment methods", holder: "Cardholder name", invoices: "Invoices", due: "Due",
    payNow: "Pay now", newCard: "Add a new card", succeeded: "Payment succeeded", paid: "Paid",
    back: "Back to invoices", cardDetails: "Card details", failed: "Payment failed", tryAgain: "Try another card",
    checkCard: "Check the card details.",
  },
  "da-DK": {
    signIn: "Log på", methods: "Betalingsmetoder", holder: "Kortholders navn", invoices: "Fakturaer", due: "Forfalder",
    payNow: "Betal nu", newCard: "Tilføj et nyt kort", succeeded: "Betalingen er gennemført", paid: "Betalt",
    back: "Tilbage til fakturaer", cardDetails: "Kortoplysninger",
  },
};

/** Types a card into localstripe's card Element (its inputs carry their field as placeholder). */
async function fillElement(scope, number) {
  const field = (name) => scope.locator(`[data-stripe-card] input[placeholder=${name}]`);
  await field("number").fill(number);
  await field("exp_month").fill("12");
  await field("exp_year").fill("34");
  await field("cvc").fill("123");
  await field("postal_code").fill("8000");
}

/** The files under `dir` and their contents, read at one moment. The server keeps running
 *  while the test reads: a mail written to the Maildir's tmp/ may move to new/ between the
 *  listing and the read, so a file that vanished makes the whole walk start again. */
function filesWithContents(dir) {
  for (let attempt = 1; ; attempt++) {
    const paths = [];
    const walk = (folder) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else paths.push(path);
      }
    };
    try {
      walk(dir);
      return paths.map((path) => ({ path, text: readFileSync(path).toString("latin1") }));
    } catch (error) {
      if (error.code !== "ENOENT" || attempt >= 10) throw error;
    }
  }
}

/** No full card number in any file the server left (its SQLite database and its log). */
function assertNoCardNumbers(dir, numbers) {
  const files = filesWithContents(dir);
  assert.ok(files.some((f) => f.path.endsWith("e2e.db")), `the database is in ${dir}`);
  for (const { path, text } of files) {
    for (const number of numbers) assert.ok(!text.includes(number), `${number} in ${path}`);
  }
}

async function openMethods(page, baseUrl, w) {
  await page.goto(`${baseUrl}/billing`);
  await page.waitForURL(/\/billing\/ba_/);
  await page.getByRole("link", { name: w.methods, exact: true }).click();
  await page.waitForURL(/payment-methods/);
}

/** The pay pane of the first profile's Due invoice (under the card limit); its number. */
async function openPayPane(page, baseUrl, w) {
  await page.goto(`${baseUrl}/billing`);
  await page.waitForURL(/\/billing\/ba_/);
  await page.getByRole("link", { name: w.invoices, exact: true }).first().click();
  await page.waitForURL(/\/invoices/);
  const row = page
    .locator("[data-test-id=invoice-row]")
    .filter({ hasText: "Nordlys Drift" })
    .filter({ has: page.locator(`[data-test-id=invoice-status]:text-is("${w.due}")`) })
    .first();
  const number = await row.getAttribute("data-invoice");
  await row.getByRole("link", { name: w.payNow }).click();
  await page.locator("[data-test-id=pay-pane]").waitFor();
  return number;
}

async function expectPaid(page, w, number) {
  await page.getByRole("heading", { name: w.succeeded }).waitFor();
  await page.getByRole("link", { name: w.back }).first().click();
  const row = page.locator(`[data-test-id=invoice-row][data-invoice="${number}"]`);
  await row.locator("[data-test-id=invoice-status]", { hasText: w.paid }).waitFor();
}

test("en-US: add a 3-D Secure card through Stripe.js Elements, then pay an invoice with it", async (t) => {
  const localstripe = await startLocalStripe();
  if (!localstripe) return t.skip("FAKTURA_TEST_PYTHON is not set: localstripe is not available");
  const w = WORDS["en-US"];
  try {
    await withPortal({ locale: "en-US", serveArgs: localstripe.serveArgs }, async ({ page, baseUrl, dir }) => {
      const prefix = "en-US-stripe";
      const blocked = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
      });
      await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
      await openMethods(page, baseUrl, w);
      const policy = (await page.request.get(page.url())).headers()["content-security-policy"];
      assert.match(policy, new RegExp(`script-src 'self' ${localstripe.base};`));
      assert.match(policy, new RegExp(`frame-src ${localstripe.base};`));
      assert.match(policy, new RegExp(`connect-src 'self' ${localstripe.base};`));

      await page.locator("[data-test-id=add-card]").click();
      // localstripe's Stripe.js mounted its card field where Faktura's card form is with the sandbox.
      await page.locator("[data-stripe-card] input[placeholder=number]").waitFor();
      assert.equal(await page.locator("input[name=number]").count(), 0, "no Faktura card form");
      assert.equal(await page.getByText(w.cardDetails, { exact: true }).count(), 1);
      await page.getByLabel(w.holder).fill("Mette Nordlys");
      // Nothing typed into the card field: the page says so and nothing is posted.
      await page.locator("[data-test-id=save-card]").click();
      await page.locator("[data-stripe-error]", { hasText: w.checkCard }).waitFor();
      assert.match(page.url(), /payment-methods\?|payment-methods$/);
      await fillElement(page, "4000002760003184");
      await shot(page, `${prefix}-1-element`);
      await page.locator("[data-test-id=save-card]").click();
      // The bank asks for 3-D Secure while the card is set up (localstripe's box).
      const complete = page.getByRole("button", { name: "Complete authentication" });
      await complete.waitFor();
      await shot(page, `${prefix}-2-setup-3ds`);
      await complete.click();
      const saved = page.locator('[data-test-id=card-row][data-last4="3184"]');
      await saved.waitFor();
      await page.locator("[data-test-id=methods-notice]").waitFor();
      await shot(page, `${prefix}-3-card-added`);

      // Pay with the saved card: the PaymentIntent asks for 3-D Secure too; Stripe.js runs it
      // on Faktura's page, then the return path settles the payment.
      // First the person fails the check: the payment fails, the invoice stays unpaid.
      const number = await openPayPane(page, baseUrl, w);
      await page.getByRole("radio", { name: /3184/ }).check();
      await page.getByRole("button", { name: w.payNow }).click();
      await page.waitForURL(/\/authenticate$/);
      await page.getByRole("button", { name: "Fail authentication" }).click();
      await page.getByRole("heading", { name: w.failed }).waitFor();
      await shot(page, `${prefix}-4-payment-3ds-failed`);
      // Then another attempt, and the check passed.
      await page.getByRole("link", { name: w.tryAgain }).click();
      await page.getByRole("radio", { name: /3184/ }).check();
      await page.getByRole("button", { name: w.payNow }).click();
      await page.waitForURL(/\/authenticate$/);
      await complete.waitFor();
      await shot(page, `${prefix}-5-payment-3ds`);
      await complete.click();
      await expectPaid(page, w, number);
      await shot(page, `${prefix}-6-paid`);
      assert.deepEqual(blocked, [], "nothing was blocked by the page's policy");
      assertNoCardNumbers(dir, ["4000002760003184"]);
    });
  } finally {
    localstripe.stop();
  }
});

test("da-DK: pay an invoice with a new card typed into the Pay now pane's Element", async (t) => {
  const localstripe = await startLocalStripe();
  if (!localstripe) return t.skip("FAKTURA_TEST_PYTHON is not set: localstripe is not available");
  const w = WORDS["da-DK"];
  try {
    await withPortal({ locale: "da-DK", serveArgs: localstripe.serveArgs }, async ({ page, baseUrl, dir }) => {
      const prefix = "da-DK-stripe";
      await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
      const number = await openPayPane(page, baseUrl, w);
      await page.getByRole("radio", { name: w.newCard }).check();
      const pane = page.locator("[data-test-id=pay-pane]");
      await pane.locator("[data-stripe-card] input[placeholder=number]").waitFor();
      assert.equal(await pane.locator("input[name=number]").count(), 0, "no Faktura card form");
      await pane.getByLabel(w.holder).fill("Mette Nordlys");
      await fillElement(pane, "5555555555554444");
      // "Save this card for later" is unticked until the payer ticks it.
      const save = pane.locator("[data-test-id=save-card]");
      assert.equal(await save.isChecked(), false);
      await save.check();
      await shot(page, `${prefix}-1-new-card`);
      await page.getByRole("button", { name: w.payNow }).click();
      await expectPaid(page, w, number);
      await shot(page, `${prefix}-2-paid`);
      // Saved on the profile (the payer may manage its cards).
      await openMethods(page, baseUrl, w);
      await page.locator('[data-test-id=card-row][data-last4="4444"]').waitFor();
      assertNoCardNumbers(dir, ["5555555555554444"]);
    });
  } finally {
    localstripe.stop();
  }
});

for (const [locale, who, card, secure] of [
  ["en-US", "admin@nordlys.example", "5555555555554444", false],
  ["da-DK", "invoices@nordlys.example", "4000002760003184", true],
]) {
  test(`${locale}: pay with a new card for this payment only (${who}), not saved`, async (t) => {
    const localstripe = await startLocalStripe();
    if (!localstripe) return t.skip("FAKTURA_TEST_PYTHON is not set: localstripe is not available");
    const w = WORDS[locale];
    try {
      await withPortal({ locale, serveArgs: localstripe.serveArgs }, async ({ page, baseUrl, dir }) => {
        const prefix = `${locale}-stripe-once`;
        const blocked = [];
        page.on("console", (message) => {
          if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
        });
        await signIn(page, baseUrl, who, { submit: w.signIn });
        const number = await openPayPane(page, baseUrl, w);
        await page.getByRole("radio", { name: w.newCard }).check();
        const pane = page.locator("[data-test-id=pay-pane]");
        await pane.locator("[data-stripe-card] input[placeholder=number]").waitFor();
        const save = pane.locator("[data-test-id=save-card]");
        if (who.startsWith("admin")) {
          // A manager may keep it, and leaves the box unticked.
          assert.equal(await save.isChecked(), false);
        } else {
          // Someone who may not manage cards is told the card is used once.
          assert.equal(await save.count(), 0);
          await pane.locator("[data-test-id=card-used-once]").waitFor();
        }
        await pane.getByLabel(w.holder).fill("Mette Nordlys");
        await fillElement(pane, card);
        await shot(page, `${prefix}-1-new-card`);
        await page.getByRole("button", { name: w.payNow }).click();
        if (secure) {
          // The bank asks: Stripe.js runs its check on Faktura's page.
          await page.waitForURL(/\/authenticate$/);
          const complete = page.getByRole("button", { name: "Complete authentication" });
          await complete.waitFor();
          await shot(page, `${prefix}-2-3ds`);
          await complete.click();
        }
        await expectPaid(page, w, number);
        await shot(page, `${prefix}-3-paid`);
        assert.deepEqual(blocked, [], "nothing was blocked by the page's policy");
        // Not saved: not on the profile's cards in Faktura, nor on any customer at Stripe.
        const last4 = card.slice(-4);
        await openMethods(page, baseUrl, w);
        assert.equal(await page.locator(`[data-test-id=card-row][data-last4="${last4}"]`).count(), 0);
        const intents = await (await fetch(`${localstripe.base}/v1/payment_intents?limit=100`, {
          headers: { Authorization: "Bearer sk_test_faktura_e2e" },
        })).json();
        const paid = intents.data.filter((i) => i.status === "succeeded");
        assert.equal(paid.length, 1, JSON.stringify(intents.data));
        assert.equal(paid[0].customer, null);
        const method = await (await fetch(`${localstripe.base}/v1/payment_methods/${paid[0].payment_method}`, {
          headers: { Authorization: "Bearer sk_test_faktura_e2e" },
        })).json();
        assert.equal(method.card.last4, last4);
        assert.equal(method.customer, null, "kept on no customer");
        assertNoCardNumbers(dir, [card]);
      });
    } finally {
      localstripe.stop();
    }
  });
}
