// Help + support in a real browser: ask → answer → not helpful → support request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withPortal, signIn, shot } from "../lib/portal.js";

test("da-DK: ask, get the pay-an-invoice article, say it did not help, open a support request", async () => {
  await withPortal({ locale: "da-DK" }, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "admin@nordlys.example", { submit: "Log på" });
    await page.goto(`${baseUrl}/billing`);
    await page.getByRole("link", { name: "Hjælp + support" }).click();
    await page.getByLabel("Beskriv dit problem").fill("Hvordan betaler jeg min forfaldne faktura i portalen?");
    await page.getByRole("button", { name: "Find løsninger" }).click();
    const answer = page.locator("[data-test-id=help-answer]");
    await answer.waitFor();
    assert.equal(await answer.getAttribute("data-path"), "builtin:pay-an-invoice");
    assert.match(await answer.innerText(), /Betal nu/);
    await shot(page, "help-1-answer");
    await page.getByRole("group", { name: "Var dette nyttigt?" }).getByRole("button", { name: "Nej" }).click();
    const form = page.locator("[data-test-id=support-request]");
    await form.getByRole("heading", { name: "Opret en supportanmodning" }).waitFor();
    await form.getByLabel("Beskrivelse").fill("Betal nu-knappen gør ingenting, når jeg trykker på den.");
    await form.getByLabel("Alvorlighed").selectOption("high");
    await shot(page, "help-2-request-form");
    await form.getByRole("button", { name: "Opret anmodning" }).click();
    await page.locator("[data-test-id=support-created]").waitFor();
    const row = page.locator("[data-test-id=support-row]").first();
    assert.match(await row.innerText(), /Hvordan betaler jeg/);
    assert.equal(await row.locator("[data-test-id=support-status]").innerText(), "Åben");
    await shot(page, "help-3-requests");
  });
});

test("en-US: the global search offers Help + support, and nonsense finds nothing", async () => {
  await withPortal({}, async ({ page, baseUrl }) => {
    await signIn(page, baseUrl, "reader@nordlys.example");
    const search = page.getByRole("combobox", { name: "Search" });
    await search.fill("help");
    await page.getByRole("option", { name: /Help \+ support/ }).waitFor();
    await search.press("Enter");
    await page.waitForURL(/\/help$/);
    await page.getByLabel("Describe your problem").fill("xyzzy plugh qwerty");
    await page.getByRole("button", { name: "Get solutions" }).click();
    await page.locator("[data-test-id=help-nothing-fits]").waitFor();
    assert.equal(await page.getByRole("heading", { name: "Create a support request" }).count(), 1);
    await shot(page, "help-4-nothing-fits");
  });
});
