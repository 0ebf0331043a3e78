// An operator refunds part of a payment; the customer finds the credit note beside the invoice
// and downloads its PDF, in a real browser, in both languages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withPortal, signIn, shot } from "../lib/portal.js";

const WORDS = {
  // The operator page reads the amount as the operator's language writes it.
  "en-US": { signIn: "Sign in", invoices: "Invoices", due: "Due", payNow: "Pay now", succeeded: "Payment succeeded", amount: "100.00" },
  "da-DK": { signIn: "Log på", invoices: "Fakturaer", due: "Forfalder", payNow: "Betal nu", succeeded: "Betalingen er gennemført", amount: "100,00" },
};

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: an operator refunds part of a payment and the credit note downloads`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl }) => {
      // The customer pays a Due invoice of Nordlys Drift with the saved card.
      await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
      await page.goto(`${baseUrl}/billing`);
      await page.getByRole("link", { name: w.invoices, exact: true }).first().click();
      const row = page
        .locator("[data-test-id=invoice-row]")
        .filter({ hasText: "Nordlys Drift" })
        .filter({ has: page.locator(`[data-test-id=invoice-status]:text-is("${w.due}")`) })
        .first();
      const invoicesUrl = page.url();
      await row.getByRole("link", { name: w.payNow }).click();
      await page.locator("[data-test-id=pay-submit]").click();
      await page.getByRole("heading", { name: w.succeeded }).waitFor();
      const payment = new URL(page.url()).pathname.split("/").pop();
      assert.match(payment, /^pay_/);

      // The operator refunds 100.00 of it on the operator page.
      const operator = await page.context().browser().newContext({ locale });
      const ops = await operator.newPage();
      ops.setDefaultTimeout(15000);
      await signIn(ops, baseUrl, "operator@faktura.example", { submit: w.signIn });
      await ops.goto(`${baseUrl}/operator/refunds`);
      const line = ops.locator(`[data-test-id=refundable-payment][data-payment="${payment}"]`);
      await line.locator("input[name=amount]").fill(w.amount);
      await line.locator("input[name=reason]").fill("goodwill");
      await line.locator("[data-test-id=refund-submit]").click();
      await ops.locator("[data-test-id=refund-outcome]").waitFor();
      const said = await ops.locator("[data-test-id=refund-outcome]").innerText();
      const number = (said.match(/CN\d{9}/) || [])[0];
      assert.ok(number, `the outcome names the credit note: ${said}`);
      await shot(ops, `refund-operator-${locale}`);
      await operator.close();

      // The customer sees the credit note beside the invoice and downloads its PDF.
      await page.goto(invoicesUrl);
      const note = page.locator(`[data-test-id=credit-note-row][data-credit-note="${number}"]`);
      await note.waitFor();
      await shot(page, `refund-credit-note-${locale}`);
      const href = await note.locator("[data-test-id=download-credit-note]").getAttribute("href");
      const pdf = await page.request.get(new URL(href, baseUrl).href);
      assert.equal(pdf.status(), 200);
      assert.match(pdf.headers()["content-type"], /application\/pdf/);
      const body = await pdf.body();
      assert.equal(body.subarray(0, 5).toString(), "%PDF-");
      assert.match(pdf.headers()["content-disposition"] || "", new RegExp(number));
    });
  });
}
