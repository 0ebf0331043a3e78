// Issue 15 in a real browser, in both languages: a profile owner sets the purchase order
// number on Properties (a too-long one is refused with the field's error first), and several
// invoices are selected by keyboard in the Invoices list and download as one ZIP of PDFs named
// by invoice number.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { withPortal, signIn, shot } from "../lib/portal.js";

const WORDS = {
  "en-US": {
    signIn: "Sign in", invoices: "Invoices", properties: "Properties", po: "Purchase order number",
    savePo: "Save purchase order number", tooLong: "Use at most 50 characters", file: "invoice",
    zip: "invoices.zip", selected: "Download selected",
  },
  "da-DK": {
    signIn: "Log på", invoices: "Fakturaer", properties: "Egenskaber", po: "Indkøbsordrenummer",
    savePo: "Gem indkøbsordrenummer", tooLong: "50 tegn", file: "faktura",
    zip: "fakturaer.zip", selected: "Hent valgte",
  },
};

/** The file names in a ZIP, read from its central directory. */
function zipNames(bytes) {
  let end = bytes.length - 22;
  while (end >= 0 && bytes.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, "a ZIP has an end of central directory record");
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    assert.equal(bytes.readUInt32LE(at), 0x02014b50, "a central directory entry");
    const nameLength = bytes.readUInt16LE(at + 28);
    const extra = bytes.readUInt16LE(at + 30);
    const comment = bytes.readUInt16LE(at + 32);
    names.push(bytes.subarray(at + 46, at + 46 + nameLength).toString("utf8"));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

for (const locale of ["en-US", "da-DK"]) {
  const w = WORDS[locale];
  test(`${locale}: the PO number is set on Properties and selected invoices download as one ZIP`, async () => {
    await withPortal({ locale }, async ({ page, baseUrl }) => {
      await signIn(page, baseUrl, "admin@nordlys.example", { submit: w.signIn });
      await page.goto(`${baseUrl}/billing`);
      await page.getByRole("link", { name: w.properties, exact: true }).first().click();

      // Too long first: the field says why, and nothing is saved.
      const field = page.getByLabel(w.po, { exact: true });
      await field.fill("P".repeat(51));
      await page.getByRole("button", { name: w.savePo }).click();
      await page.locator("[data-test-id=po-number-error]").waitFor();
      assert.match(await page.locator("[data-test-id=po-number-error]").innerText(), new RegExp(w.tooLong));
      assert.equal(await page.getByLabel(w.po, { exact: true }).getAttribute("aria-invalid"), "true");
      await shot(page, `po-number-error-${locale}`);
      await page.getByLabel(w.po, { exact: true }).fill("PO-E2E-42");
      await page.getByRole("button", { name: w.savePo }).click();
      await page.locator("[data-test-id=properties-notice]").waitFor();
      assert.equal((await page.locator("[data-test-id=po-number]").innerText()).trim(), "PO-E2E-42");
      await shot(page, `po-number-saved-${locale}`);

      // Two invoices, chosen with the keyboard, then "Download selected".
      await page.getByRole("link", { name: w.invoices, exact: true }).first().click();
      const rows = page.locator("[data-test-id=invoice-row]");
      const numbers = [];
      for (const index of [0, 1]) {
        const row = rows.nth(index);
        numbers.push(await row.getAttribute("data-invoice"));
        await row.locator("[data-test-id=select-invoice]").focus();
        await page.keyboard.press("Space");
        assert.equal(await row.locator("[data-test-id=select-invoice]").isChecked(), true);
      }
      await shot(page, `invoices-selected-${locale}`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: w.selected }).click(),
      ]);
      assert.equal(download.suggestedFilename(), w.zip);
      const bytes = readFileSync(await download.path());
      assert.equal(bytes.readUInt32LE(0), 0x04034b50, "the download is a ZIP");
      assert.deepEqual(zipNames(bytes), numbers.map((n) => `${w.file}-${n}.pdf`));
    });
  });
}
