// The article's copy-link button: the share links beside it work without this script, so the
// button is shown only where it runs and the browser offers a clipboard (a secure context).
for (const item of document.querySelectorAll("[data-share-copy]")) {
  const button = item.querySelector("button");
  const status = item.querySelector("[role=status]");
  if (!button || !status || !navigator.clipboard) continue;
  item.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.url);
      status.textContent = button.dataset.copied;
    } catch {
      status.textContent = button.dataset.failed;
    }
  });
}
