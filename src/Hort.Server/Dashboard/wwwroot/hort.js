// Hort dashboard: small, optional enhancements. Every page works without them.
"use strict";

// Elements with data-poll="URL" are refreshed from a JSON page handler every few seconds while the job runs:
// the handler answers { html: "...", done: true|false } and the element's content is replaced by html.
function hortPoll(element) {
    const url = element.getAttribute("data-poll");
    const every = Number(element.getAttribute("data-poll-ms") || "2000");
    const tick = async () => {
        try {
            const response = await fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
            if (response.ok) {
                const answer = await response.json();
                element.innerHTML = answer.html;
                if (answer.done) return;
            }
        } catch (e) {
            // The server may be restarting; try again on the next tick.
        }
        setTimeout(tick, every);
    };
    setTimeout(tick, every);
}

// Buttons with data-copy="ID" copy the text of the element with that id.
function hortCopy(button) {
    button.addEventListener("click", async () => {
        const source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) return;
        try {
            await navigator.clipboard.writeText(source.textContent.trim());
            const before = button.textContent;
            button.textContent = button.getAttribute("data-copied") || "✓";
            setTimeout(() => { button.textContent = before; }, 1500);
        } catch (e) {
            // No clipboard access (http, old browser): the text stays selectable.
        }
    });
}

// Forms or buttons with data-confirm="question" ask before they submit.
function hortConfirm(form) {
    form.addEventListener("submit", (event) => {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
}

document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-poll]").forEach(hortPoll);
    document.querySelectorAll("[data-copy]").forEach(hortCopy);
    document.querySelectorAll("form[data-confirm]").forEach(hortConfirm);
});
