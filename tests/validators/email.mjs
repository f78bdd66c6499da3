// Checks built e-mails (editions/*/email.html) against the caniemail data, through
// @jsx-email/doiuse-email, for the mail clients given: `node email.mjs CLIENTS FILE…`,
// CLIENTS a comma-separated list of globs such as `gmail.*,outlook.*,apple-mail.*`.
// Prints one JSON object: file → { success, errors, warnings }.
import { readFileSync } from "node:fs";
import { doIUseEmail } from "@jsx-email/doiuse-email";

const [clients, ...files] = process.argv.slice(2);
const emailClients = clients.split(",");
const report = {};
for (const file of files) {
  const result = doIUseEmail(readFileSync(file, "utf8"), { emailClients });
  report[file] = {
    success: result.success,
    errors: result.errors ?? [],
    warnings: result.warnings,
  };
}
console.log(JSON.stringify(report));
