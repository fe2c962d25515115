// Every column is described in two languages; folded away, they no longer push the rows off the screen.
const descriptions = document.querySelector("dl.column-descriptions");
if (descriptions) {
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "列说明 Column descriptions";
  descriptions.before(details);
  details.append(summary, descriptions);
}
