// The six steps of the source article, literally, in a real browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withPortal, signIn, shot, waitForMail } from "../lib/portal.js";

// Labels as the article names them, per language.
const WORDS = {
  "en-US": {
    signIn: "Sign in", search: "Search", service: "Cost Management + Billing", billing: "Billing",
    invoices: "Invoices", due: "Due", pastDue: "Past due", payNow: "Pay now", select: "Select a payment method",
    newCard: "Add a new card", holder: "Cardholder name", number: "Card number", expiry: "Expiration date (MM/YY)",
    cvc: "CVC", paid: "Paid", succeeded: "Payment succeeded", failed: "Payment failed", back: "Back to invoices",
    complete: "Complete", amountPaid: "Amount paid",
  },
  "da-DK": {
    signIn: "Log på", search: "Søg", service: "Cost Management + Fakturering", billing: "Fakturering",
    invoices: "Fakturaer", due: "Forfalder", pastDue: "Overskredet", payNow: "Betal nu", select: "Vælg en betalingsmetode",
    newCard: "Tilføj et nyt kort", holder: "Kortholders navn", number: "Kortnummer", expiry: "Udløbsdato (MM/ÅÅ)",
    cvc: "CVC", paid: "Betalt", succeeded: "Betalingen er gennemført", failed: "Betalingen mislykkedes", back: "Tilbage til fakturaer",
    complete: "Gennemfør", amountPaid: "Betalt beløb",
  },
};

/** Steps 1–4: sign in, search for the service, open Invoices under Billing, press Pay now on a row. */
async function openPayPane(page, baseUrl, w, prefix, status) {
  await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
  await shot(page, `${prefix}-1-signed-in`);
  const search = page.getByRole("combobox", { name: w.search });
  await search.fill("Cost Management");
  const suggestion = page.getByRole("option", { name: new RegExp(w.service.replace("+", "\\+")) });
  await suggestion.waitFor();
  await shot(page, `${prefix}-2-search`);
  await search.press("Enter");
  await page.waitForURL(/\/billing\/ba_/);
  const leftPane = page.getByRole("navigation", { name: w.service });
  await leftPane.getByRole("heading", { name: w.billing }).waitFor();
  await leftPane.getByRole("link", { name: w.invoices, exact: true }).click();
  await page.waitForURL(/\/invoices/);
  await shot(page, `${prefix}-3-invoices`);
  // The first profile's invoice: the second profile's Due invoice is above the card limit.
  const row = page
    .locator("[data-test-id=invoice-row]")
    .filter({ hasText: "Nordlys Drift" })
    .filter({ has: page.locator(`[data-test-id=invoice-status]:text-is("${status}")`) })
    .first();
  const number = await row.getAttribute("data-invoice");
  await row.getByRole("link", { name: w.payNow }).click();
  await page.getByRole("group", { name: w.select }).waitFor();
  await shot(page, `${prefix}-4-pay-pane`);
  return number;
}

/** Step 6's result: the invoice shows Paid in the Invoices list. */
async function expectPaidInList(page, w, number, prefix) {
  await page.getByRole("link", { name: w.back }).first().click();
  const row = page.locator(`[data-test-id=invoice-row][data-invoice="${number}"]`);
  await assert.doesNotReject(row.locator("[data-test-id=invoice-status]", { hasText: w.paid }).waitFor());
  assert.equal(await row.getByRole("link", { name: w.payNow }).count(), 0, "Pay now is gone");
  await shot(page, `${prefix}-6-paid`);
}

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];

  test(`${locale}: pay the Due invoice with the saved card`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl, mailDir }) => {
      const prefix = `${locale}-saved-card`;
      const number = await openPayPane(page, baseUrl, w, prefix, w.due);
      await page.getByRole("radio", { name: /4242/ }).check();
      await page.getByRole("button", { name: w.payNow }).click();
      await page.getByRole("heading", { name: w.succeeded }).waitFor();
      await shot(page, `${prefix}-5-outcome`);
      await expectPaidInList(page, w, number, prefix);
      // The receipt reaches the payer's mailbox (through a real SMTP server, aiosmtpd, whenever
      // the tests' Python is there: always under CI), with the receipt PDF; the profile's
      // invoice recipient (a Danish address) gets it in Danish.
      const receipt = await waitForMail(mailDir, "admin@nordlys.example", number);
      assert.match(receipt, /Content-Type: application\/pdf/);
      assert.match(receipt, new RegExp(`filename="[^"]*-${number}\\.pdf"`));
      const danish = await waitForMail(mailDir, "faktura@nordlys.example", number);
      assert.ok(danish.includes("Vi har modtaget"), danish);
    });
  });

  test(`${locale}: pay the Due invoice with a new card`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl }) => {
      const prefix = `${locale}-new-card`;
      const number = await openPayPane(page, baseUrl, w, prefix, w.due);
      await page.getByRole("radio", { name: w.newCard }).check();
      await page.getByLabel(w.holder).fill("Mette Nordlys");
      await page.getByLabel(w.number, { exact: true }).fill("5555 5555 5555 4444");
      await page.getByLabel(w.expiry).fill("08/31");
      await page.getByLabel(w.cvc).fill("321");
      await shot(page, `${prefix}-5-filled`);
      await page.getByRole("button", { name: w.payNow }).click();
      await page.getByRole("heading", { name: w.succeeded }).waitFor();
      // After payment the amount is what was paid, not what is to pay; no "kr.." in Danish.
      const outcome = await page.locator("[data-test-id=payment-outcome]").innerText();
      assert.ok(outcome.includes(w.amountPaid), outcome);
      assert.ok(!outcome.includes("kr.."), outcome);
      await expectPaidInList(page, w, number, prefix);
    });
  });
}

test("en-US: a declined card leaves the past-due invoice unpaid", async () => {
  const w = WORDS["en-US"];
  await withPortal({}, async ({ page, baseUrl }) => {
    const number = await openPayPane(page, baseUrl, w, "declined", w.pastDue);
    await page.getByRole("radio", { name: w.newCard }).check();
    await page.getByLabel(w.holder).fill("Mette Nordlys");
    await page.getByLabel(w.number, { exact: true }).fill("4000 0000 0000 9995");
    await page.getByLabel(w.expiry).fill("12/30");
    await page.getByLabel(w.cvc).fill("123");
    await page.getByRole("button", { name: w.payNow }).click();
    await page.getByRole("heading", { name: w.failed }).waitFor();
    assert.match(await page.locator("[data-test-id=payment-outcome]").innerText(), /insufficient funds/);
    await shot(page, "declined-5-outcome");
    await page.getByRole("link", { name: w.back }).first().click();
    const row = page.locator(`[data-test-id=invoice-row][data-invoice="${number}"]`);
    assert.equal(await row.locator("[data-test-id=invoice-status]").innerText(), w.pastDue);
    assert.equal(await row.getByRole("link", { name: w.payNow }).count(), 1, "the user can try again");
  });
});

test("da-DK: a 3-D Secure card asks for the challenge, then pays", async () => {
  const w = WORDS["da-DK"];
  await withPortal({ locale: "da-DK" }, async ({ page, baseUrl }) => {
    const number = await openPayPane(page, baseUrl, w, "3ds", w.due);
    await page.getByRole("radio", { name: w.newCard }).check();
    await page.getByLabel(w.holder).fill("Mette Nordlys");
    await page.getByLabel(w.number, { exact: true }).fill("4000 0027 6000 3184");
    await page.getByLabel(w.expiry).fill("12/30");
    await page.getByLabel(w.cvc).fill("123");
    await page.getByRole("button", { name: w.payNow }).click();
    await page.getByRole("button", { name: w.complete }).waitFor();
    await shot(page, "3ds-5-challenge");
    await page.getByRole("button", { name: w.complete }).click();
    await page.getByRole("heading", { name: w.succeeded }).waitFor();
    await expectPaidInList(page, w, number, "3ds");
  });
});

test("en-US: a billing account reader sees invoices but no Pay now", async () => {
  await withPortal({}, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "reader@nordlys.example");
    await page.goto(`${baseUrl}/billing`);
    await page.getByRole("link", { name: "Invoices", exact: true }).click();
    await page.locator("[data-test-id=invoice-row]").first().waitFor();
    assert.ok((await page.locator("[data-test-id=invoice-row]").count()) > 0);
    assert.equal(await page.getByRole("link", { name: "Pay now" }).count(), 0);
    await shot(page, "reader-invoices");
  });
});
