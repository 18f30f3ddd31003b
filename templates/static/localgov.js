// Progressive enhancement only: every page works without this file.
import { initAll } from "__ASSET(govuk-frontend.min.js)__";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
